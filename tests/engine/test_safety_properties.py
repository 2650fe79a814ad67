"""What must never happen, over every call the Boston protocol can reach.

Hypothesis walks the engine as a call-taker would: it picks each next question's answer (or skips an
optional one), records interrupts at random moments and sometimes withdraws them, revises earlier
answers, and varies the door, line, district, language, hour of day and which response models are
unavailable. After every event the safety lines are checked, not only at the end of the call.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine import AvailabilityChanged, CallSession, CallStarted, InterruptWithdrawn, event_from_json
from crisis_triage.engine.evaluate import decide_state, next_question
from crisis_triage.protocol import load_protocol

WEAPON_VIOLENCE_CRIME = {
    "weapon_present",
    "weapon_possible",
    "weapon_in_use",
    "violence_now",
    "threat_to_others",
    "crime_in_progress",
}
MEDICAL = {"medical_emergency", "overdose", "suicide_attempt_now"}
#: Every fact that makes the call a public-safety risk (the derived safety_risk and what it reads).
SAFETY_RISK = WEAPON_VIOLENCE_CRIME | {"child_at_risk", "safety_risk"}

BOSTON_TZ = ZoneInfo("America/New_York")
#: Loaded here rather than through the fixture so that a falsifying example prints only the draws.
BOSTON = load_protocol(Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml")
#: Interrupts, withdrawals, revisions and skips per call, at most: the call always reaches its end.
EXTRA_MOVES = 8


def check_safety_lines(assessment) -> None:
    facts = set(assessment.facts)
    team = assessment.recommendation.team
    if facts & WEAPON_VIOLENCE_CRIME:
        assert "police" in team, (sorted(facts), team)
    if facts & MEDICAL:
        assert "ems" in team, (sorted(facts), team)
    if not facts & SAFETY_RISK:
        assert "police" not in team, (sorted(facts), team)


def answer_strategy(question):
    if question.type in ("yes_no", "choice"):
        return st.sampled_from([o.id for o in question.options])
    if question.type == "multi":
        return st.lists(st.sampled_from([o.id for o in question.options]), unique=True, max_size=4)
    if question.type == "number":
        return st.integers(int(question.spec.min or 0), int(question.spec.max or 100))
    return st.text(alphabet="abc xyz", min_size=1, max_size=8).filter(str.strip)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_safety_lines_hold_for_every_reachable_call(data):
    boston = BOSTON
    draw = data.draw
    hour = draw(st.integers(0, 23), label="hour")
    at = datetime(2026, 3, 10, hour, draw(st.sampled_from([0, 30, 59])), tzinfo=BOSTON_TZ)
    session = CallSession(
        boston,
        CallStarted(
            at=at,
            door=draw(st.sampled_from([None, *boston.doors]), label="door"),
            line=draw(st.sampled_from([None, "e911", "alt_line"]), label="line"),
            district=draw(st.sampled_from([None, *boston.districts]), label="district"),
            language=draw(st.sampled_from(boston.languages), label="language"),
        ),
    )
    for model in draw(st.lists(st.sampled_from(sorted(boston.models)), unique=True, max_size=3), label="unavailable"):
        session.apply(AvailabilityChanged(at=at, model=model, available=False, reason="busy"))
    interrupts = sorted(boston.interrupts)
    check_safety_lines(session.assessment)
    extra = 0
    while (question := session.assessment.next_question) is not None:
        at += timedelta(seconds=15)
        move = draw(st.integers(0, 19), label="move") if extra < EXTRA_MOVES else 19
        extra += move <= 3
        if move == 0:
            session.interrupt(draw(st.sampled_from(interrupts), label="interrupt"), at)
        elif move == 1 and session.state.interrupts:
            withdrawn = draw(st.sampled_from(sorted(session.state.interrupts)), label="withdraw")
            session.apply(InterruptWithdrawn(at=at, interrupt=withdrawn, reason="recorded by mistake"))
        elif move == 2 and session.state.answers:
            earlier = boston.question_by_id[draw(st.sampled_from(sorted(session.state.answers)), label="revise")]
            session.answer(earlier.id, draw(answer_strategy(earlier), label="revised value"), at)
        elif move == 3 and not question.spec.required:
            session.skip(question.id, at)
        else:
            session.answer(question.id, draw(answer_strategy(question), label=question.id), at)
        check_safety_lines(session.assessment)
        # The cheap next-question walk (synthetic calls, path tools) agrees with the full one.
        assert next_question(boston, session.state) is session.assessment.next_question

    final = session.assessment
    assert final.next_question is None
    assert not final.recommendation.provisional
    # The same events always give the same result, also after a trip through JSON.
    assert CallSession.replay(boston, session.events).assessment == final
    from_json = [event_from_json(e.model_dump_json()) for e in session.events]
    assert CallSession.replay(boston, from_json).assessment == final
    # The decision-only path (compiled walk, no explanations) decides the same.
    rec = final.recommendation
    assert decide_state(boston, session.state) == (
        rec.model,
        rec.team,
        final.risk.band,
        final.risk.score,
        rec.preferred_model,
        bool(rec.fallbacks),
    )
