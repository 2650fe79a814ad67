"""Recording on a call from outside the console that took it: a dispatcher's system
(``records update``), another console of the centre, the follow-up queue.

The call is replayed through its protocol first, so an event that does not fit (a status before any
dispatch, an unknown disposition, a detail missing) is refused with the engine's own reason, and
any follow-up the new events make owed is journalled with them. Outside events are numbered from
:data:`~crisis_triage.store.journal.OUTSIDE_SEQUENCE`, so they never take a number the console that
took the call will use; two outside writers at once simply take the next free number.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..engine.session import CallSession
from .journal import OUTSIDE_SEQUENCE, JournalError, StoredEvent

if TYPE_CHECKING:
    from ..engine.events import AnyEvent
    from ..protocol.compiled import Protocol
    from ..protocol.directory import Directory

MAX_TRIES = 50
"""Sequence numbers tried before giving up (only concurrent outside writers on one call take them)."""


def with_owed_followups(session: CallSession, events: Sequence[AnyEvent]) -> list[AnyEvent]:
    """Apply ``events`` to ``session`` (raising SessionError if one does not fit) and return them
    with the FollowUpScheduled events they make owed, each right after the event that owed it."""
    result: list[AnyEvent] = []
    for event in events:
        session.apply(event)
        result.append(event)
        for owed in session.followups_owed():
            session.apply(owed)
            result.append(owed)
    return result


def record_outside(
    store: Any, protocol: Protocol, call_id: str, events: Sequence[AnyEvent], directory: Directory | None = None
) -> list[StoredEvent]:
    """Validate ``events`` against the call replayed through ``protocol``, then store them (and the
    follow-ups they make owed) in ``store`` (a SqliteJournal or a PostgresStore); return what was stored.
    A receiving service ("connected to care") is checked against ``directory`` when one is given.

    Raises SessionError if an event does not fit the call, KeyError if the call is not in the store.
    """
    meta = store.meta(call_id)
    stored = store.stored_events(call_id)
    session = CallSession.replay(protocol, [s.event for s in stored])
    session.directory = directory
    to_write = with_owed_followups(session, events)
    sequence = max((s.sequence for s in stored if s.sequence >= OUTSIDE_SEQUENCE), default=OUTSIDE_SEQUENCE - 1) + 1
    written = []
    for event in to_write:
        for _ in range(MAX_TRIES):
            record = StoredEvent(uuid.uuid4().hex, call_id, sequence, event)
            sequence += 1
            if store.insert_if_free(meta, record):
                written.append(record)
                break
        else:
            raise JournalError(f"no free sequence number for call {call_id} after {MAX_TRIES} tries")
    return written


def outside_events(store: Any, call_id: str, known: set[str]) -> list[StoredEvent]:
    """The call's events recorded from outside its console that are not in ``known`` (event ids),
    in sequence order: what a console applies when another console or a dispatcher's system records."""
    return [s for s in store.stored_events(call_id) if s.sequence >= OUTSIDE_SEQUENCE and s.event_id not in known]
