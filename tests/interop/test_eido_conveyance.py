"""EIDO conveyance (NENA-STA-024.1a) with real sockets on 127.0.0.1: the WebSocket notifier and the
retrieval service, driven by real clients."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from crisis_triage.engine import Answered, CallStarted, RecommendationAccepted
from crisis_triage.interop.eido_client import SubscribeError, subscribe, subscribe_request
from crisis_triage.interop.eido_feed import EidoFeed, FeedingJournal
from crisis_triage.interop.eido_notifier import Limits
from crisis_triage.interop.eido_server import EidoServer, ServerSettings
from crisis_triage.store.journal import CallMeta, MemoryJournal

TOKEN = "s3cret-token"


def _document(incident: str, version: int, padding: int = 0) -> dict:
    """A stand-in EIDO: the notifier only reads ``$id``."""
    return {
        "$id": incident,
        "lastUpdateTimeStamp": f"2026-03-10T12:00:{version:02d}Z",
        "pad": os.urandom(padding).hex(),
    }


@pytest.fixture
def server():
    running = EidoServer(
        ServerSettings(port=0, token=TOKEN, outbox_bytes=2**20, limits=Limits(default_expires=30, min_expires=1))
    ).start()
    yield running
    running.stop()


class Client:
    """A raw subscriber: sends the standard's requests, reads the notifier's messages in order."""

    def __init__(self, connection):
        self.connection = connection

    @classmethod
    async def open(cls, server, token=TOKEN, **options):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return cls(await connect(f"ws://127.0.0.1:{server.port}/", additional_headers=headers, **options))

    async def send(self, message) -> None:
        await self.connection.send(message if isinstance(message, str) else json.dumps(message))

    async def next(self) -> dict:
        return json.loads(await asyncio.wait_for(self.connection.recv(), 10))

    async def subscribe(self, incident_id=None, expires=None) -> str:
        await self.send(subscribe_request(incident_id, expires))
        answer = (await self.next())["subscribeResponse"]
        assert answer["statusCode"] == 200, answer
        return answer["subscriptionId"]

    async def events(self, count: int) -> list[dict]:
        found = []
        while len(found) < count:
            message = await self.next()
            assert "event" in message, message
            found.extend(message["event"]["notification"])
        return found


def test_subscribe_to_all_then_every_change_then_unsubscribe(server):
    server.published(_document("inc-a", 1))

    async def scenario():
        client = await Client.open(server)
        subscription = await client.subscribe()
        assert [d["$id"] for d in await client.events(1)] == ["inc-a"], "the current EIDO first"
        for version, incident in enumerate(["inc-a", "inc-b", "inc-a"], start=2):
            server.published(_document(incident, version))
            (received,) = await client.events(1)
            assert (received["$id"], received["lastUpdateTimeStamp"][-3:-1]) == (incident, f"{version:02d}")
        await client.send({"unsubscribe": {"requestId": "u1", "subscriptionId": subscription}})
        assert (await client.next())["unsubscribeResponse"] == {
            "requestId": "u1",
            "subscriptionId": subscription,
            "statusCode": 200,
            "statusText": "OK",
        }
        assert server.published(_document("inc-a", 9)) == 0, "no subscriber is left"
        await client.send({"unsubscribe": {"requestId": "u2", "subscriptionId": subscription}})
        assert (await client.next())["unsubscribeResponse"]["statusCode"] == 481, "the next message is no event"
        await client.connection.close()

    asyncio.run(scenario())


def test_subscribe_to_one_incident(server):
    server.published(_document("inc-a", 1))
    server.published(_document("inc-b", 1))

    async def scenario():
        client = await Client.open(server)
        await client.subscribe("inc-b")
        assert [d["$id"] for d in await client.events(1)] == ["inc-b"]
        server.published(_document("inc-a", 2))
        server.published(_document("inc-b", 3))
        assert [(d["$id"], d["lastUpdateTimeStamp"]) for d in await client.events(1)] == [
            ("inc-b", "2026-03-10T12:00:03Z")
        ]
        await client.send(subscribe_request("inc-none"))
        answer = (await client.next())["subscribeResponse"]
        assert (answer["statusCode"], answer["statusText"]) == (404, "Incident not found")
        await client.connection.close()

    asyncio.run(scenario())


def test_expiry_terminates_and_renewal_extends(server):
    async def scenario():
        client = await Client.open(server)
        subscription = await client.subscribe(expires=30)
        await client.send({"subscribe": {"requestId": "r1", "subscriptionId": subscription, "expires": 1}})
        renewed = (await client.next())["subscribeResponse"]
        assert (renewed["statusCode"], renewed["subscriptionId"], renewed["expires"]) == (200, subscription, 1)
        terminate = (await client.next())["terminate"]
        assert terminate["subscriptionId"] == subscription
        assert server.published(_document("inc-a", 1)) == 0
        await client.send({"subscribe": {"requestId": "r2", "subscriptionId": subscription}})
        assert (await client.next())["subscribeResponse"]["statusCode"] == 481
        await client.connection.close()

    asyncio.run(scenario())


def test_malformed_requests_get_the_standards_errors(server, caplog):
    async def scenario():
        client = await Client.open(server)
        await client.send("{not json")
        assert (await client.next())["response"]["statusCode"] == 400
        await client.send([1, 2])
        assert (await client.next())["response"]["statusCode"] == 400
        await client.send({"subscribe": {"requestId": "s1"}})
        assert (await client.next())["subscribeResponse"]["statusCode"] == 400
        await client.send({"subscribe": {"requestId": "s2", "requestType": "EIDO", "requestAccepts": "text/xml"}})
        assert (await client.next())["subscribeResponse"]["statusCode"] == 406
        await client.send({"subscribe": {"requestId": "s3", "requestType": "EIDO", "requestSubType": "resource"}})
        assert (await client.next())["subscribeResponse"]["statusCode"] == 400
        await client.send({"resourceDiscovery": {"requestId": "d1"}})
        assert (await client.next())["response"] == {
            "requestId": "d1",
            "statusCode": 501,
            "statusText": "Not implemented",
        }
        await client.send({"subscribe": {"requestId": "s4", "requestType": "EIDO", "expires": -5}})
        assert (await client.next())["subscribeResponse"]["statusCode"] == 400
        await client.connection.close()

    asyncio.run(scenario())
    logged = caplog.text
    assert "not JSON" in logged and "406" in logged and "not implemented" in logged


def test_no_token_no_service(server, caplog):
    async def scenario():
        for token in ("wrong", None):
            with pytest.raises(InvalidStatus) as refused:
                await Client.open(server, token=token)
            assert refused.value.response.status_code == 401
        with pytest.raises(SubscribeError, match="HTTP 401"):
            await subscribe(f"ws://127.0.0.1:{server.port}/", "wrong", lambda message: True)

    asyncio.run(scenario())
    assert "missing or wrong access token" in caplog.text
    with pytest.raises(ValueError, match="access token"):
        EidoServer(ServerSettings(port=0, token=""))


def test_retrieval_service_serves_the_current_eido(server):
    server.published(_document("urn:emergency:uid:incidentid:c1:ecc.boston.example", 4))
    base = f"http://127.0.0.1:{server.port}/EIDO/"

    def get(path, token=TOKEN):
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers["Content-Type"], json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], None

    status, content_type, document = get("urn%3Aemergency%3Auid%3Aincidentid%3Ac1%3Aecc.boston.example")
    assert (status, content_type) == (200, "application/emergency.eido+json")
    assert document["lastUpdateTimeStamp"] == "2026-03-10T12:00:04Z"
    assert get("urn:emergency:uid:incidentid:c1:ecc.boston.example")[0] == 200
    assert get("nope")[0] == 404
    assert get("urn:emergency:uid:incidentid:c1:ecc.boston.example", token="bad")[0] == 401
    assert get("urn:emergency:uid:incidentid:c1:ecc.boston.example", token=None)[0] == 401


def test_a_subscriber_that_stops_reading_is_cut_off_and_stalls_no_one(server, caplog):
    async def scenario():
        # max_queue=1: the client library stops reading the socket as soon as one message waits.
        stuck = await Client.open(server, max_queue=1)
        await stuck.subscribe()
        good = await Client.open(server)
        await good.subscribe()
        received = 0
        for version in range(120):
            server.published(_document("inc-a", version % 60, padding=100_000))
            received += len(await good.events(1))
        assert received == 120, "the reading subscriber got every change"
        assert len(server.notifier.subscriptions) == 1, "the stuck one was dropped"
        with pytest.raises(ConnectionClosed):
            for _ in range(200):
                await asyncio.wait_for(stuck.connection.recv(), 10)
        await good.connection.close()

    asyncio.run(scenario())
    assert "stopped reading" in caplog.text


def test_fifty_subscribers_each_get_every_change(server):
    async def scenario():
        clients = [await Client.open(server) for _ in range(50)]
        for client in clients:
            await client.subscribe()
        for version in range(3):
            assert server.published(_document("inc-a", version)) == 50
        for client in clients:
            assert [d["lastUpdateTimeStamp"][-3:-1] for d in await client.events(3)] == ["00", "01", "02"]
        await asyncio.gather(*(c.connection.close() for c in clients))

    asyncio.run(scenario())


def test_a_live_call_publishes_every_change(server, boston, noon):
    journal = FeedingJournal(MemoryJournal(), EidoFeed(server.publish, boston))
    meta = CallMeta("live-1", "console-1", "taker", boston.id, boston.version, boston.sha256, boston.file)
    received: list[dict] = []

    async def scenario():
        client = await Client.open(server)
        await client.subscribe()
        journal.start_call(meta, CallStarted(at=noon, door="self", line="e911", district="B2"))
        journal.append("live-1", Answered(at=noon + timedelta(seconds=10), question="location", value="1 Main St"))
        journal.append("live-1", Answered(at=noon + timedelta(seconds=20), question="weapon", value="yes"))
        rec = "co_response"
        journal.append("live-1", RecommendationAccepted(at=noon + timedelta(seconds=30), model=rec, recommended=rec))
        received.extend(await client.events(4))
        await client.connection.close()

    asyncio.run(scenario())
    assert {d["$id"] for d in received} == {"urn:emergency:uid:incidentid:live-1:ecc.boston.example"}
    assert [d["incidentComponent"]["incidentStatusCommonRegistryText"] for d in received] == [
        ["Active"],
        ["Active"],
        ["Active"],
        ["Active", "ResourcesAssigned"],
    ]
    assert received[2]["incidentComponent"]["incidentTypeCommonRegistryText"] == "WEAPON"
    assert journal.events("live-1")[-1].model == "co_response", "the journal itself is untouched"


def test_the_client_renews_before_expiry(server):
    server.published(_document("inc-a", 1))
    seen: list[dict] = []

    def on_message(message):
        seen.append(message)
        answers = [m for m in seen if "subscribeResponse" in m]
        return len(answers) == 2  # the first answer, then the renewal's

    asyncio.run(asyncio.wait_for(subscribe(f"ws://127.0.0.1:{server.port}/", TOKEN, on_message, expires=1), 20))
    kinds = [next(iter(m)) for m in seen]
    assert kinds == ["subscribeResponse", "event", "subscribeResponse"], kinds
    assert "terminate" not in kinds


def test_the_subscribe_command_prints_the_feed(server):
    from click.testing import CliRunner

    from crisis_triage.cli import cli

    server.published(
        {
            "$id": "urn:emergency:uid:incidentid:c9:ecc.boston.example",
            "lastUpdateTimeStamp": "2026-03-10T12:00:00-04:00",
            "incidentComponent": {
                "incidentTypeCommonRegistryText": "OD",
                "incidentStatusCommonRegistryText": ["Active"],
                "incidentPriorityInternalText": "imminent",
            },
        }
    )
    url = f"ws://127.0.0.1:{server.port}/"
    result = CliRunner().invoke(cli, ["eido", "subscribe", url, "--token", TOKEN, "--count", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "subscribeResponse 200 OK",
        "2026-03-10T12:00:00-04:00  urn:emergency:uid:incidentid:c9:ecc.boston.example  OD  Active  priority imminent",
    ]
    result = CliRunner().invoke(cli, ["eido", "subscribe", url, "--token", "nope", "--count", "1"])
    assert result.exit_code == 1 and "HTTP 401" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["eido", "subscribe", "http://x", "--token", TOKEN])
    assert result.exit_code == 2 and "ws://" in result.output


def test_serve_refuses_to_run_without_a_token():
    from click.testing import CliRunner

    from crisis_triage.cli import cli

    result = CliRunner().invoke(cli, ["eido", "serve", "--listen", "127.0.0.1:0"])
    assert result.exit_code == 1 and "nothing is served without one" in result.output


def test_the_store_poller_publishes_calls_that_changed(boston, noon):
    from crisis_triage.interop.eido_store_feed import StorePoller
    from crisis_triage.reporting.protocol_texts import ProtocolResolver
    from crisis_triage.store.opening import sqlite_path
    from crisis_triage.store.sqlite import SqliteJournal

    journal = SqliteJournal(sqlite_path())
    meta = CallMeta("stored-1", "console-1", "taker", boston.id, boston.version, boston.sha256, boston.file)
    journal.start_call(meta, CallStarted(at=noon, door="self", line="e911", district="B2"))
    published: list[dict] = []
    resolver = ProtocolResolver()
    resolver.add(boston)
    poller = StorePoller(journal, resolver, published.append)
    assert poller.poll() == 1 and poller.poll() == 0, "unchanged calls are not sent again"
    journal.append("stored-1", Answered(at=noon + timedelta(seconds=5), question="location", value="2 Elm St"))
    assert poller.poll() == 1
    assert published[-1]["locationComponent"][0]["locationDescriptionText"] == "2 Elm St"
    journal.close()


def test_a_new_subscriber_to_everything_gets_the_open_incidents_in_small_events(server):
    for n in range(45):
        server.published(_document(f"inc-{n}", 1))
    closed = _document("inc-closed", 1)
    closed["incidentComponent"] = {"incidentStatusCommonRegistryText": ["Closed"]}
    server.published(closed)

    async def scenario():
        client = await Client.open(server)
        await client.subscribe()
        sizes, ids = [], set()
        while len(ids) < 45:
            notification = (await client.next())["event"]["notification"]
            sizes.append(len(notification))
            ids.update(d["$id"] for d in notification)
        assert sizes == [20, 20, 5] and "inc-closed" not in ids
        await client.connection.close()

    asyncio.run(scenario())


def _certificates(folder):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")

    def run(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
    )
    for name, extra in (("server", "subjectAltName=IP:127.0.0.1"), ("client", "extendedKeyUsage=clientAuth")):
        run(
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={name}",
        )
        (folder / f"{name}.ext").write_text(extra + "\n", encoding="utf-8")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")  # fmt: skip
    return folder


def test_mutual_tls_demands_a_client_certificate_and_the_token(tmp_path):
    import ssl

    folder = _certificates(tmp_path)
    settings = ServerSettings(
        port=0,
        token=TOKEN,
        certfile=str(folder / "server.pem"),
        keyfile=str(folder / "server.key"),
        client_ca=str(folder / "ca.pem"),
    )
    running = EidoServer(settings).start()
    running.published(_document("inc-a", 1))
    url = f"wss://127.0.0.1:{running.port}/"

    def client_context(with_certificate: bool) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(folder / "ca.pem"))
        if with_certificate:
            context.load_cert_chain(str(folder / "client.pem"), str(folder / "client.key"))
        return context

    seen: list[dict] = []

    async def scenario():
        await subscribe(url, TOKEN, lambda m: seen.append(m) or "event" in m, ssl_context=client_context(True))
        with pytest.raises(SubscribeError, match=r"refused|cannot connect"):
            await subscribe(url, TOKEN, lambda m: True, ssl_context=client_context(False))
        with pytest.raises(SubscribeError, match="HTTP 401"):
            await subscribe(url, "wrong", lambda m: True, ssl_context=client_context(True))

    try:
        asyncio.run(scenario())
    finally:
        running.stop()
    assert [next(iter(m)) for m in seen] == ["subscribeResponse", "event"]
