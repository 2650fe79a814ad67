"""The real ``crisis-triage call`` in a pseudo-terminal, twice: the first start writes the launch
snapshot, the second paints its first frame from it (tui/launch.py) without the settings model, the
engine, the protocol, the record store, YAML or Jinja2, then takes keys typed at once."""

from __future__ import annotations

import json
import sys
import time

from crisis_triage.engine import Answered, CallStarted

from .pty_console import FIRST_QUESTION, Terminal, console_environment, unfinished_call_events

#: Runs the console; at the first frame of a start from a snapshot, writes what was imported by then.
SCRIPT = """
import json, sys
from crisis_triage.tui.app import ConsoleApp

finish = ConsoleApp._finish_launch

async def first_frame_then_load(self):
    with open(sys.argv[1], "w") as out:
        json.dump(sorted(sys.modules), out)
    await finish(self)

ConsoleApp._finish_launch = first_frame_then_load
from crisis_triage.cli import main
main(["call", "--door", "family", "--line", "e911", "--district", "B2"])
"""

NOT_BEFORE_THE_FIRST_FRAME = (
    "pydantic",
    "crisis_triage.config",
    "crisis_triage.engine",
    "crisis_triage.protocol",
    "crisis_triage.store.journal",
    "sqlite3",
    "yaml",
    "jinja2",
)


def test_a_start_from_a_snapshot_paints_before_the_engine_and_takes_keys_typed_at_once(tmp_path, monkeypatch):
    env = console_environment(tmp_path)
    imported = tmp_path / "imported.json"
    argv = [sys.executable, "-c", SCRIPT, str(imported)]
    # The first start (console 1) writes the snapshot once its call screen is up.
    first = Terminal(argv, {**env, "CRISIS_TRIAGE_CONSOLE_ID": "console-1"})
    try:
        first.wait_for(FIRST_QUESTION)
        deadline = time.monotonic() + 30
        while not list((tmp_path / "cache").glob("launch-*.json")):
            assert time.monotonic() < deadline, "no launch snapshot written"
            time.sleep(0.05)
    finally:
        first.close()
    assert not imported.exists()  # the first start did not paint from a snapshot
    # The second (console 2: the first one's open call is not offered to it) paints from the snapshot.
    second = Terminal(argv, {**env, "CRISIS_TRIAGE_CONSOLE_ID": "console-2"})
    try:
        second.wait_for(FIRST_QUESTION)
        # The address is an optional typed answer: Enter starts typing it. Pressed at once: most often
        # while the call is still loading (held, then applied once the call is journalled).
        second.send(b"\r")
        second.wait_for(b"TYPING")
        second.send(b"12 Elm St\r")
        second.wait_for(b"What is your first name?")
        second.wait_for(b"12 Elm St")  # in the call so far
    finally:
        second.close()
    # What the record store holds for the second console's call: the start, then the address once.
    events = unfinished_call_events(env, "console-2", monkeypatch)
    assert isinstance(events[0], CallStarted)
    assert [(e.question, e.value) for e in events if isinstance(e, Answered)] == [("location", "12 Elm St")]
    modules = set(json.loads(imported.read_text()))
    early = sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in NOT_BEFORE_THE_FIRST_FRAME))
    assert early == [], early
