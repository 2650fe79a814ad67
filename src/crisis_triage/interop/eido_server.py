"""EIDO conveyance over the network (NENA-STA-024.1a): the WebSocket notifier and the EIDO retrieval
service on one port, with the ``websockets`` library.

* ``GET /EIDO/<incident id>``: the incident's current EIDO (the standard's dereference path).
* any other path: a WebSocket to the notifier (:mod:`.eido_notifier`).

Nothing is served without credentials: every request must carry ``Authorization: Bearer <token>``
(the token set in the config), and with a client CA configured the TLS handshake also demands a
client certificate (mutual TLS). A refused request gets 401 and is logged with its peer.

The server runs its own event loop on its own thread, so the console's loop never waits on a
subscriber: :meth:`EidoServer.publish` hands the document over and returns at once. A message to a
subscriber is written to its socket at once, on the server's loop, without a task per connection or
a wait for the peer (what makes a change reach 50 subscribers within milliseconds); a subscriber who
stops reading fills its connection's write buffer up to a bound, which ends that subscriber's
connection instead of holding anyone else up.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hmac
import json
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.protocol import State

from .eido_notifier import ACCEPTED_TYPES, EidoNotifier, Limits, Outbox

log = logging.getLogger("crisis_triage.eido")
RETRIEVAL_PREFIX = "/EIDO/"
#: Largest WebSocket message read from a subscriber; a larger one closes its connection (1009).
MAX_MESSAGE_BYTES = 2**20


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = ""
    """The bearer token every request must carry; the server refuses to start without one."""
    certfile: str | None = None
    keyfile: str | None = None
    client_ca: str | None = None
    """With a CA file, clients must also present a certificate it signed (mutual TLS)."""
    outbox_bytes: int = 8 * 2**20
    """Bytes waiting to be sent on one connection before a subscriber that stopped reading is cut off."""
    limits: Limits = field(default_factory=Limits)

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.certfile:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certfile, self.keyfile)
        if self.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.client_ca)
        return context


class _ConnectionOutbox(Outbox):
    """Writes each message to the connection's socket at once (on the server's loop, never waiting).

    ``broadcast`` is websockets' public way to write without awaiting the peer; what the socket does
    not take at once waits in the transport's buffer, and past ``limit`` bytes there the subscriber is
    taken to have stopped reading."""

    def __init__(self, connection: ServerConnection, limit: int):
        self.connection = connection
        self.limit = limit
        self.closed = False

    def put(self, text: str | bytes) -> bool:
        if self.closed or self.connection.state is not State.OPEN:
            return False
        if self.connection.transport.get_write_buffer_size() > self.limit:
            return False
        broadcast((self.connection,), text, text=True)  # bytes are UTF-8 JSON: a text frame
        return True

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = True
            # The peer may not be reading: do not wait for a closing handshake it will never answer.
            self.connection.transport.abort()
            log.warning("closed the connection of %s: %s", _peer(self.connection), reason)


def _peer(connection: ServerConnection) -> str:
    address = connection.remote_address
    return f"{address[0]}:{address[1]}" if address else "unknown peer"


def _json_response(status: int, reason: str, data: bytes, content_type: str = ACCEPTED_TYPES[0]) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(data))), ("Connection", "close")])
    return Response(status, reason, headers, data)


class EidoServer:
    """The notifier and the retrieval service, served from a thread of their own."""

    def __init__(self, settings: ServerSettings):
        if not settings.token:
            raise ValueError(
                "the EIDO server needs an access token (eido_token in the config): nothing is served without one"
            )
        self.settings = settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.notifier: EidoNotifier | None = None
        self.port: int | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stopped: asyncio.Event | None = None

    # -- from any thread ----------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> EidoServer:
        """Listen on a thread of its own; returns once listening (raises OSError if the port is taken)."""
        self._thread = threading.Thread(target=self._run, name="eido-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the EIDO server did not start")
        if self._failure is not None:
            raise self._failure
        return self

    def publish(self, document: dict[str, Any]) -> None:
        """Send the incident's new EIDO to its subscribers; returns at once, never waits for them."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._publish, document)

    def submit(self, work: Callable[[], object]) -> None:
        """Run ``work`` on the server's loop, after everything submitted before it; returns at once.

        The console's EIDO feed builds each EIDO this way, on the thread that sends it: one hand-over
        between threads per change instead of two (each can cost a GIL switch interval under load)."""
        if self.loop is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the server is stopping
                self.loop.call_soon_threadsafe(work)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until the work submitted so far has run (when the server is running)."""
        if self.loop is None or self.loop.is_closed() or self._stopped is None or self._stopped.is_set():
            return

        async def nothing() -> None:
            return None

        with contextlib.suppress(RuntimeError, TimeoutError, concurrent.futures.CancelledError):
            asyncio.run_coroutine_threadsafe(nothing(), self.loop).result(timeout)

    def publish_on_loop(self, document: dict[str, Any]) -> int:
        """Publish from work running on the server's loop (see :meth:`submit`): how many were sent it."""
        return self._publish(document)

    def published(self, document: dict[str, Any], timeout: float = 10.0) -> int:
        """Publish and wait until it is queued for every subscriber (tests, benchmarks): how many."""
        assert self.loop is not None

        async def run() -> int:
            return self._publish(document)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self) -> None:
        if self.loop is not None and self._stopped is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(10)

    # -- on the server's loop -----------------------------------------------------------------
    def _run(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as exc:  # reported to start(); a running server logs its own errors
            self._failure = exc
            self._ready.set()

    async def serve(self) -> None:
        """Serve until :meth:`stop` (or until cancelled: ``crisis-triage eido serve`` runs this)."""
        self.loop = asyncio.get_running_loop()
        self.notifier = EidoNotifier(clock=self.loop.time, limits=self.settings.limits)
        self._stopped = asyncio.Event()
        async with serve(
            self._connection,
            self.settings.host,
            self.settings.port,
            process_request=self._request,
            ssl=self.settings.ssl_context(),
            close_timeout=2,
            server_header="crisis-triage",
            # No per-message deflate: each subscriber's notification would be compressed separately,
            # which costs more time per change than the bytes it saves on a centre's network.
            compression=None,
            # Requests over MAX_REQUEST_CHARS get 413 from the notifier; far larger ones end the connection.
            max_size=MAX_MESSAGE_BYTES,
        ) as server:
            self._server = server
            self.port = next(iter(server.sockets)).getsockname()[1]
            log.info("EIDO notifier and retrieval service on %s:%d", self.settings.host, self.port)
            self._ready.set()
            expiry = asyncio.create_task(self._expire_subscriptions())
            try:
                await self._stopped.wait()
            finally:
                expiry.cancel()

    def _publish(self, document: dict[str, Any]) -> int:
        assert self.notifier is not None
        return self.notifier.publish(document)

    async def _expire_subscriptions(self) -> None:
        assert self.notifier is not None
        while True:
            self.notifier.expire()
            self.notifier.send_due()  # changes held by a subscriber's maxRate, and its minRate's resend
            times = [t for t in (self.notifier.next_expiry(), self.notifier.next_due()) if t is not None]
            now = asyncio.get_running_loop().time()
            delay = 1.0 if not times else max(0.01, min(1.0, min(times) - now))
            await asyncio.sleep(delay)

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self.settings.token.encode())

    def _request(self, connection: ServerConnection, request: Request) -> Response | None:
        if not self._authorised(request):
            log.warning("refused %s %s: missing or wrong access token", _peer(connection), request.path)
            response = connection.respond(401, "Unauthorized: an access token is required\n")
            response.headers["WWW-Authenticate"] = 'Bearer realm="eido"'
            return response
        if request.path.startswith(RETRIEVAL_PREFIX):
            assert self.notifier is not None
            incident_id = unquote(request.path[len(RETRIEVAL_PREFIX) :].split("?")[0])
            payload = self.notifier.payloads.get(incident_id)
            log.info("%s retrieved %s: %s", _peer(connection), incident_id, "found" if payload else "not found")
            if payload is None:
                error = json.dumps({"error": f"no incident {incident_id}"}).encode()
                return _json_response(404, "Not Found", error, "application/json")
            return _json_response(200, "OK", payload)
        return None  # the WebSocket handshake goes on

    async def _connection(self, connection: ServerConnection) -> None:
        assert self.notifier is not None
        peer = _peer(connection)
        outbox = _ConnectionOutbox(connection, self.settings.outbox_bytes)
        log.info("%s connected", peer)
        try:
            async for message in connection:
                self.notifier.handle(
                    message if isinstance(message, str) else message.decode("utf-8", "replace"), outbox, peer
                )
        except ConnectionClosed as exc:
            if exc.sent is not None and exc.sent.code == CloseCode.MESSAGE_TOO_BIG:
                log.warning("%s sent a message over %d bytes: connection closed (1009)", peer, MAX_MESSAGE_BYTES)
        finally:
            self.notifier.drop_outbox(outbox)
            outbox.closed = True
            log.info("%s disconnected", peer)
