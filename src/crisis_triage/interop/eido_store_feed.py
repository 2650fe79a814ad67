"""``crisis-triage eido serve``'s source: the record store, told of each call that gains events.

A centre runs the notifier beside its consoles. When the store can tell which calls changed as they
are stored (PostgreSQL LISTEN/NOTIFY, or a SQLite file's write order: store/event_feed.py), each
such call is read, replayed through the protocol text it was triaged with and published at once.
When it cannot (no LISTEN behind a pooler, the server away), every poll lists the calls started in
the window and publishes those with new events, as before. A call that cannot be replayed is logged
once, not at every look. A store that cannot be read (the server down, the file locked) does not stop
the notifier: subscribers keep what they were last sent, the store is tried again with a growing wait,
and once it answers it is looked at whole (a change stored meanwhile may not have been told).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..engine.session import CallSession, SessionError
from ..protocol.compiled import Protocol
from ..reporting.protocol_texts import ProtocolNotFound, ProtocolResolver
from ..store.event_feed import CallChanges
from ..store.journal import CallMeta, StoredEvent
from .eido import eido_document

log = logging.getLogger("crisis_triage.eido")

WHOLE_LOOK_WHILE_TOLD_S = 60.0
#: Waits before trying a store that could not be read again: the first, and the longest.
RETRY_FIRST_S, RETRY_LONGEST_S = 1.0, 30.0
"""While the store tells of changes, the whole store is still looked at this often (or every poll,
if that is longer): a safety net that costs one listing a minute."""
KEPT_SESSIONS = 256
"""Live calls whose sessions are kept between changes (a call changed less recently is replayed)."""
STOP_CHECK_S = 0.5
"""Longest wait before :func:`follow_store` sees it was asked to stop."""


@dataclass
class _Kept:
    """A call's session as of its last change told, and the events applied to it, in order."""

    protocol: Protocol
    session: CallSession
    event_ids: list[str]


class StorePoller:
    """Publishes the EIDO of every call whose events changed since it was last published."""

    def __init__(self, reader: Any, resolver: ProtocolResolver, publish: Callable[[dict[str, Any]], None]):
        self.reader = reader
        self.resolver = resolver
        self.publish = publish
        self.seen: dict[str, int] = {}
        """Events per call when it was last published (or last failed)."""
        self.metas: dict[str, CallMeta] = {}
        self.sessions: dict[str, _Kept] = {}
        """The sessions of the calls changed most recently, oldest change first."""

    def poll(self, since: datetime | None = None) -> int:
        """One pass over the calls started since ``since``; returns how many EIDOs were published."""
        published = 0
        for summary in self.reader.calls(since=since, newest_first=False):
            meta = summary.meta
            if meta.practice or self.seen.get(meta.call_id) == summary.events:
                continue
            self.seen[meta.call_id] = summary.events
            published += self._publish(meta, self.reader.events(meta.call_id))
        return published

    def refresh(self, call_ids: Iterable[str], since: datetime | None = None) -> int:
        """Publish the calls the store said changed (those started since ``since``); returns how many.

        One read a call: its events. The call's session is kept from the last change and only the new
        events are applied to it, when the events read start with the ones it has (a status recorded
        from outside is numbered after the console's own events, so a later console event can sort
        before it: then the call is replayed whole, in stored order, as :meth:`poll` does)."""
        published = 0
        for call_id in sorted(call_ids):
            stored = self.reader.stored_events(call_id)
            if not stored or self.seen.get(call_id) == len(stored):
                continue  # told twice of the same change (a notification and a whole look)
            if since is not None and stored[0].event.at < since:
                continue  # outside the window served, as in poll()
            meta = self.metas.get(call_id) or self.reader.meta(call_id)
            self.metas[call_id] = meta
            if meta.practice:
                continue
            self.seen[call_id] = len(stored)
            published += self._publish_change(meta, stored)
        return published

    def _publish_change(self, meta: CallMeta, stored: list[StoredEvent]) -> int:
        kept = self.sessions.pop(meta.call_id, None)
        ids = [s.event_id for s in stored]
        if kept is None or ids[: len(kept.event_ids)] != kept.event_ids:
            return self._publish(meta, [s.event for s in stored], ids)
        try:
            for record in stored[len(kept.event_ids) :]:
                kept.session.apply(record.event)
        except SessionError:
            return self._publish(meta, [s.event for s in stored], ids)  # replayed whole, and said if it fails
        self._keep(meta.call_id, _Kept(kept.protocol, kept.session, ids))
        self.publish(eido_document(kept.protocol, kept.session, meta.call_id))
        return 1

    def _keep(self, call_id: str, kept: _Kept) -> None:
        self.sessions[call_id] = kept
        while len(self.sessions) > KEPT_SESSIONS:
            self.sessions.pop(next(iter(self.sessions)))  # the one changed longest ago

    def _publish(self, meta: CallMeta, events: list, event_ids: list[str] | None = None) -> int:
        """Replay the call whole and publish its EIDO (keeping its session when ``event_ids`` are given)."""
        try:
            protocol = self.resolver.for_call(meta)
            session = CallSession.replay(protocol, events)
        except (ProtocolNotFound, SessionError) as exc:
            log.warning("call %s: no EIDO: %s", meta.call_id, exc)
            return 0
        if event_ids is not None:
            self._keep(meta.call_id, _Kept(protocol, session, event_ids))
        self.publish(eido_document(protocol, session, meta.call_id))
        return 1


