"""The real ``crisis-triage call`` in a real terminal (tmux): keys in, the pane read back, records on disk."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _require_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required in CI (.ci/run installs it)")
        pytest.skip("tmux is not installed (apt-get install tmux)")
    return tmux


class Pane:
    """One tmux session on a private socket, so no user session is touched."""

    def __init__(self, tmux: str, command: str, env: dict[str, str], width: int = 100, height: int = 30) -> None:
        self.tmux = tmux
        self.socket = f"crisis-e2e-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # A detached session takes tmux's default size unless told; set it before the command starts.
        self._run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height))
        self._run("set-option", "-t", "e2e", "window-size", "manual")
        self._run("resize-window", "-t", "e2e", "-x", str(width), "-y", str(height))
        self.type(f"env {exports} {command}; echo EXITED $?")
        self.keys("Enter")

    def _run(self, *args: str) -> str:
        done = subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        return done.stdout

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "e2e", "-l", text)

    def text(self) -> str:
        return self._run("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, phrase: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if phrase in text:
                return text
            time.sleep(0.05)
        raise AssertionError(f"{phrase!r} never appeared; the pane shows:\n{self.text()}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def pane_env(tmp_path):
    return {
        "CRISIS_TRIAGE_CONFIG": str(tmp_path / "config.toml"),
        "CRISIS_TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "CRISIS_TRIAGE_LOG_DIR": str(tmp_path / "logs"),
        "CRISIS_TRIAGE_CONSOLE_ID": "console-e2e",
        "CRISIS_TRIAGE_CALL_TAKER_ID": "ct-e2e",
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
    }


def test_a_call_in_tmux_from_door_to_dispatch(pane_env, tmp_path, monkeypatch):
    tmux = _require_tmux()
    command = f"{shlex.quote(sys.executable)} -m crisis_triage call --district B2"
    pane = Pane(tmux, command, pane_env)
    try:
        pane.wait_for("Who is calling?")
        pane.keys("f")
        pane.wait_for("Family member or friend  <")
        pane.keys("Enter")
        pane.wait_for("What is the address where the person is right now?")
        # The address is optional (a caller may refuse it: the location search follows), so letters
        # answer nothing until Enter starts typing.
        pane.keys("Enter")
        pane.wait_for("TYPING")  # the box takes letters once the console shows it is typing
        pane.type("12 Dudley St")
        pane.keys("Enter")
        pane.wait_for("What is your first name?")
        pane.keys("F5")  # optional: F5 skips it (a letter here would not type into it)
        pane.wait_for("Are you with the person right now?")
        for key, follow in (
            ("y", "Does the person have chest pain"),
            ("n", "Is the person badly hurt"),
            ("n", "Has the person fainted"),
            ("n", "Has the person taken pills"),
            ("n", "Did the person recently stop drinking"),
            ("n", "Has the person done something"),
            ("n", "Does the person have a weapon"),
        ):
            pane.keys(key)
            pane.wait_for(follow)
        pane.keys("n")
        pane.wait_for("Is anyone being hurt or attacked right now?")
        pane.keys("F2")
        pane.wait_for("INTERRUPT")
        pane.keys("w")
        pane.wait_for("! Weapon seen or mentioned")
        # tmux may be read between two writes of one frame: wait for each part rather than assert at once.
        screen = pane.wait_for("CO-RESPONSE (POLICE + CLINICIAN)")
        assert "HIGH" in screen and "console-e2e/ct-e2e" in screen and "B2 Roxbury" in screen
        # Messages have their own line: the call-so-far list stays readable.
        pane.wait_for("Weapon  No")
        pane.wait_for("Location  12 Dudley St")
        pane.keys("F9")  # the rest of the safety questions are not asked: A accepts anyway
        pane.wait_for("Safety questions NOT ASKED")
        pane.keys("a")
        pane.wait_for("DISPATCH: CO-RESPONSE (POLICE + CLINICIAN)")
        pane.wait_for("Send: Police officer (BPD), BEST clinician")
        pane.keys("F10")
        pane.wait_for("End the call: outcome?")
        pane.keys("d")
        pane.wait_for("CALL ENDED")
        pane.keys("C-q")
        pane.wait_for("EXITED 0")
    finally:
        pane.close()

    # Every event reached the embedded store on disk, in order.
    from crisis_triage.config import load_settings
    from crisis_triage.store.opening import open_reader

    for name, value in pane_env.items():
        if name.startswith("CRISIS_TRIAGE_"):
            monkeypatch.setenv(name, value)  # not os.environ: later tests must not inherit this console id
    reader = open_reader(load_settings(), local=True)
    try:
        calls = reader.calls(console_id="console-e2e")
        assert len(calls) == 1 and calls[0].ended == "dispatched"
        kinds = [e.kind for e in reader.events(calls[0].meta.call_id)]
    finally:
        reader.close()
    assert kinds[0] == "call_started" and kinds[-1] == "call_ended"
    assert kinds.count("answered") == 9 and "interrupt" in kinds and "accepted" in kinds
