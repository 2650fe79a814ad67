"""Console latency in a real pseudo-terminal, against a bare Textual app measured the same way.

Prints two figures, each beside its baseline from the same run:

- launch to first question painted: ``crisis-triage call --door family --line e911`` until the first
  question's words reach the terminal, over a bare App(Header, Static, Footer) until its Static's
  text does (target: ratio <= 1.3);
- keypress to next question painted, p50/p95/p99 over 200 answers, beside a bare app that updates
  one Static per key, both running side by side and timed in alternating blocks of one call
  (target: within 1.5x). Only the answer keys are timed; typing the address and name, ending the
  call and starting the next are not.

"Painted" means the marker text has been written to the pty (what the terminal would show next).
Run: ``python3 bench/tui.py [--launches 7] [--answers 200]``.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

COLUMNS, ROWS = 100, 30
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")

BARE_LAUNCH = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("What is the address where the person is right now?")
            yield Footer()

    Bare().run()
""")

BARE_KEYS = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        n = 0
        def compose(self):
            yield Header()
            yield Static("Bare question number 0 here", id="q")
            yield Footer()
        def on_key(self, event):
            if event.key == "ctrl+q":
                self.exit()
                return
            self.n += 1
            self.query_one("#q").update(f"Bare question number {self.n} here")

    Bare().run()
