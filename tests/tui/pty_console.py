"""The real console in a pseudo-terminal, for the tests that start ``crisis-triage`` as a process."""

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
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
FIRST_QUESTION = b"What is the address where the person is right now?"
CALL = [sys.executable, "-m", "crisis_triage", "call", "--door", "family", "--line", "e911", "--district", "B2"]


def console_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a console whose files all live under ``tmp_path``, on a 100x30 terminal."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "TERM": "xterm-256color",
        "COLUMNS": "100",  # as the pty's size (a test runner may have set its own)
        "LINES": "30",
        "CRISIS_TRIAGE_CONFIG": str(tmp_path / "config.toml"),
        "CRISIS_TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "CRISIS_TRIAGE_LOG_DIR": str(tmp_path / "logs"),
        "CRISIS_TRIAGE_PROTOCOL_CACHE": str(tmp_path / "cache"),
        **extra,
    }
    env.pop("TEXTUAL", None)
    return env


class Terminal:
    """A command on a 100x30 pseudo-terminal, in a session of its own (no controlling terminal: closing
    this end sends it no SIGHUP)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in ANSI.sub(b"", self.seen):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} never shown: {ANSI.sub(b'', self.seen)[-600:]!r}"
            if select.select([self.master], [], [], remaining)[0]:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    raise AssertionError(f"the console ended: {ANSI.sub(b'', self.seen)[-600:]!r}") from None

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def hang_up(self) -> None:
        """Close the terminal's end, as a closed window or a killed multiplexer pane does."""
        os.close(self.master)
        self.master = -1

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.master >= 0:
            os.close(self.master)


def unfinished_call_events(env: dict[str, str], console_id: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The events of ``console_id``'s one unfinished call, read from the record store of ``env``."""
    from crisis_triage.config import load_settings
    from crisis_triage.store.opening import open_journal

    for name, value in env.items():
        if name.startswith("CRISIS_TRIAGE_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("CRISIS_TRIAGE_CONSOLE_ID", console_id)
    journal = open_journal(load_settings())
    try:
        (call,) = journal.unfinished_calls(console_id)
        return list(journal.events(call.meta.call_id))
    finally:
        journal.close()
