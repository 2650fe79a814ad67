"""The console subscribing to another system's EIDO notifier itself (``eido_inbox_subscribe``): real
notifiers on 127.0.0.1, the console driven by Pilot. Transfers land in the inbox without a second
command; the home screen and the inbox count them; a notifier that is down, refuses or is
misconfigured never blocks or stops the console."""

from __future__ import annotations

import socket
import time

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.config import Settings
from crisis_triage.interop.eido_inbox_feed import InboxSubscriber, resubscribe_delay
from crisis_triage.interop.eido_inbox_folder import inbox_folder, waiting_count
from crisis_triage.interop.eido_server import EidoServer, ServerSettings
from crisis_triage.keymap import key_for
from crisis_triage.tui.screens.eido_inbox import EidoInboxScreen
from crisis_triage.tui.screens.home import HomeScreen
from tests.interop.test_eido_inbox import SENDER_TOKEN, sample
from tests.tui.helpers import make_app, run_async, screen_text
from tests.tui.test_whole_calls import wait_for

OTHER = "urn:emergency:uid:incidentid:b-91:psap.cambridge.example"
#: A bound on waiting for what the subscriber's thread does (it retries after 1 s, then 2 s).
PATIENCE_S = 20.0


def _settings(url: str, token: str | None = SENDER_TOKEN, **more) -> Settings:
    return Settings(
        console_id="console-7", call_taker_id="ct-042", eido_inbox_subscribe=url, eido_inbox_token=token, **more
    )


async def _until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {PATIENCE_S} s; on screen: {screen_text(pilot.app)}"
        await pilot.pause(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def sender():
    running = EidoServer(ServerSettings(port=0, token=SENDER_TOKEN)).start()
    yield running
    running.stop()


@run_async
async def test_transfers_land_in_the_inbox_while_the_console_runs(sender):
    app = make_app(home=True, settings=_settings(f"ws://127.0.0.1:{sender.port}/"))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        await _until(pilot, lambda: app.eido_inbox_feed.state.subscribed, "subscribed")
        await _until(pilot, lambda: "EIDO inbox: nothing waiting" in screen_text(app), "the home screen's count")
        sender.published(sample())
        await _until(pilot, lambda: "EIDO inbox: 1 transfer waiting" in screen_text(app), "the transfer counted")
        await pilot.press(key_for("home_eido_inbox"))
        await wait_for(pilot, EidoInboxScreen)
        text = screen_text(app)
        assert "1 waiting" in text and "45 Warren St Boston MA" in text and "Subscribed to ws://127.0.0.1" in text
        # Another transfer while the inbox is open: listed when it is kept.
        other = sample(OTHER, code="SUICTHRT")
        other["issuingElementIdentification"] = "cad.cambridge.example"
        sender.published(other)
        await _until(pilot, lambda: "2 waiting" in screen_text(app), "the second transfer listed")
        assert "cad.cambridge.example" in screen_text(app)
        await pilot.press(key_for("eido_inbox_back"))
        await wait_for(pilot, HomeScreen)
        await _until(pilot, lambda: "2 transfers waiting" in screen_text(app), "the count on coming back")
    feed = app.eido_inbox_feed
    assert feed.state.kept == 2 and waiting_count(inbox_folder()) == 2
    assert not feed._thread.is_alive(), "the subscription ends with the console"


@run_async
async def test_a_notifier_that_is_down_is_tried_again_and_the_console_carries_on():
    port = _free_port()
    app = make_app(home=True, settings=_settings(f"ws://127.0.0.1:{port}/"))
    late = None
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        await _until(pilot, lambda: "subscribing again in 1 s" in screen_text(app), "the home screen saying why")
        assert "cannot connect" in screen_text(app)
        # The console answers keys meanwhile.
        await pilot.press(key_for("home_eido_inbox"))
        await wait_for(pilot, EidoInboxScreen)
        assert "Nothing waiting" in screen_text(app) and "cannot connect" in screen_text(app)
        try:
            late = EidoServer(ServerSettings(port=port, token=SENDER_TOKEN)).start()
            late.published(sample())
            await _until(pilot, lambda: "1 waiting" in screen_text(app), "the transfer once the notifier is up")
            assert f"Subscribed to ws://127.0.0.1:{port}/" in screen_text(app)
        finally:
            if late is not None:
                late.stop()


@run_async
async def test_a_refusal_or_a_setting_that_cannot_work_is_shown_not_fatal(sender):
    refused = make_app(home=True, settings=_settings(f"ws://127.0.0.1:{sender.port}/", token="wrong"))
    async with refused.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        await _until(pilot, lambda: "HTTP 401" in screen_text(refused), "the refusal shown")
        assert "subscribing again in 30 s" in screen_text(refused)
    for settings, problem in (
        (_settings(f"ws://127.0.0.1:{sender.port}/", token=None), "needs eido_inbox_token"),
        (_settings("https://cad.example/feed"), "is not a ws:// or wss:// URL"),
    ):
        app = make_app(home=True, settings=settings)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, HomeScreen)
            await _until(pilot, lambda: problem in screen_text(app), problem)
            await pilot.press(key_for("home_eido_inbox"))
            await wait_for(pilot, EidoInboxScreen)
            assert problem in screen_text(app)


def test_the_backoff_doubles_to_half_a_minute():
    assert [resubscribe_delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert resubscribe_delay(10_000) == 30, "no overflow after a long outage"


def test_a_stopped_subscriber_stops_at_once_even_while_waiting_to_retry(tmp_path):
    feed = InboxSubscriber(f"ws://127.0.0.1:{_free_port()}/", "t", tmp_path, first_delay_s=60).start()
    deadline = time.monotonic() + PATIENCE_S
    while feed.state.problem is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    feed.stop()
    assert not feed._thread.is_alive()


def test_the_settings_show_in_crisis_triage_config(monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_EIDO_INBOX_SUBSCRIBE", "wss://psap.example/eido")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("eido_inbox_subscribe"))
    assert "wss://psap.example/eido" in line and "env CRISIS_TRIAGE_EIDO_INBOX_SUBSCRIBE" in line
    assert "eido_inbox_token" in result.output and "eido_inbox_filter" in result.output
