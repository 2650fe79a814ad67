"""The events of a call. Each is one immutable record; a call is rebuilt by replaying them.

The same classes are what the journal stores (as JSON through ``model_dump_json``) and what replay,
training and tests feed the engine. Every event carries the time it happened, passed in by whoever
created it: the engine never reads a clock.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from .event_base import AnswerValue, Event


class CallStarted(Event):
    kind: Literal["call_started"] = "call_started"
    door: str | None = None
    line: str | None = None
    district: str | None = None
    language: str = "en"


class ContextChanged(Event):
    """The door, line, district or language set or corrected mid-call."""

    kind: Literal["context_changed"] = "context_changed"
    door: str | None = None
    line: str | None = None
    district: str | None = None
    language: str | None = None


class Answered(Event):
    kind: Literal["answered"] = "answered"
    question: str
    value: AnswerValue


class Revised(Event):
    """An earlier answer changed; the engine recomputes everything from it."""

    kind: Literal["revised"] = "revised"
    question: str
    value: AnswerValue


class Skipped(Event):
    kind: Literal["skipped"] = "skipped"
    question: str


class InterruptRecorded(Event):
    """Critical information recorded out of order ("he has a knife")."""

    kind: Literal["interrupt"] = "interrupt"
    interrupt: str


class InterruptWithdrawn(Event):
    """An interrupt recorded by mistake, withdrawn with a reason (kept in the record)."""

    kind: Literal["interrupt_withdrawn"] = "interrupt_withdrawn"
    interrupt: str
    reason: str = ""


class NoteAdded(Event):
    kind: Literal["note"] = "note"
    text: str


class AvailabilityChanged(Event):
    """A response model became unavailable (or available again) for this call: team busy, car out."""

    kind: Literal["availability"] = "availability"
    model: str
    available: bool
    reason: str = ""
    source: Literal["call_taker", "centre"] = "call_taker"
    """Who said so: the call-taker (F8, for this call) or the centre's shared unit availability."""


class RecommendationAccepted(Event):
    """The call-taker dispatched: the recommended model, or another one with a reason (a departure)."""

    kind: Literal["accepted"] = "accepted"
    model: str
    recommended: str
    reason: str = ""


class HandoffStepDone(Event):
    kind: Literal["handoff_step"] = "handoff_step"
    step: str


class HandoffEnded(Event):
    kind: Literal["handoff_ended"] = "handoff_ended"
    outcome: str


class CallEnded(Event):
    kind: Literal["call_ended"] = "call_ended"
    outcome: str = "completed"


# Events defined in modules of their own (they subclass Event from event_base).
from .events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent  # noqa: E402
from .events_centre import SupervisorConsulted, UnitAssigned  # noqa: E402
from .events_eido import IncidentReceived  # noqa: E402
from .events_referrals import ReferralGiven  # noqa: E402
from .events_response import (  # noqa: E402
    ContactAlertAcknowledged,
    DispositionRecorded,
    FollowUpAttempted,
    FollowUpScheduled,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)

AnyEvent = Annotated[
    CallStarted
    | ContextChanged
    | Answered
    | Revised
    | Skipped
    | InterruptRecorded
    | InterruptWithdrawn
    | NoteAdded
    | AvailabilityChanged
    | RecommendationAccepted
    | HandoffStepDone
    | HandoffEnded
    | CallEnded
    | IncidentReceived
    | ResponseStatusChanged
    | DispositionRecorded
    | HandoffOutcomeRecorded
    | FollowUpScheduled
    | FollowUpAttempted
    | ContactAlertAcknowledged
    | UnitAssigned
    | SupervisorConsulted
    | RescueWithoutConsent
    | InterpreterRequested
    | InterpreterConnected
    | ReferralGiven,
    Field(discriminator="kind"),
]


@cache
def event_adapter() -> TypeAdapter[AnyEvent]:
    """The validator of the whole union, built on first use (~25 ms of schema building that the
    console's first screen does not need: only reading events back does)."""
    return TypeAdapter(AnyEvent)


def event_from_json(text: str | bytes) -> AnyEvent:
    """Parse one event written by ``event.model_dump_json()``."""
    return event_adapter().validate_json(text)


def event_from_dict(data: dict[str, Any]) -> AnyEvent:
    return event_adapter().validate_python(data)
