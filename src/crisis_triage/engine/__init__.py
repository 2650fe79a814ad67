"""The triage engine: pure functions and one state object. Imports only ``crisis_triage.protocol``."""

from .assessment import Assessment, Recommendation, RiskAssessment
from .decide import assess, call_state, decide
from .evaluate import Decision, next_question
from .events import (
    Answered,
    AnyEvent,
    AvailabilityChanged,
    CallEnded,
    CallStarted,
    ContextChanged,
    HandoffEnded,
    HandoffStepDone,
    InterruptRecorded,
    InterruptWithdrawn,
    NoteAdded,
    RecommendationAccepted,
    Revised,
    Skipped,
    event_from_dict,
    event_from_json,
)
from .session import CallSession, SessionError, session_from_answers

__all__ = [
    "Answered",
    "AnyEvent",
    "Assessment",
    "AvailabilityChanged",
    "CallEnded",
    "CallSession",
    "CallStarted",
    "ContextChanged",
    "Decision",
    "HandoffEnded",
    "HandoffStepDone",
    "InterruptRecorded",
    "InterruptWithdrawn",
    "NoteAdded",
    "Recommendation",
    "RecommendationAccepted",
    "Revised",
    "RiskAssessment",
    "SessionError",
    "Skipped",
    "assess",
    "call_state",
    "decide",
    "event_from_dict",
    "event_from_json",
    "next_question",
    "session_from_answers",
]
