"""The first call screen painted from a launch snapshot (tui/launch.py) before the call is loaded.

A start that opened a call writes the snapshot; the next start like it paints the same widgets from
it (the same screen, cell for cell and style for style), loads everything, and puts the live call
screen in its place. Keys pressed meanwhile are applied once, after the call is journalled, and
only when the live screen shows what the snapshot did.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

import crisis_triage.tui.app as app_module
from crisis_triage.engine import Answered, CallStarted
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.app import ConsoleApp
from crisis_triage.tui.launch import Launch, launch_key, read_snapshot, write_snapshot
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.call_layout import CallLayout
from tests.tui.helpers import FixedClock, boston, make_app, run_async, screen_text, small

KEY = "test-start"


@pytest.fixture(autouse=True)
def snapshot_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_PROTOCOL_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CRISIS_TRIAGE_CONSOLE_ID", raising=False)
    return tmp_path / "cache"


class HeldLaunch(ConsoleApp):
    """The console started from a snapshot, its loading held until the test lets it go: the
    snapshot's first frame can be looked at, and keys pressed, while the call is not loaded yet."""

    CSS_PATH = str(Path(app_module.__file__).with_name("console.tcss"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.first_frame: tuple[str, str] | None = None

    async def _finish_launch(self) -> None:
        self.first_frame = (self.export_screenshot(), screen_text(self))

    def load_now(self) -> None:
        """What the first frame is followed by (held until now)."""
        self.call_later(ConsoleApp._finish_launch, self)


async def _live(protocol, size) -> tuple[str, str, MemoryJournal]:
    """The usual start (writes the snapshot): its settled screen, as a screenshot and as text."""
    journal = MemoryJournal()
    app = make_app(protocol=protocol, door="family", journal=journal, snapshot_key=KEY)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
        return app.export_screenshot(), screen_text(app), journal


def _from_snapshot(protocol, snapshot, journal) -> HeldLaunch:
    base = make_app(protocol=protocol, door="family")

    def load(app) -> None:
        app.settings, app.protocol, app.journal, app.start = base.settings, protocol, journal, base.start

    return HeldLaunch(
        None,
        None,
        launch=Launch(KEY, snapshot, load),
        clock=FixedClock(),
        call_ids=lambda: "call-1",
        announce_startup=False,
        cursor_blink=False,
        flash_seconds=600,
    )


async def _settle(pilot, app) -> None:
    for _ in range(50):
        await pilot.pause()
        if isinstance(app.screen, CallScreen) and app._held_keys is None:
            break
    await pilot.pause()


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
@pytest.mark.parametrize("which", ["fixture", "boston"])
@run_async
async def test_the_snapshot_paints_the_live_first_screen_exactly(which, size):
    protocol = small() if which == "fixture" else boston()
    live_svg, live_text, _ = await _live(protocol, size)
    snapshot = read_snapshot(KEY)
    assert snapshot is not None
    journal = MemoryJournal()
    app = _from_snapshot(protocol, snapshot, journal)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert type(app.screen) is CallLayout  # painted before anything loaded
        assert app.first_frame is not None
        assert app.first_frame[1] == live_text
        assert app.first_frame[0] == live_svg  # cell for cell, style for style
        assert not journal.calls  # nothing is journalled before the call is loaded
        app.load_now()
        await _settle(pilot, app)
        assert isinstance(app.screen, CallScreen)
        assert screen_text(app) == live_text
        assert app.export_screenshot() == live_svg


@run_async
async def test_keys_pressed_while_loading_are_applied_once_after_the_call_is_journalled():
    protocol = small()
    await _live(protocol, (100, 30))
    journal = MemoryJournal()
    app = _from_snapshot(protocol, read_snapshot(KEY), journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press(*"12", "space", *"Elm", "enter")  # the location, typed at once
        assert not journal.calls
        assert app._held_keys is not None and len(app._held_keys) == 7
        app.load_now()
        await _settle(pilot, app)
        await pilot.pause()
        events = journal.events("call-1")
        assert isinstance(events[0], CallStarted)
        answers = [e for e in events if isinstance(e, Answered)]
        assert [(a.question, a.value) for a in answers] == [("location", "12 Elm")]
        assert "12 Elm" in screen_text(app)


@run_async
async def test_a_wrong_snapshot_shows_only_until_the_call_is_loaded_and_its_keys_are_dropped():
    protocol = small()
    await _live(protocol, (100, 30))
    snapshot = copy.deepcopy(read_snapshot(KEY))
    body = next(w for w in snapshot["screen"]["widgets"] if w["id"] == "q-body")
    question = body["content"]["text"]["plain"].split("\n")[0]
    for text in (body["content"]["text"], body.get("repaint", {}).get("shown", {}).get("text")):
        if text is not None:
            text["plain"], text["spans"] = text["plain"].replace(question, "A WRONG QUESTION"), []
    journal = MemoryJournal()
    app = _from_snapshot(protocol, snapshot, journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "A WRONG QUESTION" in app.first_frame[1]
        await pilot.press(*"99", "enter")
        app.load_now()
        await _settle(pilot, app)
        await pilot.pause()
        assert "A WRONG QUESTION" not in screen_text(app)
        assert question in screen_text(app)
        assert not [e for e in journal.events("call-1") if isinstance(e, Answered)]
        assert "not applied" in app.screen.query_one("#message-line").message
    # ... and the snapshot was written afresh from the live screen.
    assert read_snapshot(KEY)["screen"] != snapshot["screen"]


@run_async
async def test_a_failed_load_stops_the_console_with_its_error():
    protocol = small()
    await _live(protocol, (100, 30))

    def load(app) -> None:
        raise RuntimeError("the store is away")

    app = ConsoleApp(None, None, launch=Launch(KEY, read_snapshot(KEY), load), announce_startup=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert isinstance(app.launch_error, RuntimeError)
    assert app.return_code == 1


def test_a_snapshot_is_found_only_for_the_same_files_and_console_id_source(tmp_path, monkeypatch):
    protocol_file = tmp_path / "protocol.yaml"
    protocol_file.write_text("one")
    data = {
        "files": {str(protocol_file): __import__("hashlib").sha256(b"one").hexdigest()},
        "console_id": "console-1",
        "console_id_from_env": False,
        "call_taker_id": "ct-1",
        "theme": "textual-dark",
        "keys": {},
        "screen": {"widgets": []},
    }
    write_snapshot("k", data)
    assert read_snapshot("k")["console_id"] == "console-1"
    monkeypatch.setenv("CRISIS_TRIAGE_CONSOLE_ID", "console-9")  # given another way: not this snapshot
    assert read_snapshot("k") is None
    monkeypatch.delenv("CRISIS_TRIAGE_CONSOLE_ID")
    protocol_file.write_text("two")
    assert read_snapshot("k") is None
    assert read_snapshot("another") is None


def test_the_key_follows_the_options_the_config_file_and_the_environment(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    monkeypatch.setenv("CRISIS_TRIAGE_CONFIG", str(config))
    options = {"door": "family", "line": "e911"}
    key = launch_key(options)
    assert launch_key(dict(options)) == key
    assert launch_key({**options, "door": "self"}) != key
    config.write_text('theme = "textual-light"\n')
    assert launch_key(options) != key
    with_config = launch_key(options)
    monkeypatch.setenv("CRISIS_TRIAGE_DISTRICT", "A1")
    assert launch_key(options) != with_config
    monkeypatch.delenv("CRISIS_TRIAGE_DISTRICT")
    monkeypatch.setenv("CRISIS_TRIAGE_CONSOLE_ID", "another")  # given at launch, not part of the key
    assert launch_key(options) == with_config


def test_no_snapshot_without_a_cache_folder(monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_PROTOCOL_CACHE", "off")
    write_snapshot("k", {"files": {os.devnull: ""}})
    assert read_snapshot("k") is None


@run_async
async def test_a_damaged_snapshot_costs_its_first_frame_only():
    protocol = small()
    _, live_text, _ = await _live(protocol, (100, 30))
    snapshot = copy.deepcopy(read_snapshot(KEY))
    body = next(w for w in snapshot["screen"]["widgets"] if w["id"] == "q-body")
    body["content"]["text"]["spans"] = [[0, 3, "no such style ((("]]
    body["repaint"] = {"shown": body["content"]}
    journal = MemoryJournal()
    app = _from_snapshot(protocol, snapshot, journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.load_now()
        await _settle(pilot, app)
        assert screen_text(app) == live_text
        assert isinstance(journal.events("call-1")[0], CallStarted)


def test_a_snapshot_file_that_is_not_one_is_no_snapshot(snapshot_folder):
    write_snapshot("k", {"files": {os.devnull: "x"}, "screen": {"widgets": []}})  # missing fields
    assert read_snapshot("k") is None
    (snapshot_folder / "launch-k.json").write_text("{not json")
    assert read_snapshot("k") is None
