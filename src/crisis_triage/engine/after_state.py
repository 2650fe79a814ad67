"""The part of a call's state that the events after the dispatch build (see :mod:`.aftercare`).

Kept apart from ``aftercare.py`` so that ``state.py`` holds it without importing the code that
reads a whole :class:`~crisis_triage.engine.state.CallState` (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .events_response import FOLLOW_UP_CLOSING, DispositionRecorded, FollowUpAttempted, HandoffOutcomeRecorded


@dataclass
class AfterDispatch:
    """What the events after the dispatch have established."""

    dispatched_at: datetime | None = None
    """When the team now responding was dispatched (a change of team restarts the response)."""
    dispatches: int = 0
    statuses: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(time, status, source) of the current team's response, in the order recorded."""
    disposition: DispositionRecorded | None = None
    """The latest disposition (a correction replaces an earlier one; both stay in the record)."""
    landed: HandoffOutcomeRecorded | None = None
    handoff_ended_at: datetime | None = None
    ended_at: datetime | None = None
    scheduled: dict[str, datetime] = field(default_factory=dict)
    """Follow-up rule -> when it is due."""
    attempts: list[FollowUpAttempted] = field(default_factory=list)
    acknowledged_at: datetime | None = None
    """When someone acted on the current team's overdue contact alert (ContactAlertAcknowledged)."""

    @property
    def status(self) -> str | None:
        """The response's latest status, by time (events from outside may arrive out of order); of
        two at the same moment, the one recorded later."""
        latest: tuple[datetime, str, str] | None = None
        for entry in self.statuses:
            if latest is None or entry[0] >= latest[0]:
                latest = entry
        return latest[1] if latest is not None else None

    def status_at(self, status: str) -> datetime | None:
        """When ``status`` was first reported for the current team."""
        return min((at for at, s, _ in self.statuses if s == status), default=None)

    def followup_done(self, rule: str) -> FollowUpAttempted | None:
        """The attempt that closed the follow-up ``rule``, if one did."""
        return next((a for a in self.attempts if a.rule == rule and a.outcome in FOLLOW_UP_CLOSING), None)
