"""Helpers for engine tests: answer the Boston protocol the way a call-taker would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crisis_triage.engine import CallSession, CallStarted
from crisis_triage.protocol import Protocol

#: A call with nothing wrong: every safety question answered "no".
QUIET = {
    "location": "12 Dudley St",
    "hurt_or_unresponsive": "no",
    "took_substance": "no",
    "attempt_now": "no",
    "weapon": "no",
    "violence": "no",
    "threats": "no",
    "crime": "no",
    "children": "no",
    "wish_dead": "no",
    "suicidal_thoughts": "no",
    "past_behaviour": "no",
}


def walk(
    protocol: Protocol,
    at: datetime,
    answers: dict[str, Any],
    *,
    door: str = "self",
    district: str = "C11",
    language: str = "en",
    default: str = "no",
) -> CallSession:
    """Ask every question in the engine's order; take the answer from ``answers``, else ``default`` (or skip)."""
    session = CallSession(protocol, CallStarted(at=at, door=door, district=district, language=language, line="e911"))
    while (question := session.assessment.next_question) is not None:
        if question.id in answers:
            session.answer(question.id, answers[question.id], at)
        elif question.type == "yes_no":
            session.answer(question.id, default, at)
        elif question.id == "past_behaviour":
            session.answer(question.id, "no", at)
        elif question.id == "location":
            session.answer(question.id, "12 Dudley St", at)
        else:
            session.skip(question.id, at)
    return session