def follow_store(
    poller: StorePoller,
    changes: CallChanges | None,
    *,
    poll_s: float,
    hours: float,
    stop: threading.Event | None = None,
) -> None:
    """Publish every change of the store's calls until ``stop`` is set (or forever).

    Each change the store tells of is published as soon as it is heard; the whole store is looked at
    first, whenever a change may have gone unheard, every ``poll_s`` while the store cannot tell,
    and every :data:`WHOLE_LOOK_WHILE_TOLD_S` (or ``poll_s``, if longer) while it can."""
    stop = stop or threading.Event()
    next_whole_look = 0.0
    told = False
    """Changes are being told, and the store was looked at whole since they were first."""
    outage: _Outage | None = None
    while not stop.is_set():
        since = datetime.now().astimezone() - timedelta(hours=hours)
        now = time.monotonic()
        if now >= next_whole_look:
            outage = _read(outage, poller.poll, since)
            if outage is not None:
                told = False  # changes told meanwhile may be lost: look at the whole store once it answers
                next_whole_look = now + outage.wait_s
            else:
                if not told and changes is not None and changes.pushing:
                    told = True
                    log.info("the store tells of each change as it is stored: sent to subscribers at once")
                next_whole_look = now + (max(poll_s, WHOLE_LOOK_WHILE_TOLD_S) if told else poll_s)
        if outage is not None:  # waiting to try the store again: nothing it tells can be read
            stop.wait(min(STOP_CHECK_S, max(0.0, next_whole_look - time.monotonic())))
            continue
        wait_s = min(STOP_CHECK_S, max(0.0, next_whole_look - time.monotonic()))
        if changes is None:
            stop.wait(wait_s)
            continue
        changed = changes.wait(wait_s)
        if changed is None:
            told = False
            if changes.pushing:
                next_whole_look = 0.0  # told from now on, but something may have gone unheard: look now
            else:
                next_whole_look = min(next_whole_look, time.monotonic() + poll_s)  # back to polling
        elif changed:
            outage = _read(None, poller.refresh, changed, since)
            if outage is not None:
                told = False
                next_whole_look = time.monotonic() + outage.wait_s


def _read(outage: _Outage | None, read: Callable[..., object], *args: Any) -> _Outage | None:
    """Run one read of the store, ``read(*args)``; the outage as it stands after it (None: the store
    answered). A fault that is not the store being unreadable is raised as it came."""
    try:
        read(*args)
    except Exception as exc:
        if not store_unreadable(exc):
            raise
        return _Outage.after(outage, exc)
    if outage is not None:
        log.warning("the store can be read again (after %.0f s): looked at whole", outage.lasted_s())
    return None


def store_unreadable(exc: BaseException) -> bool:
    """True when ``exc`` says the store cannot be read now (a server away, a connection cut, a file
    locked or gone), not that something is wrong with this program."""
    if isinstance(exc, (sqlite3.OperationalError, ConnectionError)):
        return True
    psycopg = sys.modules.get("psycopg")  # loaded only with a centre store
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


@dataclass
class _Outage:
    """A store that cannot be read: since when, and how long to wait before the next try."""

    since: float
    wait_s: float

    @classmethod
    def after(cls, outage: _Outage | None, exc: BaseException) -> _Outage:
        """The outage as it stands after another failed read (logged once when it starts)."""
        if outage is None:
            log.warning(
                "the store cannot be read (%s): subscribers keep the EIDOs last sent; trying again",
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            )
            return cls(time.monotonic(), RETRY_FIRST_S)
        return cls(outage.since, min(outage.wait_s * 2, RETRY_LONGEST_S))

    def lasted_s(self) -> float:
        return time.monotonic() - self.since
