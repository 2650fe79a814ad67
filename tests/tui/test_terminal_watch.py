"""A console whose terminal goes away without a hang-up signal ends (tui/terminal_watch.py), leaving
its call unfinished in the record store, instead of spinning at full CPU for ever (seen: a console
left by a closed pseudo-terminal ran at 92% of a core for 85 minutes)."""

from __future__ import annotations

import os
import pty
import subprocess

from crisis_triage.engine import Answered, CallStarted
from crisis_triage.tui.terminal_watch import HUNG_UP, terminal_gone

from .pty_console import CALL, FIRST_QUESTION, Terminal, console_environment, unfinished_call_events


def test_a_terminal_is_gone_once_its_other_end_has_closed():
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.write(master, b"x")  # input waiting is not a hang-up
        assert not terminal_gone(slave)
        os.close(master)
        assert terminal_gone(slave)
    finally:
        os.close(slave)


def test_the_console_ends_when_its_terminal_goes_away_and_leaves_its_call_to_resume(tmp_path, monkeypatch):
    env = console_environment(tmp_path, CRISIS_TRIAGE_PROTOCOL_CACHE="off", CRISIS_TRIAGE_CONSOLE_ID="console-1")
    console = Terminal(CALL, env)
    try:
        console.wait_for(FIRST_QUESTION)
        console.send(b"\r")
        console.wait_for(b"TYPING")
        console.send(b"12 Elm St\r")
        console.wait_for(b"What is your first name?")
        console.hang_up()
        try:
            status = console.process.wait(timeout=60)  # a liveness bound, not a timing: it never ended before
        except subprocess.TimeoutExpired:
            raise AssertionError("the console kept running after its terminal went away") from None
    finally:
        console.close()
    assert status == HUNG_UP
    logs = tmp_path / "logs"
    assert not logs.exists() or not list(logs.iterdir())  # no crash report
    events = unfinished_call_events(env, "console-1", monkeypatch)
    assert isinstance(events[0], CallStarted)
    assert [(e.question, e.value) for e in events if isinstance(e, Answered)] == [("location", "12 Elm St")]
