"""``crisis-triage eido serve``'s source: the record store, polled for calls that changed.

A centre runs the notifier beside its consoles: every poll lists the calls started in the window,
and each call with new events since the last poll is replayed through the protocol text it was
triaged with and published. A call that cannot be replayed is logged once, not at every poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..engine.session import CallSession, SessionError
from ..reporting.protocol_texts import ProtocolNotFound, ProtocolResolver
from .eido import eido_document

log = logging.getLogger("crisis_triage.eido")


class StorePoller:
    """Publishes the EIDO of every call whose events changed since the last :meth:`poll`."""

    def __init__(self, reader: Any, resolver: ProtocolResolver, publish: Callable[[dict[str, Any]], None]):
        self.reader = reader
        self.resolver = resolver
        self.publish = publish
        self.seen: dict[str, int] = {}
        """Events per call when it was last published (or last failed)."""

    def poll(self, since: datetime | None = None) -> int:
        """One pass over the calls started since ``since``; returns how many EIDOs were published."""
        published = 0
        for summary in self.reader.calls(since=since, newest_first=False):
            meta = summary.meta
            if meta.practice or self.seen.get(meta.call_id) == summary.events:
                continue
            self.seen[meta.call_id] = summary.events
            try:
                protocol = self.resolver.for_call(meta)
                session = CallSession.replay(protocol, self.reader.events(meta.call_id))
            except (ProtocolNotFound, SessionError) as exc:
                log.warning("call %s: no EIDO: %s", meta.call_id, exc)
                continue
            self.publish(eido_document(protocol, session, meta.call_id))
            published += 1
        return published
