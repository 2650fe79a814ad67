"""The wall display in a web browser: textual-serve on 127.0.0.1, driven by headless Chromium, no internet.

Chromium's resolver maps every host but 127.0.0.1 to "not found", and every request the page makes is
recorded through the DevTools protocol: the page must load, fetch nothing from anywhere else, and
connect its terminal to the board. The terminal paints on a canvas, so the text itself is not in the
DOM; the screenshot is kept beside the test's files for a person to look at.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.tui.board_helpers import FIXTURE_CENTRE, centre_in_progress

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class DevTools:
    """The few DevTools protocol calls the test needs, recording every request the page makes."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.requests: list[str] = []
        self.failed: list[str] = []

    def call(self, method: str, **params):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message.get("method") == "Network.loadingFailed":
                self.failed.append(message["params"].get("errorText", "?"))
            if message.get("id") == message_id:
                return message.get("result", {})

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")


def _missing(what: str) -> None:
    """Skip with the reason here; in CI (env CI set) fail instead, as for PostgreSQL: .ci/run installs
    Debian's chromium, and textual-serve with the package's ``web`` extra."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI requires it", pytrace=False)
    pytest.skip(what)


@pytest.mark.slow
def test_the_wall_display_works_in_headless_chromium_with_no_internet(tmp_path):
    if CHROMIUM is None:
        _missing("headless Chromium is not installed (Debian package chromium; .ci/run installs it)")
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        _missing("textual-serve is not installed (pip install crisis-triage[web])")
    from websockets.sync.client import connect

    data = tmp_path / "data"
    data.mkdir()
    centre_in_progress(data)
    env = dict(os.environ, CRISIS_TRIAGE_DATA_DIR=str(data), CRISIS_TRIAGE_CENTRE=str(FIXTURE_CENTRE))
    port, debug_port = _free_port(), _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crisis_triage", "board", "--serve", str(port)],
        env=env,
        stdout=(tmp_path / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1400,900",
            f"--remote-debugging-port={debug_port}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for_port(port, 60), "the board's web server did not start"
        assert _wait_for_port(debug_port, 60), "Chromium did not start"
        with urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json", timeout=10) as response:
            targets = json.load(response)
        page = next(t for t in targets if t["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            tools = DevTools(ws)
            tools.call("Network.enable")
            tools.call("Page.enable")
            tools.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
            deadline = time.monotonic() + 60
            connected = False
            while not connected and time.monotonic() < deadline:
                time.sleep(0.5)
                connected = tools.evaluate(
                    "!!document.querySelector('#terminal') && "
                    "document.querySelector('#terminal').classList.contains('-connected')"
                )
            assert connected, "the page's terminal never connected to the board"
            painted = False  # textual-serve marks the page once the board's process sends its first screen
            while not painted and time.monotonic() < deadline + 60:
                time.sleep(0.5)
                painted = tools.evaluate("document.body.classList.contains('-first-byte')")
            assert painted, "the board never sent a screen to the page"
            time.sleep(2)
            shot = tools.call("Page.captureScreenshot", format="png")
            (tmp_path / "board-in-chromium.png").write_bytes(base64.b64decode(shot["data"]))
            assert tools.requests, "the page made no requests at all"
            assert all(url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:")) for url in tools.requests), (
                tools.requests
            )
            assert tools.failed == [], tools.failed
    finally:
        browser.terminate()
        server.terminate()
        browser.wait(10)
        server.wait(10)
