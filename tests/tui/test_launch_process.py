"""The real ``crisis-triage call`` in a pseudo-terminal, twice: the first start writes the launch
snapshot, the second paints its first frame from it (tui/launch.py) without the settings model, the
engine, the protocol, the record store, YAML or Jinja2, then takes keys typed at once."""

from __future__ import annotations

import fcntl
import json
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

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
FIRST_QUESTION = b"What is the address where the person is right now?"

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


class Terminal:
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

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        os.close(self.master)


def test_a_start_from_a_snapshot_paints_before_the_engine_and_takes_keys_typed_at_once(tmp_path, monkeypatch):
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
    }
    env.pop("TEXTUAL", None)
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
    for name, value in env.items():
        if name.startswith("CRISIS_TRIAGE_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("CRISIS_TRIAGE_CONSOLE_ID", "console-2")
    journal = open_journal(load_settings())
    try:
        (call,) = journal.unfinished_calls("console-2")
        events = journal.events(call.meta.call_id)
    finally:
        journal.close()
    assert isinstance(events[0], CallStarted)
    assert [(e.question, e.value) for e in events if isinstance(e, Answered)] == [("location", "12 Elm St")]
    modules = set(json.loads(imported.read_text()))
    early = sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in NOT_BEFORE_THE_FIRST_FRAME))
    assert early == [], early
