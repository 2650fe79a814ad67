"""A subscription's minRate and maxRate (NENA's WebSocket subscribe/notify schema): maxRate holds the
changes that come sooner than that after the last notification and sends each incident's latest
together when the wait is over; minRate re-sends the current EIDOs after that long without a
notification. Negotiated and echoed in the subscribeResponse. On a clock the test moves, then once
with real sockets."""

from __future__ import annotations

import asyncio
import json
import time

from crisis_triage.interop.eido_client import subscribe_request
from crisis_triage.interop.eido_notifier import EidoNotifier, Outbox
from crisis_triage.interop.eido_requests import MAX_RATE_CEILING_S, MIN_RATE_FLOOR_S
from tests.interop.test_eido_conveyance import Client, _document, server  # noqa: F401 (the fixture)


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Recorder(Outbox):
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def put(self, text) -> bool:
        self.sent.append(json.loads(text))
        return True

    def close(self, reason) -> None:
        raise AssertionError(f"closed: {reason}")

    def events(self) -> list[list[str]]:
        """Each event's notification, as the EIDOs' "$id:version" it carried, in order; then forgotten."""
        found = [
            [f"{d['$id']}:{d['lastUpdateTimeStamp'][-3:-1]}" for d in m["event"]["notification"]]
            for m in self.sent
            if "event" in m
        ]
        self.sent = [m for m in self.sent if "event" not in m]
        return found


def _subscribe(notifier: EidoNotifier, **fields) -> tuple[_Recorder, dict]:
    outbox = _Recorder()
    body = {"requestId": "r1", "requestType": "EIDO", **fields}
    notifier.handle(json.dumps({"subscribe": body}), outbox, "test")
    (response,) = [m["subscribeResponse"] for m in outbox.sent if "subscribeResponse" in m]
    outbox.sent = [m for m in outbox.sent if "subscribeResponse" not in m]
    return outbox, response


def test_max_rate_holds_changes_and_sends_each_incidents_latest_together():
    clock = _Clock()
    notifier = EidoNotifier(clock=clock)
    outbox, response = _subscribe(notifier, requestSubType="new", maxRate=5)
    assert response["statusCode"] == 200 and response["maxRate"] == 5 and "minRate" not in response
    notifier.publish(_document("a", 1))
    assert outbox.events() == [["a:01"]], "the first change goes at once"
    clock.now += 1
    notifier.publish(_document("a", 2))
    clock.now += 1
    notifier.publish(_document("b", 1))
    clock.now += 1
    notifier.publish(_document("a", 3))
    assert outbox.events() == [], "held: sooner than 5 s after the last"
    assert notifier.next_due() == 105.0
    clock.now = 104.9
    assert notifier.send_due() == 0 and outbox.events() == []
    clock.now = 105.0
    assert notifier.send_due() == 1
    assert outbox.events() == [["a:03", "b:01"]], "one event: each incident's latest, in the order first held"
    clock.now = 106.0
    notifier.publish(_document("b", 2))
    assert outbox.events() == [], "counted from the last notification"
    clock.now = 111.0
    assert notifier.send_due() == 1 and outbox.events() == [["b:02"]]
    clock.now = 116.5
    notifier.publish(_document("c", 1))  # the wait is over and nothing is held: at once
    assert outbox.events() == [["c:01"]]


def test_max_rate_sends_at_once_when_the_wait_is_over():
    clock = _Clock()
    notifier = EidoNotifier(clock=clock)
    outbox, _ = _subscribe(notifier, requestSubType="new", maxRate=5)
    notifier.publish(_document("a", 1))
    clock.now += 6
    notifier.publish(_document("a", 2))
    assert outbox.events() == [["a:01"], ["a:02"]]
    assert notifier.next_due() is None


def test_min_rate_resends_the_current_eido_after_that_long_without_a_notification():
    clock = _Clock()
    notifier = EidoNotifier(clock=clock)
    notifier.publish(_document("a", 1))
    outbox, response = _subscribe(notifier, requestSubType="single", incidentId="a", minRate=12)
    assert response["minRate"] == 12
    assert outbox.events() == [["a:01"]], "the incident as it stands, at once"
    clock.now += 11.9
    assert notifier.send_due() == 0
    clock.now = 112.0
    assert notifier.send_due() == 1 and outbox.events() == [["a:01"]]
    clock.now = 115.0
    notifier.publish(_document("a", 2))
    assert outbox.events() == [["a:02"]]
    clock.now = 126.9
    notifier.send_due()
    assert outbox.events() == [], "the change reset the wait"
    clock.now = 127.0
    notifier.send_due()
    assert outbox.events() == [["a:02"]]


