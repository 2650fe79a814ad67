"""The journal interface every record store implements, and an in-memory one.

The console appends each event and waits for :meth:`Journal.append` to return before it shows the
event's consequence: when ``append`` returns, the event is durable (for the SQLite store: committed
with synchronous=FULL). Practice calls use :class:`MemoryJournal` so nothing reaches live records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol as Interface

from ..engine.events import AnyEvent, CallEnded

OUTSIDE_SEQUENCE = 1_000_000
"""Events recorded on a call from outside the console that took it (a dispatcher's system, another
console, the follow-up queue) are numbered from here, so they never take a number the console will use."""


@dataclass(frozen=True)
class CallMeta:
    """Who took the call and with which protocol: stored with every event."""

    call_id: str
    console_id: str
    call_taker_id: str
    protocol_id: str
    protocol_version: str
    protocol_sha256: str
    protocol_file: str = ""
    practice: bool = False

    @staticmethod
    def new_call_id() -> str:
        return uuid.uuid4().hex


@dataclass(frozen=True)
class StoredEvent:
    event_id: str
    """Unique id: shipping to a centre's store is idempotent by it."""
    call_id: str
    sequence: int
    """1-based position of the event within its call."""
    event: AnyEvent


@dataclass(frozen=True)
class CallSummary:
    meta: CallMeta
    started_at: datetime
    last_at: datetime
    events: int
    ended: str | None


class JournalError(Exception):
    """A record store cannot be used; the message is meant for the call-taker or the operator."""


class Journal(Interface):
    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        """Record a new call and its first event (CallStarted)."""
        ...

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        """Make ``event`` durable; only then may the console show its consequence."""
        ...

    def events(self, call_id: str) -> list[AnyEvent]: ...

    def meta(self, call_id: str) -> CallMeta: ...

    def unfinished_calls(self, console_id: str | None = None) -> list[CallSummary]:
        """Calls with no CallEnded event (crash recovery offers these on start)."""
        ...

    def close(self) -> None: ...

    # Optional extras (every store in this package has them; code against them with getattr if a
    # third-party journal might not):
    #   problem: str | None   -- None while events go to the primary store; otherwise a message for
    #                            the call-taker saying where events are going instead (fallback).
    #   stored_events(call_id) -> list[StoredEvent]  -- the call's events with ids and sequence numbers.


@dataclass
class MemoryJournal:
    """Keeps events in memory: practice calls and tests. Nothing touches a disk."""

    calls: dict[str, CallMeta] = field(default_factory=dict)
    stored: dict[str, list[StoredEvent]] = field(default_factory=dict)
    problem: str | None = None
    """Always None: memory never fails (see :class:`Journal`)."""

    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        self.calls[meta.call_id] = meta
        self.stored[meta.call_id] = []
        return self.append(meta.call_id, first)

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        events = self.stored[call_id]
        record = StoredEvent(uuid.uuid4().hex, call_id, len(events) + 1, event)
        events.append(record)
        return record

    def events(self, call_id: str) -> list[AnyEvent]:
        return [s.event for s in self.stored.get(call_id, [])]

    def stored_events(self, call_id: str) -> list[StoredEvent]:
        return list(self.stored.get(call_id, []))

    def meta(self, call_id: str) -> CallMeta:
        return self.calls[call_id]

    def unfinished_calls(self, console_id: str | None = None) -> list[CallSummary]:
        result = []
        for call_id, meta in self.calls.items():
            events = self.stored[call_id]
            if console_id is not None and meta.console_id != console_id:
                continue
            if events and not any(isinstance(s.event, CallEnded) for s in events):
                result.append(CallSummary(meta, events[0].event.at, events[-1].event.at, len(events), None))
        return result

    def close(self) -> None:
        pass
