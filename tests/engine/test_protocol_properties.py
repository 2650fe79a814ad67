"""The clinical guarantees of the shipped protocol (issue 11), as properties over every call it can reach.

Each property walks calls as a call-taker would (the next question, any answer, sometimes an
interrupt) on the shipped Boston protocol and checks a line the protocol promises: imminent suicide
risk is never phone-only; chest pain or trouble breathing brings EMS or a clinician; a no-police
request with no safety risk sends no police; a call with no location can be dispatched and says so;
every door reaches every safety question; a withdrawn interrupt leaves no trace.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine import (
    Answered,
    CallSession,
    CallStarted,
    InterruptRecorded,
    InterruptWithdrawn,
    RecommendationAccepted,
    Skipped,
)
from crisis_triage.engine.evaluate import next_question
from crisis_triage.engine.views import dispatch_summary
from crisis_triage.protocol import load_protocol

BOSTON = load_protocol(Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml")
TZ = ZoneInfo("America/New_York")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAFETY_QUESTIONS = [q for q in BOSTON.questions if q.safety]


def answer_strategy(question, bias: dict[str, str] | None = None):
    """Any answer a call-taker can record; ``bias`` makes one answer likelier for some questions."""
    if question.type in ("yes_no", "choice"):
        options = st.sampled_from([o.id for o in question.options])
        if bias and question.id in bias:
            return st.one_of(st.just(bias[question.id]), options)
        return options
    if question.type == "multi":
        return st.lists(st.sampled_from([o.id for o in question.options]), unique=True, max_size=3)
    if question.type == "number":
        return st.integers(int(question.spec.min or 0), int(question.spec.max or 100))
    return st.sampled_from(["12 Dudley St", "Sam", "pills, an hour ago"])


def walk(draw, *, door=None, district="B2", bias=None, interrupts=(), skip_location=False, hour=14) -> CallSession:
    """One whole call: every next question answered (optional ones sometimes skipped)."""
    at = datetime(2026, 3, 10, hour, 0, tzinfo=TZ)
    door = door or draw(st.sampled_from(sorted(BOSTON.doors)), label="door")
    session = CallSession(BOSTON, CallStarted(at=at, door=door, line="e911", district=district))
    for interrupt in interrupts:
        session.apply(InterruptRecorded(at=at, interrupt=interrupt))
    # The cheap next-question walk between answers; the whole assessment is worked out once, at the end.
    while (question := next_question(BOSTON, session.state)) is not None:
        at += timedelta(seconds=10)
        if (question.id == "location" and skip_location) or (
            not question.spec.required and draw(st.integers(0, 4), label=f"skip {question.id}") == 0
        ):
            session.apply(Skipped(at=at, question=question.id))
        else:
            value = draw(answer_strategy(question, bias), label=question.id)
            session.apply(Answered(at=at, question=question.id, value=value))
    return session


# Answers that lead towards each guarantee's situation, so the properties are exercised often.
TOWARDS_IMMINENT = {
    "suicidal_thoughts": "yes",
    "intent": "yes",
    "plan": "yes",
    "means_access": "yes",
    "timing": "yes",
    "cannot_stay_safe": "yes",
    "attempt_now": "yes",
    "intent_to_die": "yes",
}
QUIET = {q.id: "no" for q in SAFETY_QUESTIONS if q.type == "yes_no"} | {"earlier_violence": "no"}


@SETTINGS
@given(data=st.data())
def test_imminent_suicide_risk_is_never_phone_only(data):
    session = walk(data.draw, bias=TOWARDS_IMMINENT)
    assessment = session.assessment
    if assessment.risk.suicide_level == "imminent":
        team = set(assessment.recommendation.team)
        assert team - {"call_line"}, team
        assert "ems" in team, team
        assert assessment.risk.band == "imminent"


@SETTINGS
@given(data=st.data(), answer=st.sampled_from(["yes", "unknown"]), interrupt=st.booleans())
def test_chest_pain_or_breathing_brings_ems_or_a_clinician(data, answer, interrupt):
    session = walk(
        data.draw, bias={"breathing_chest": answer, **QUIET}, interrupts=("chest_pain",) if interrupt else ()
    )
    team = set(session.assessment.recommendation.team)
    said = session.state.answers.get("breathing_chest")
    if interrupt or said == "yes":
        assert "ems" in team, team
    elif said == "unknown":
        assert team & {"ems", "emt", "clinician"}, team
        assert team != {"call_line"}


@SETTINGS
@given(data=st.data(), by_interrupt=st.booleans())
def test_a_no_police_request_without_safety_risk_sends_no_police(data, by_interrupt):
    bias = {**QUIET, "police_concern": "yes", "no_police": "yes"}
    session = walk(data.draw, bias=bias, interrupts=("no_police",) if by_interrupt else ())
    assessment = session.assessment
    if "no_police_requested" not in assessment.facts:
        return
    rec = assessment.recommendation
    if "safety_risk" in assessment.facts:
        # Overridden: the rationale says so, in the recommendation itself.
        assert "police" in rec.team
        assert any("asked for no police" in note["en"] for note in rec.notes), rec.notes
    else:
        assert "police" not in rec.team and "police" not in rec.notify, rec.team
        assert any("asked for no police" in note["en"] for note in rec.notes), rec.notes


@SETTINGS
@given(data=st.data(), reason=st.sampled_from(["refused", "does_not_know"]), hour=st.integers(0, 23))
def test_a_call_with_no_location_can_always_be_dispatched_and_carries_the_flag(data, reason, hour):
    session = walk(data.draw, district=None, bias={"location_search": reason}, skip_location=True, hour=hour)
    assessment = session.assessment
    if session.state.answers.get("location_search") != reason:
        return
    rec = assessment.recommendation
    assert "location_unknown" in assessment.facts
    assert rec.team and not rec.provisional
    # The model sent is one that can go without a district (no "no fallback left" step).
    assert all(step.from_model != step.to_model for step in rec.fallbacks), rec.fallbacks
    session.apply(RecommendationAccepted(at=session.state.now, model=rec.model, recommended=rec.model))
    assert "LOCATION UNKNOWN" in dispatch_summary(BOSTON, session.state, assessment)
    handoff = session.handoff()
    assert handoff is not None and "LOCATION UNKNOWN" in handoff.summary


@SETTINGS
@given(data=st.data())
def test_every_door_reaches_the_same_safety_questions(data):
    """The same answers through every door ask the same safety questions, in the same order."""
    chosen = {q.id: data.draw(answer_strategy(q), label=q.id) for q in BOSTON.questions if q.type != "text"}
    chosen |= {"location": "1 Main St", "caller_name": "Sam", "substance_details": "pills"}
    asked_by_door = {}
    for door in sorted(BOSTON.doors):
        at = datetime(2026, 3, 10, 14, 0, tzinfo=TZ)
        session = CallSession(BOSTON, CallStarted(at=at, door=door, line="e911", district="B2"))
        asked = []
        while (question := next_question(BOSTON, session.state)) is not None:
            at += timedelta(seconds=10)
            if question.safety:
                asked.append(question.id)
            session.apply(Answered(at=at, question=question.id, value=chosen[question.id]))
        asked_by_door[door] = asked
    first = next(iter(asked_by_door.values()))
    assert all(asked == first for asked in asked_by_door.values()), asked_by_door
    # Safety questions with no condition are asked behind every door.
    assert {q.id for q in SAFETY_QUESTIONS if q.when is None} <= set(first)


@SETTINGS
@given(data=st.data(), interrupt=st.sampled_from(sorted(BOSTON.interrupts)))
def test_a_withdrawn_interrupt_leaves_no_trace_in_the_recommendation(data, interrupt):
    session = walk(data.draw)
    at = session.state.now + timedelta(seconds=5)
    before = session.assessment
    if interrupt in session.state.interrupts:
        return
    session.apply(InterruptRecorded(at=at, interrupt=interrupt))
    session.apply(InterruptWithdrawn(at=at + timedelta(seconds=5), interrupt=interrupt, reason="recorded by mistake"))
    after = session.assessment
    assert after.recommendation == before.recommendation
    assert after.risk == before.risk and after.facts == before.facts
