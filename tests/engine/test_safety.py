"""Nothing asked is not nothing found: open safety questions, and the answer an interrupt already gives."""

from __future__ import annotations

from crisis_triage.engine import Answered, CallSession, CallStarted, InterruptRecorded
from crisis_triage.engine.safety import interrupt_answer, not_assessed, open_safety_questions
from crisis_triage.engine.views import call_band_view, dispatch_summary, from_interrupt
from tests.tui.helpers import NOON, boston


def _call(*events):
    protocol = boston()
    session = CallSession(protocol, CallStarted(at=NOON, door="family", line="e911", district="B2"))
    for event in events:
        session.apply(event)
    return protocol, session


def test_before_any_question_every_safety_question_is_open_and_the_risk_is_not_known():
    protocol, session = _call()
    open_ids = [q.id for q in open_safety_questions(session.assessment)]
    assert "weapon" in open_ids and "violence" in open_ids
    assert not_assessed(protocol, session.assessment)
    assert "No risk found" not in call_band_view(protocol, session.assessment).label


def test_summaries_say_not_asked_never_no_risk_found():
    protocol, session = _call()
    handoff = session.handoff().summary
    assert "NOT ASKED (no risk ruled out):" in handoff and "Weapon" in handoff
    assert "No safety or medical risk found" not in handoff and "No risk found" not in handoff
    summary = dispatch_summary(protocol, session.state, session.assessment)
    assert "NOT ASKED (no risk ruled out):" in summary and "No safety or medical risk" not in summary


def test_an_interrupt_answers_its_question_and_settles_it():
    protocol, session = _call(InterruptRecorded(at=NOON, interrupt="weapon_seen"))
    weapon = protocol.question_by_id["weapon"]
    found = interrupt_answer(protocol, weapon, session.assessment.active_interrupts)
    assert (found.option, found.interrupt) == ("yes", "weapon_seen")
    assert "weapon" not in [q.id for q in open_safety_questions(session.assessment)]


def test_the_question_in_hand_shows_the_answer_an_interrupt_gave():
    protocol, session = _call(InterruptRecorded(at=NOON, interrupt="weapon_seen"))
    # Walk to the weapon question whatever comes before it in the protocol's order: a benign answer each.
    for _ in range(40):
        question = session.assessment.next_question
        if question is None or question.id == "weapon":
            break
        options = [o.id for o in question.options]
        value = "no" if "no" in options else options[0] if options else "1 Main St"
        if question.type == "multi":
            value = [options[-1]]
        elif question.type == "number":
            value = 30
        session.apply(Answered(at=NOON, question=question.id, value=value))
    assert session.assessment.next_question.id == "weapon"
    shown = from_interrupt(protocol, session.state, session.assessment)
    assert (shown.option, shown.option_label, shown.interrupt_label) == ("yes", "Yes", "Weapon seen or mentioned")
