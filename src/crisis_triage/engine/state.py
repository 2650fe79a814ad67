"""The facts of a call that the events have established so far (what the evaluation reads)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .after_state import AfterDispatch


@dataclass
class CallState:
    """Mutable accumulation of a call's events; :func:`evaluate` turns it into an Assessment."""

    started_at: datetime
    now: datetime
    door: str | None = None
    line: str | None = None
    district: str | None = None
    language: str = "en"
    answers: dict[str, Any] = field(default_factory=dict)
    """Latest answer per question id (answers to questions that stopped applying stay here)."""
    revised: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    interrupts: dict[str, datetime] = field(default_factory=dict)
    """Active interrupts and when each was recorded."""
    unavailable: dict[str, str] = field(default_factory=dict)
    """Models made unavailable for this call, with the reason."""
    notes: list[tuple[datetime, str]] = field(default_factory=list)
    accepted: tuple[str, str, str] | None = None
    """(model dispatched, model recommended, reason) once the call-taker accepted."""
    handoff_steps: dict[str, datetime] = field(default_factory=dict)
    handoff_outcome: str | None = None
    ended: str | None = None
    after: AfterDispatch = field(default_factory=AfterDispatch)
    """The response, disposition, handoff landing and follow-ups (engine/aftercare.py)."""
    supervisor_consulted: list[tuple[datetime, str, str]] = field(default_factory=list)
    """(when, who, note) for every supervisor consultation."""
    rescue_without_consent: tuple[datetime, str, str] | None = None
    """(when, reason, note) once help is sent without the person's consent."""
    interpreter_requested: tuple[datetime, str] | None = None
    """(when, language) once an interpreter is requested."""
    interpreter_connected: tuple[datetime, str] | None = None
    """(when, interpreter id) once the interpreter is on the line."""
    referrals: list[Any] = field(default_factory=list)
    """Referrals given on the call (ReferralGiven events), oldest first."""


class CallSetting(Protocol):
    """What the decision-only walk and the choice of response read of a call: a :class:`CallState`,
    or the lighter checked record :func:`crisis_triage.engine.decide.decide` builds."""

    @property
    def now(self) -> datetime: ...
    @property
    def door(self) -> str | None: ...
    @property
    def line(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def language(self) -> str: ...
    @property
    def answers(self) -> dict[str, Any]: ...
    @property
    def interrupts(self) -> dict[str, datetime]: ...
    @property
    def unavailable(self) -> dict[str, str]: ...
