"""The console's EIDO hooks, one call each from its start.

:func:`with_eido_server` makes the console an EIDO notifier when the config says so (``eido_listen``
and ``eido_token``): the server starts on its own thread and the journal is wrapped so that each
journalled event of a live call publishes the call's EIDO. Without the settings the journal comes
back unchanged and nothing listens. :func:`start_transferred_call` journals the opening of a call
that arrived as an EIDO, for the console to open.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ..config import Settings
from ..engine.session import CallSession
from ..protocol.compiled import Protocol
from ..store.journal import CallMeta
from .eido_feed import EidoFeed, FeedingJournal
from .eido_in import load_eido, opening_events, read_transfer
from .eido_server import EidoServer, ServerSettings

log = logging.getLogger("crisis_triage.eido")


def server_settings(settings: Settings, host: str, port: int) -> ServerSettings:
    return ServerSettings(
        host=host,
        port=port,
        token=settings.eido_token or "",
        certfile=settings.eido_tls_cert,
        keyfile=settings.eido_tls_key,
        client_ca=settings.eido_tls_client_ca,
    )


def with_eido_server(settings: Settings, journal: Any, protocol: Protocol | None) -> tuple[Any, EidoServer | None]:
    """(journal, server): the journal feeding a started server when configured, else (journal, None).

    Never stops the console: a server that cannot start is logged and the console runs without it."""
    if not settings.eido_listen or protocol is None:
        return journal, None
    host, _, port = settings.eido_listen.rpartition(":")
    try:
        server = EidoServer(server_settings(settings, host or "127.0.0.1", int(port))).start()
    except (OSError, ValueError, TimeoutError) as exc:
        log.error("the EIDO notifier did not start: %s", exc)
        return journal, None
    return FeedingJournal(journal, EidoFeed.for_server(server, protocol)), server


def start_transferred_call(
    source: str, settings: Settings, protocol: Protocol, journal: Any, context: Any, now: datetime
) -> str:
    """Journal the opening of a call transferred in as an EIDO (``call --from-eido``); returns its id.

    ``context`` gives the door, line, district and default language (a CallContext); the EIDO's
    language wins when the protocol has it. Raises :class:`EidoInError` for an unreadable EIDO and
    SessionError when its contents do not fit the protocol."""
    transfer = read_transfer(load_eido(source, token=settings.eido_token), protocol)
    events = opening_events(
        protocol,
        transfer,
        now,
        door=context.door,
        line=context.line,
        district=context.district,
        language=context.language or "en",
    )
    CallSession.replay(protocol, events)  # refused here, before anything is journalled
    meta = CallMeta(
        call_id=CallMeta.new_call_id(),
        console_id=settings.console_id,
        call_taker_id=settings.call_taker_id,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        protocol_sha256=protocol.sha256,
        protocol_file=protocol.file,
    )
    journal.start_call(meta, events[0])
    for event in events[1:]:
        journal.append(meta.call_id, event)
    return meta.call_id
