"""Every message a subscriber sends is untrusted: malformed, oversized, deep or ill-typed requests get the
standard's error responses and are logged, and never stall or end the notifier (real sockets on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from websockets.exceptions import ConnectionClosed

from crisis_triage.interop.eido_notifier import EidoNotifier, Outbox
from crisis_triage.interop.eido_requests import MAX_REQUEST_CHARS
from crisis_triage.interop.eido_server import EidoServer, ServerSettings
from tests.interop.test_eido_conveyance import TOKEN, Client, _document

KNOWN_CODES = {200, 400, 404, 406, 413, 481, 501}


@pytest.fixture
def server():
    running = EidoServer(ServerSettings(port=0, token=TOKEN)).start()
    yield running
    running.stop()


async def _answer(client: Client, message) -> dict:
    await client.send(message)
    return await client.next()


def test_deep_oversized_and_ill_typed_requests_get_errors_and_the_connection_goes_on(server, caplog):
    server.published(_document("inc-a", 1))

    async def scenario():
        client = await Client.open(server)
        deep = '{"subscribe": ' + "[" * 40 + "]" * 40 + "}"
        answer = (await _answer(client, deep))["response"]
        assert answer["statusCode"] == 400 and "deep; at most 32" in answer["statusText"]
        answer = (await _answer(client, json.dumps({"subscribe": {"requestId": "x" * MAX_REQUEST_CHARS}})))["response"]
        assert (answer["statusCode"], answer["statusText"]) == (413, "Request too large")
        answer = (await _answer(client, '{"subscribe": {"requestId": "a", "requestId": "b"}}'))["response"]
        assert answer["statusCode"] == 400 and "written twice" in answer["statusText"]
        answer = await _answer(client, '{"subscribe": {"requestId": "n", "expires": 1' + "0" * 5000 + "}}")
        assert answer["response"]["statusCode"] == 400, "a number with 5,000 digits is not parsed"
        for field, value in [
            ("requestAccepts", 5),
            ("subscriptionId", [1]),
            ("expires", "soon"),
            ("expires", True),
            ("incidentId", {"$id": "inc-a"}),
            ("qualFilter", 7),
        ]:
            request = {"requestId": f"t-{field}", "requestType": "EIDO", field: value}
            answer = (await _answer(client, {"subscribe": request}))["subscribeResponse"]
            assert answer["statusCode"] == 400 and field in answer["statusText"], (field, answer)
            assert answer["requestId"] == f"t-{field}"
        answer = await _answer(client, {"subscribe": {"requestId": {"nested": 1}, "requestType": "EIDO"}})
        assert answer["subscribeResponse"]["statusCode"] == 400 and answer["subscribeResponse"]["requestId"] == ""
        answer = await _answer(client, {"unsubscribe": {"requestId": "u", "subscriptionId": 12}})
        assert answer["unsubscribeResponse"]["statusCode"] == 400
        await client.connection.send(b"\xff\xfe not utf-8")  # a binary frame of garbage
        assert (await client.next())["response"]["statusCode"] == 400
        # After all that, the same connection subscribes and is notified as usual.
        await client.subscribe()
        assert [d["$id"] for d in await client.events(1)] == ["inc-a"]
        await client.connection.close()

    asyncio.run(scenario())
    assert "deep; at most 32" in caplog.text and f"refused (limit {MAX_REQUEST_CHARS})" in caplog.text
    assert "written twice" in caplog.text and "requestAccepts must be a string" in caplog.text


def test_a_message_far_over_the_limit_ends_only_that_connection(server, caplog):
    async def scenario():
        good = await Client.open(server)
        await good.subscribe()
        huge = await Client.open(server, max_size=None)
        with pytest.raises(ConnectionClosed):  # while sending, or on the next read: the server closed it
            await huge.send('{"subscribe": {"requestId": "' + "x" * (3 * 2**20) + '"}}')
            await asyncio.wait_for(huge.connection.recv(), 10)
        assert server.published(_document("inc-b", 1)) == 1, "the other subscriber is still served"
        assert [d["$id"] for d in await good.events(1)] == ["inc-b"]
        await good.connection.close()

    asyncio.run(scenario())
    for _ in range(100):  # the server logs it on its own thread, when that connection's handler ends
        if "connection closed (1009)" in caplog.text:
            break
        time.sleep(0.05)
    assert "connection closed (1009)" in caplog.text


class _Recorder(Outbox):
    def __init__(self):
        self.sent: list[dict] = []

    def put(self, text):
        self.sent.append(json.loads(text))
        return True

    def close(self, reason):
        raise AssertionError(f"closed: {reason}")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=4),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    ["requestId", "requestType", "requestSubType", "requestAccepts", "qualFilter", "qualFilterEvalPeriod",
     "subscriptionId", "incidentId", "unitId", "expires", "statusCode", "transactionId", "minRate", "maxRate"]
)  # fmt: skip
_REQUESTS = st.builds(
    lambda kind, body: {kind: body},
    st.sampled_from(["subscribe", "unsubscribe", "eventResponse", "terminateResponse", "other"]),
    st.dictionaries(_FIELDS, _JSON | st.sampled_from(["EIDO", "new", "single", "inc-a", "$.x"]), max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=_REQUESTS | _JSON)
def test_any_json_request_gets_a_standard_answer_and_never_a_server_error(message):
    notifier = EidoNotifier(clock=lambda: 0.0)
    notifier.documents["inc-a"] = {"$id": "inc-a"}
    notifier.payloads["inc-a"] = b'{"$id": "inc-a"}'
    outbox = _Recorder()
    notifier.handle(json.dumps(message), outbox, "fuzz")
    for reply in outbox.sent:
        ((kind, body),) = reply.items()
        if kind == "event":
            continue
        assert body["statusCode"] in KNOWN_CODES, reply
        assert isinstance(body["requestId"], str)
