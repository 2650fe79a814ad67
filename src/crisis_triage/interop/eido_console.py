"""The console as an EIDO notifier, when the config says so (``eido_listen`` and ``eido_token``).

One call from the console's start: :func:`with_eido_server` starts the server on its own thread and
wraps the journal so that each journalled event of a live call publishes the call's EIDO. Without
the settings the journal comes back unchanged and nothing listens.
"""

from __future__ import annotations

import logging
from typing import Any

from ..config import Settings
from ..protocol.compiled import Protocol
from .eido_feed import EidoFeed, FeedingJournal
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
    return FeedingJournal(journal, EidoFeed(server.publish, protocol)), server
