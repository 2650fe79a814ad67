"""One key table for the console: a remapped key works and is named everywhere; Home works in a terminal."""

from __future__ import annotations

from crisis_triage.config import Settings
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.ended import CallEndedScreen
from crisis_triage.tui.screens.home import HomeScreen
from crisis_triage.tui.screens.modals import EndCallModal
from tests.tui.helpers import make_app, panel, run_async
from tests.tui.test_whole_calls import wait_for

REMAPPED = {"end_call": "f12", "dispatch_copy": "y", "end_dispatched": "s", "home": "ctrl+o"}


@run_async
async def test_a_remapped_key_works_and_shows_its_new_label_on_every_screen():
    app = make_app(door="family", settings=Settings(keys=REMAPPED, district="B2"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2", "w")  # weapon seen: a team is sent, so the dispatch summary follows F9
        await pilot.press("f9", "a")  # before the safety questions: A accepts anyway
        await wait_for(pilot, DispatchScreen)
        help_text = panel(app, "#dispatch-help")
        assert "Y copies the summary" in help_text and "F12 ends the call" in help_text
        assert "F10" not in help_text
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == app.screen.summary()  # C did nothing before: the key had no action
        await pilot.press("f12")
        await wait_for(pilot, EndCallModal)
        outcomes = "\n".join(str(w.content) for w in app.screen.query("Static"))
        assert " S  Responders dispatched  (suggested)" in outcomes
        await pilot.press("s")
        await wait_for(pilot, CallEndedScreen)
        ended = panel(app, "#ended-text")
        assert "Ctrl+O  home" in ended and "Ctrl+H" not in ended
        await pilot.press("ctrl+o")
        await wait_for(pilot, HomeScreen)
    assert app.journal.events("call-1")[-1].outcome == "dispatched"


@run_async
async def test_home_is_a_key_a_terminal_can_send_and_a_palette_entry():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f10", "x")
        await wait_for(pilot, CallEndedScreen)
        assert "Ctrl+G  home" in panel(app, "#ended-text")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Home" in commands
        await pilot.press("ctrl+g")
        await wait_for(pilot, HomeScreen)