""")


class PtyProcess:
    """A command on a pseudo-terminal of COLUMNS x ROWS; reads its output, sends it keys."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, marker: bytes, timeout: float = 30.0) -> float:
        """Read until ``marker`` shows in the text written since the last call; the moment it did."""
        deadline = time.perf_counter() + timeout
        buffer = b""
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{marker!r} not painted; last output: {ANSI.sub(b'', buffer)[-400:]!r}")
            ready, _, _ = select.select([self.master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                raise TimeoutError(f"the process ended before painting {marker!r}") from None
            now = time.perf_counter()
            buffer += chunk
            if marker in ANSI.sub(b"", buffer):
                return now

    def drain(self, quiet: float = 0.02) -> None:
        while select.select([self.master], [], [], quiet)[0]:
            try:
                if not os.read(self.master, 65536):
                    return
            except OSError:
                return

    def send(self, data: bytes) -> float:
        sent_at = time.perf_counter()
        os.write(self.master, data)
        return sent_at

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q
            self.drain(0.05)
            self.proc.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        finally:
            os.close(self.master)


def environment(data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(ROWS),
        CRISIS_TRIAGE_DATA_DIR=data_dir,
        CRISIS_TRIAGE_CONFIG=os.path.join(data_dir, "config.toml"),
        CRISIS_TRIAGE_LOG_DIR=os.path.join(data_dir, "logs"),
        CRISIS_TRIAGE_CONSOLE_ID="bench",
    )
    env.pop("TEXTUAL", None)
    # Both apps run from compiled bytecode, as an installed package does (pip compiles it at install):
    # with PYTHONDONTWRITEBYTECODE set, every launch would compile the console's ~100 modules from
    # source while Textual's come precompiled from site-packages. The warm-up launches fill this cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(data_dir, "pycache")
    return env


CONSOLE = [sys.executable, "-m", "crisis_triage", "call", "--door", "family", "--line", "e911", "--district", "B2"]
FIRST_QUESTION = b"What is the address where the person is right now?"


_LAUNCHES = iter(range(1_000_000))


def launch_time(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    # A console id of its own per launch: the call each launch leaves open is not offered to the next.
    env = dict(env, CRISIS_TRIAGE_CONSOLE_ID=f"bench-launch-{next(_LAUNCHES)}")
    started = time.perf_counter()
    process = PtyProcess(argv, env)
    try:
        return process.wait_for(marker) - started
    finally:
        process.close()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def answer_script():
    """The answers of one call (key, marker of the question it brings up), worked out by the engine."""
    from datetime import datetime

    from crisis_triage.engine import Answered, CallSession, CallStarted
    from crisis_triage.engine.views import next_question_view
    from crisis_triage.protocol.loader import load_protocol

    protocol = load_protocol(ROOT / "protocols" / "boston-mh-crisis.yaml")
    at = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    session = CallSession(protocol, CallStarted(at=at, door="family", line="e911", district="B2"))
    session.apply(Answered(at=at, question="location", value="1 Main St"))
    session.apply(Answered(at=at, question="caller_name", value="Bench"))
    first = next_question_view(protocol, session.state, session.assessment)
    steps = [(b"", first.text[:28].encode())]  # after the typed name: not timed, only awaited
    while (question := session.assessment.next_question) is not None:
        if question.type == "multi":
            key, value = "\r", []
        elif question.type == "yes_no":
            key, value = ("y", "yes") if question.id == "with_person" else ("n", "no")
        else:
            option = (
                next(o for o in question.options if o.id in ("no", "phone"))
                if any(o.id in ("no", "phone") for o in question.options)
                else question.options[0]
            )
            key, value = option.key, option.id
        session.apply(Answered(at=at, question=question.id, value=value))
        view = next_question_view(protocol, session.state, session.assessment)
        marker = view.text[:28] if view else "All questions asked"
        steps.append((key.encode(), marker.encode()))
    return steps


def console_call(process: PtyProcess, steps) -> list[float]:
    """One call's answers on the console (timed), then end it and open the next (not timed)."""
    latencies = []
    (_, after_name), *answers = steps
    # The address and the name are optional text questions: Enter starts typing each.
    process.send(b"\r")
    process.wait_for(b"TYPING")
    process.send(b"1 Main St\r")
    process.wait_for(b"What is your first name?")
    process.send(b"\r")
    process.wait_for(b"TYPING")
    process.send(b"Bench\r")
    process.wait_for(after_name)
    process.drain()
    for key, marker in answers:
        sent = process.send(key)
        latencies.append(process.wait_for(marker) - sent)
        process.drain(0.005)
    # End this call and start the next: F10, outcome, N, door, Enter.
    process.send(b"\x1b[21~")
    process.wait_for(b"End the call")
    process.send(b"a")
    process.wait_for(b"CALL ENDED")
    process.send(b"n")
    process.wait_for(b"Who is calling?")
    process.send(b"f")
    process.wait_for(b"Family member or friend  <")
    process.send(b"\r")
    process.wait_for(FIRST_QUESTION)
    process.drain()
    return latencies


def bare_block(process: PtyProcess, first: int, count: int) -> list[float]:
    latencies = []
    for n in range(first, first + count):
        sent = process.send(b"n")
        latencies.append(process.wait_for(f"Bare question number {n} here".encode()) - sent)
        process.drain(0.005)
    return latencies


def keypresses(env: dict[str, str], answers: int, bare_script: str) -> tuple[list[float], list[float]]:
    """Both apps running side by side, timed in alternating blocks (one call each) so that load
    from anything else on the machine falls on both alike."""
    steps = answer_script()
    ours_process = PtyProcess(CONSOLE, env)
    bare_process = PtyProcess([sys.executable, bare_script], env)
    ours: list[float] = []
    bare: list[float] = []
    try:
        ours_process.wait_for(FIRST_QUESTION)
        bare_process.wait_for(b"Bare question number 0 here")
        while len(ours) < answers:
            ours += console_call(ours_process, steps)
            bare += bare_block(bare_process, len(bare) + 1, len(steps) - 1)
    finally:
        ours_process.close()
        bare_process.close()
    return ours[:answers], bare[:answers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=7, help="launches of each app (interleaved)")
    parser.add_argument("--answers", type=int, default=200, help="answers timed in each app")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp)
        bare_launch = Path(tmp) / "bare_launch.py"
        bare_launch.write_text(BARE_LAUNCH)
        bare_keys = Path(tmp) / "bare_keys.py"
        bare_keys.write_text(BARE_KEYS)
        # One warm-up each so both find their files in the OS cache.
        launch_time(CONSOLE, env, FIRST_QUESTION)
        launch_time([sys.executable, str(bare_launch)], env, FIRST_QUESTION)
        ours, bare = [], []
        for _ in range(args.launches):
            ours.append(launch_time(CONSOLE, env, FIRST_QUESTION))
            bare.append(launch_time([sys.executable, str(bare_launch)], env, FIRST_QUESTION))
        ours_median, bare_median = statistics.median(ours), statistics.median(bare)
        print(f"launch to first question painted ({args.launches} launches each, median, {COLUMNS}x{ROWS} pty)")
        print(f"  crisis-triage call   {ours_median * 1000:7.1f} ms")
        print(f"  bare Textual app     {bare_median * 1000:7.1f} ms")
        print(f"  ratio                {ours_median / bare_median:7.2f}x   (target <= 1.3x)")

        ours_keys, bare_keys_lat = keypresses(env, args.answers, str(bare_keys))
        print(f"\nkeypress to next question painted ({args.answers} answers each, timed in alternating blocks)")
        print(f"  {'':22}{'p50':>9}{'p95':>9}{'p99':>9}")
        for name, values in (("crisis-triage call", ours_keys), ("bare Textual app", bare_keys_lat)):
            print(f"  {name:<22}" + "".join(f"{percentile(values, p) * 1000:7.1f}ms" for p in (50, 95, 99)))
        ratios = [percentile(ours_keys, p) / percentile(bare_keys_lat, p) for p in (50, 95, 99)]
        print(f"  {'ratio':<22}" + "".join(f"{r:8.2f}x" for r in ratios) + "   (target: within 1.5x)")


if __name__ == "__main__":
    main()
