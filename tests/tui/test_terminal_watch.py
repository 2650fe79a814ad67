"""A console whose terminal goes away without a hang-up signal ends (tui/terminal_watch.py), leaving
its call unfinished in the record store, instead of spinning at full CPU for ever (seen: a console
left by a closed pseudo-terminal ran at 92% of a core for 85 minutes)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from crisis_triage.config import load_settings
from crisis_triage.engine import Answered, CallStarted
from crisis_triage.store.opening import open_journal
from crisis_triage.tui.terminal_watch import HUNG_UP, terminal_gone

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


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


def _wait_for(master: int, text: bytes, seen: bytearray, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in ANSI.sub(b"", bytes(seen)):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"{text!r} never shown: {ANSI.sub(b'', bytes(seen))[-600:]!r}"
        if select.select([master], [], [], remaining)[0]:
            seen += os.read(master, 65536)


def test_the_console_ends_when_its_terminal_goes_away_and_leaves_its_call_to_resume(tmp_path, monkeypatch):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
        "CRISIS_TRIAGE_CONFIG": str(tmp_path / "config.toml"),
        "CRISIS_TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "CRISIS_TRIAGE_LOG_DIR": str(tmp_path / "logs"),
        "CRISIS_TRIAGE_PROTOCOL_CACHE": "off",
        "CRISIS_TRIAGE_CONSOLE_ID": "console-1",
    }
    env.pop("TEXTUAL", None)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    # A session of its own and no controlling terminal: closing the other end sends no SIGHUP.
    argv = [sys.executable, "-m", "crisis_triage", "call", "--door", "family", "--line", "e911", "--district", "B2"]
    process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    seen = bytearray()
    try:
        _wait_for(master, b"What is the address where the person is right now?", seen)
        os.write(master, b"\r")
        _wait_for(master, b"TYPING", seen)
        os.write(master, b"12 Elm St\r")
        _wait_for(master, b"What is your first name?", seen)
        os.close(master)  # the terminal goes away
        master = -1
        try:
            status = process.wait(timeout=60)  # a liveness bound, not a timing: it never ended before
        except subprocess.TimeoutExpired:
            raise AssertionError("the console kept running after its terminal went away") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if master >= 0:
            os.close(master)
    assert status == HUNG_UP
    assert not (tmp_path / "logs").exists() or not list((tmp_path / "logs").iterdir())  # no crash report
    for name, value in env.items():
        if name.startswith("CRISIS_TRIAGE_"):
            monkeypatch.setenv(name, value)
    journal = open_journal(load_settings())
    try:
        (call,) = journal.unfinished_calls("console-1")
        events = journal.events(call.meta.call_id)
    finally:
        journal.close()
    assert isinstance(events[0], CallStarted)
    assert [(e.question, e.value) for e in events if isinstance(e, Answered)] == [("location", "12 Elm St")]
