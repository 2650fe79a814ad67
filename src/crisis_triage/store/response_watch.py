"""The responses a console is still tracking, read from its record store: the active-calls list and
the overdue-contact alert come from here, never from a screen.

A call is active once a team is dispatched (or the call handed to the call line) until its response
is resolved (engine/aftercare.py: a disposition, or the handoff's end). Whatever recorded the events
(this console, ``records update`` on the same file, another console through the centre store, copied
in by :func:`copy_outside_events`), the state is the call replayed through its protocol, so the list
shows the same thing the record does.

Cost: the console asks every second or two. The store gives each call's event count and last time
cheaply (the ``calls`` table); a call is replayed only when those changed since the last look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..engine.aftercare import ContactWindow, contact_window, is_field_response, response_resolved
from ..engine.events import AnyEvent
from ..engine.session import CallSession, SessionError
from ..engine.state import CallState
from ..protocol.compiled import Protocol
from .journal import CallMeta, CallSummary, JournalError, StoredEvent
from .outside import outside_events, with_owed_followups

RECENT_CALLS = 200
"""Ended calls looked at (the most recent of this console): older unresolved responses are the
follow-up queue's and the supervisor's, not a live alert's."""


@dataclass(frozen=True)
class ActiveResponse:
    """One call whose response this console is tracking."""

    meta: CallMeta
    state: CallState
    field_team: bool
    """A team in the field (statuses apply); False for the call line (its landing applies)."""
    window: ContactWindow | None

    @property
    def call_id(self) -> str:
        return self.meta.call_id

    @property
    def model(self) -> str:
        return self.state.accepted[0] if self.state.accepted else ""

    @property
    def status(self) -> str | None:
        return self.state.after.status

    @property
    def since(self) -> datetime | None:
        """When the latest status was reported, else when the team was dispatched."""
        statuses = self.state.after.statuses
        if statuses:
            return max(at for at, _, _ in statuses)
        return self.state.after.dispatched_at

    def alerting(self, now: datetime) -> bool:
        """Contact is overdue and nobody has acted on it."""
        return self.window is not None and self.window.alerting(now)


def _key(summary: CallSummary) -> tuple[int, datetime]:
    return (summary.events, summary.last_at)


class ResponseWatch:
    """This console's active responses, kept up to date by :meth:`refresh`."""

    def __init__(self, journal: Any, protocol_for: Callable[[CallMeta], Protocol | None], console_id: str) -> None:
        self.journal = journal
        self.protocol_for = protocol_for
        self.console_id = console_id
        self._seen: dict[str, tuple[tuple[int, datetime], ActiveResponse | None]] = {}
        self.active: list[ActiveResponse] = []
        self.problem: str | None = None

    def _summaries(self) -> list[CallSummary]:
        found: dict[str, CallSummary] = {}
        lister = getattr(self.journal, "calls", None)
        recent = lister(console_id=self.console_id, limit=RECENT_CALLS) if callable(lister) else []
        for summary in list(self.journal.unfinished_calls(self.console_id)) + list(recent):
            if not summary.meta.practice:
                found.setdefault(summary.meta.call_id, summary)
        return list(found.values())

    def _read(self, summary: CallSummary, live: CallState | None = None) -> ActiveResponse | None:
        protocol = self.protocol_for(summary.meta)
        if protocol is None:
            return None
        if live is not None:
            state = live
        else:
            try:
                state = CallSession.replay(protocol, self.journal.events(summary.meta.call_id)).state
            except SessionError:
                return None
        if state.accepted is None or response_resolved(protocol, state):
            return None
        return ActiveResponse(summary.meta, state, is_field_response(protocol, state), contact_window(protocol, state))

    def refresh(self, live: dict[str, CallState] | None = None) -> list[ActiveResponse]:
        """Read the store again (replaying only calls that changed); oldest dispatch first. ``live``:
        the state of calls a call screen holds (the same events, already applied: no replay)."""
        live = live or {}
        try:
            summaries = self._summaries()
        except (JournalError, OSError) as exc:
            self.problem = f"could not read the active calls: {exc}"
            return self.active
        self.problem = None
        seen: dict[str, tuple[tuple[int, datetime], ActiveResponse | None]] = {}
        for summary in summaries:
            call_id = summary.meta.call_id
            cached = self._seen.get(call_id)
            if call_id in live:
                seen[call_id] = ((-1, summary.last_at), self._read(summary, live[call_id]))
                continue
            if cached is not None and cached[0] == _key(summary):
                seen[call_id] = cached
                continue
            seen[call_id] = (_key(summary), self._read(summary))
        self._seen = seen
        active = [a for _, a in seen.values() if a is not None]
        self.active = sorted(active, key=lambda a: (a.state.after.dispatched_at or a.state.started_at, a.call_id))
        return self.active

    def alerts(self, now: datetime) -> list[ActiveResponse]:
        """The active responses whose contact is overdue with nobody acting, most overdue first."""
        late = [a for a in self.active if a.alerting(now)]
        return sorted(late, key=lambda a: a.window.deadline if a.window else now)


def overdue_by(window: ContactWindow, now: datetime) -> timedelta:
    return now - window.deadline


def copy_outside_events(source: Any, target: Any, call_ids: Iterable[str]) -> int:
    """Copy the events recorded on ``call_ids`` from outside this console (``records update``, another
    console) from the centre store ``source`` into this console's store ``target``, with their ids and
    sequence numbers, so the console's list, alert and a resume see them. Idempotent by event id;
    returns how many were new."""
    added = 0
    for call_id in call_ids:
        try:
            meta = target.meta(call_id)
            known = {s.event_id for s in target.stored_events(call_id)}
        except KeyError:
            continue
        fresh: list[StoredEvent] = outside_events(source, call_id, known)
        if fresh:
            # A clash with a different event at the same number (a local ``records update`` took it)
            # is kept aside for a person to look at, never dropped and never fatal (insert_many).
            added += target.insert_many([(meta, record) for record in fresh])
    return added


def record_on_call(journal: Any, protocol: Protocol, call_id: str, events: Iterable[AnyEvent]) -> list[AnyEvent]:
    """Record ``events`` on one of this console's calls that no call screen holds (a response tracked
    from the active-calls list after the phone call ended): the call is replayed from ``journal``,
    each event checked against it (SessionError says why one does not fit, and nothing is written),
    then journalled in the console's own numbering with the follow-ups it makes owed."""
    session = CallSession.replay(protocol, journal.events(call_id))
    to_write = with_owed_followups(session, list(events))
    for event in to_write:
        journal.append(call_id, event)
    return to_write