def test_min_rate_on_every_incident_resends_the_open_ones_or_an_empty_notification():
    clock = _Clock()
    notifier = EidoNotifier(clock=clock)
    outbox, _ = _subscribe(notifier, requestSubType="new", minRate=10)
    assert outbox.events() == [], "nothing open yet"
    clock.now += 10
    notifier.send_due()
    assert outbox.events() == [[]], "a notification all the same: the link and the notifier are alive"
    notifier.publish(_document("a", 1))
    notifier.publish(_document("b", 1))
    outbox.events()
    closed = _document("b", 2) | {"incidentComponent": {"incidentStatusCommonRegistryText": ["Closed"]}}
    notifier.publish(closed)
    outbox.events()
    clock.now += 10
    notifier.send_due()
    assert outbox.events() == [["a:01"]], "the open incidents it hears"


def test_rates_are_negotiated_and_echoed():
    notifier = EidoNotifier(clock=_Clock())
    _, floor = _subscribe(notifier, requestSubType="new", minRate=1)
    assert floor["minRate"] == MIN_RATE_FLOOR_S
    _, raised = _subscribe(notifier, requestSubType="new", minRate=20, maxRate=30)
    assert (raised["minRate"], raised["maxRate"]) == (30, 30), "never resend sooner than the longest wait"
    _, ceiling = _subscribe(notifier, requestSubType="new", maxRate=10**6)
    assert ceiling["maxRate"] == MAX_RATE_CEILING_S
    _, plain = _subscribe(notifier, requestSubType="new")
    assert "minRate" not in plain and "maxRate" not in plain
    for bad in ({"minRate": 0}, {"maxRate": -5}, {"maxRate": "5"}, {"minRate": True}):
        _, refused = _subscribe(notifier, requestSubType="new", **bad)
        assert refused["statusCode"] == 400, bad
        assert ("minRate" if "minRate" in bad else "maxRate") in refused["statusText"]


def test_a_renewal_may_change_the_rates():
    clock = _Clock()
    notifier = EidoNotifier(clock=clock)
    outbox, first = _subscribe(notifier, requestSubType="new", maxRate=5)
    body = {"requestId": "r2", "subscriptionId": first["subscriptionId"], "expires": 600, "maxRate": 2}
    notifier.handle(json.dumps({"subscribe": body}), outbox, "test")
    (renewed,) = [m["subscribeResponse"] for m in outbox.sent if "subscribeResponse" in m]
    assert renewed["statusCode"] == 200 and renewed["maxRate"] == 2
    outbox.sent.clear()
    notifier.publish(_document("a", 1))
    clock.now += 2
    notifier.publish(_document("a", 2))
    assert outbox.events() == [["a:01"], ["a:02"]]


def test_max_rate_over_real_sockets_coalesces_a_burst(server):  # noqa: F811 (the fixture)
    async def scenario() -> tuple[list[dict], float]:
        client = await Client.open(server)
        try:
            await client.send(subscribe_request(max_rate=1))
            answer = (await client.next())["subscribeResponse"]
            assert answer["statusCode"] == 200 and answer["maxRate"] == 1
            started = time.monotonic()
            for version in range(1, 6):  # a burst: five changes within a few milliseconds
                server.publish(_document("burst", version))
            first = await client.next()
            second = await client.next()
            return [first, second], time.monotonic() - started
        finally:
            await client.connection.close()

    (first, second), waited = asyncio.run(scenario())
    assert [d["lastUpdateTimeStamp"] for d in first["event"]["notification"]] == ["2026-03-10T12:00:01Z"]
    assert [d["lastUpdateTimeStamp"] for d in second["event"]["notification"]] == ["2026-03-10T12:00:05Z"]
    assert waited >= 0.9, "the held changes waited for the maxRate"
