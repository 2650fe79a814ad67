"""The grader, fed deliberately wrong trainee actions built from the perfect trainee's events."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.engine.events import (
    Answered,
    HandoffStepDone,
    InterruptRecorded,
    RecommendationAccepted,
    Revised,
)
from crisis_triage.training.grading import PASS_MARK, ExamResult, grade_call
from crisis_triage.training.runner import play_perfect


def perfect(boston, scenario):
    outcome = play_perfect(boston, scenario)
    assert outcome.error is None
    return list(outcome.events)


def without(events, kind, **fields):
    return [e for e in events if not (isinstance(e, kind) and all(getattr(e, k) == v for k, v in fields.items()))]


def dispatch_instead(events, model):
    """Replace the dispatch with ``model`` (the console's recommendation stays what it was)."""
    result = []
    for event in events:
        if isinstance(event, RecommendationAccepted):
            event = event.model_copy(update={"model": model})
        result.append(event)
    return result


def shift_from(events, index, seconds):
    """Delay every event from ``index`` on by ``seconds`` (a trainee who hesitated there)."""
    return events[:index] + [e.model_copy(update={"at": e.at + timedelta(seconds=seconds)}) for e in events[index:]]


def test_the_perfect_trainee_scores_full_marks_on_every_shipped_scenario(boston, library):
    for scenario in library.scenarios:
        grade = grade_call(boston, scenario, perfect(boston, scenario))
        if scenario.document.expect.disputed:
            continue  # the protocol's answer is the one the scenario disputes: graded against the scenario
        assert grade.score == 100, (scenario.id, grade.parts)
        assert not grade.critical and grade.passed
        assert all(a.verdict == "right" for a in grade.answers), scenario.id


def test_a_missed_interrupt_is_graded_missed(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = without(perfect(boston, knife), InterruptRecorded)
    grade = grade_call(boston, knife, events)
    (interrupt,) = grade.interrupts
    assert interrupt.verdict == "missed" and interrupt.recorded_at is None and interrupt.said_at is not None
    assert grade.parts["interrupts"] == 0
    # Without the interrupt the console recommended co-response: still police, so not critical, but wrong.
    assert grade.recommendation.dispatched == "police_emergency"


def test_a_slow_interrupt_is_timed_from_when_the_caller_said_it(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    index = next(i for i, e in enumerate(events) if isinstance(e, InterruptRecorded))
    slow = shift_from(events, index, 40)
    grade = grade_call(boston, knife, slow)
    (interrupt,) = grade.interrupts
    assert interrupt.verdict == "slow"
    assert interrupt.delay == 43.0  # 3 s (the perfect trainee) + 40 s hesitation
    assert grade.parts["interrupts"] == 10


def test_a_wrong_answer_is_named_with_what_the_caller_meant(boston, scenario):
    landlord = scenario("neighbour_threatens_landlord")
    events = [
        e.model_copy(update={"value": "no"}) if isinstance(e, Answered) and e.question == "threats" else e
        for e in perfect(boston, landlord)
    ]
    grade = grade_call(boston, landlord, events)
    threats = next(a for a in grade.answers if a.question == "threats")
    assert (threats.recorded, threats.meant, threats.verdict) == ("No", "Yes", "wrong")
    assert grade.parts["answers"] < 30
    step = next(s for s in grade.steps if s.kind == "question" and "threatened" in s.title)
    assert step.verdict == "wrong"


def test_a_vague_reply_accepts_the_defensible_alternative(boston, scenario):
    landlord = scenario("neighbour_threatens_landlord")
    events = [
        e.model_copy(update={"value": "unknown"}) if isinstance(e, Answered) and e.question == "weapon" else e
        for e in perfect(boston, landlord)
    ]
    grade = grade_call(boston, landlord, events)
    weapon = next(a for a in grade.answers if a.question == "weapon")
    assert weapon.verdict == "acceptable" and weapon.vague


def test_no_police_with_a_weapon_in_use_is_critical(boston, scenario):
    knife = scenario("knife_in_kitchen")
    grade = grade_call(boston, knife, dispatch_instead(perfect(boston, knife), "alternative_response"))
    assert grade.critical and not grade.passed
    assert grade.recommendation.missing_roles == ("police",)
    assert "Safety first" in grade.recommendation.critical_reasons[0]
    assert grade.parts["recommendation"] == 0
    assert next(s for s in grade.steps if s.kind == "dispatch").verdict == "critical"


def test_no_ems_with_a_medical_emergency_is_critical(boston, scenario):
    overdose = scenario("roommate_pills_overdose")
    grade = grade_call(boston, overdose, dispatch_instead(perfect(boston, overdose), "alternative_response"))
    assert grade.critical and "ems" in grade.recommendation.missing_roles


def test_an_acceptable_dispatch_is_half_marks_and_not_critical(boston, scenario):
    knife = scenario("knife_in_kitchen")
    grade = grade_call(boston, knife, dispatch_instead(perfect(boston, knife), "co_response"))
    assert grade.recommendation.verdict == "acceptable" and not grade.critical
    assert grade.parts["recommendation"] == 15


def test_sending_police_where_no_risk_is_wrong_but_not_critical(boston, scenario):
    voices = scenario("son_hears_voices_no_police")
    grade = grade_call(boston, voices, dispatch_instead(perfect(boston, voices), "co_response"))
    assert grade.recommendation.verdict == "wrong" and not grade.critical


def test_no_dispatch_at_all_on_a_call_that_needs_police_is_critical(boston, scenario):
    knife = scenario("knife_in_kitchen")
    grade = grade_call(boston, knife, without(perfect(boston, knife), RecommendationAccepted))
    assert grade.recommendation.verdict == "none" and grade.critical
    assert grade.seconds_to_dispatch is None and grade.parts["time"] == 0


def test_a_slow_dispatch_loses_time_points_in_proportion(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    index = next(i for i, e in enumerate(events) if isinstance(e, RecommendationAccepted))
    target = knife.document.targets.recommendation_seconds
    on_time = grade_call(boston, knife, events).seconds_to_dispatch
    slow = grade_call(boston, knife, shift_from(events, index, target - on_time + target / 2))
    assert slow.time_verdict == "slow" and slow.seconds_to_dispatch == target * 1.5
    assert slow.parts["time"] == 5.0


def test_missing_handoff_steps_are_listed(boston, scenario):
    panic = scenario("panic_wants_to_talk")
    events = without(perfect(boston, panic), HandoffStepDone, step="introduce")
    grade = grade_call(boston, panic, events)
    assert grade.handoff_missing == ("introduce",)
    assert grade.parts["handoff"] == 8.0


def test_a_correction_not_applied_is_a_wrong_answer_and_a_missed_overdose(boston, scenario):
    pills = scenario("pills_revealed_later")
    # The trainee ignores "I took a bunch of my sleeping pills": no revision, no interrupt, so the
    # overdose question the correction would have opened is never asked.
    events = [
        e
        for e in perfect(boston, pills)
        if not isinstance(e, (Revised, InterruptRecorded))
        and not (isinstance(e, Answered) and e.question == "overdose_signs")
    ]
    grade = grade_call(boston, pills, events)
    took = next(a for a in grade.answers if a.question == "took_substance")
    assert took.verdict == "wrong" and took.revised_by_caller and took.meant == "Yes"
    overdose = next(a for a in grade.answers if a.question == "overdose_signs")
    assert (overdose.recorded, overdose.verdict) == ("not asked", "missed")
    assert grade.interrupts[0].verdict == "missed"
    assert not grade.passed


def test_questions_answered_out_of_order_are_noted(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    first = next(i for i, e in enumerate(events) if isinstance(e, Answered) and e.question == "location")
    second = first + 1
    events[first], events[second] = (
        events[second].model_copy(update={"at": events[first].at}),
        events[first].model_copy(update={"at": events[second].at}),
    )
    grade = grade_call(boston, knife, events)
    assert "caller_name" in grade.out_of_order


def test_the_steps_walk_the_call_in_order_with_the_volunteered_statement(boston, scenario):
    knife = scenario("knife_in_kitchen")
    grade = grade_call(boston, knife, perfect(boston, knife))
    kinds = [s.kind for s in grade.steps]
    assert kinds.index("caller") < kinds.index("interrupt") < kinds.index("dispatch")
    assert [s.seconds for s in grade.steps] == sorted(s.seconds for s in grade.steps)
    assert "knife" in grade.steps[kinds.index("caller")].title


def test_each_step_says_what_the_console_showed_after_it(boston, scenario):
    knife = scenario("knife_in_kitchen")
    grade = grade_call(boston, knife, perfect(boston, knife))
    turned = [(s.kind, s.recommended) for s in grade.steps if s.turned]
    # "weapon: unknown" brought police in with a clinician; the knife in use made it a police emergency.
    assert turned == [("question", "Co-response (police + clinician)"), ("interrupt", "Police emergency response")]
    interrupt = next(s for s in grade.steps if s.kind == "interrupt")
    assert interrupt.band == "Imminent danger"
    assert all(not s.recommended for s in grade.steps if s.kind == "caller")


def test_grading_is_pure_and_repeatable(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    assert grade_call(boston, knife, events).to_dict() == grade_call(boston, knife, events).to_dict()


def test_an_exam_totals_its_calls(boston, scenario):
    knife, panic = scenario("knife_in_kitchen"), scenario("panic_wants_to_talk")
    good = grade_call(boston, panic, perfect(boston, panic))
    unsafe = grade_call(boston, knife, dispatch_instead(perfect(boston, knife), "call_line"))
    exam = ExamResult((good, unsafe))
    assert exam.total == good.score + unsafe.score
    assert exam.score == round((good.score + unsafe.score) / 2)
    assert exam.critical == 1 and not exam.passed
    assert ExamResult((good,)).passed and good.score >= PASS_MARK


def test_an_interrupt_recorded_then_withdrawn_counts_as_missed(boston, scenario):
    from crisis_triage.engine.events import InterruptWithdrawn

    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    index = next(i for i, e in enumerate(events) if isinstance(e, InterruptRecorded))
    withdrawn = InterruptWithdrawn(at=events[index].at + timedelta(seconds=2), interrupt="weapon_used", reason="oops")
    grade = grade_call(boston, knife, events[: index + 1] + [withdrawn] + shift_from(events[index + 1 :], 0, 2))
    assert grade.interrupts[0].verdict == "missed" and grade.missed_dangers == 1 and not grade.passed


def test_time_to_dispatch_counts_from_the_first_dispatch_and_the_last_is_graded(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    index = next(i for i, e in enumerate(events) if isinstance(e, RecommendationAccepted))
    early = RecommendationAccepted(
        at=events[0].at + timedelta(seconds=30), model="co_response", recommended="co_response"
    )
    grade = grade_call(boston, knife, events[:2] + [early] + events[2:])
    assert grade.seconds_to_dispatch == 30.0
    assert grade.recommendation.dispatched == "police_emergency" and grade.recommendation.verdict == "right"
    assert index  # the final dispatch is still there


def test_required_questions_left_pending_are_missed(boston, scenario):
    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    cut = [e for e in events if not (isinstance(e, Answered) and e.question in ("children", "violence"))]
    grade = grade_call(boston, knife, cut)
    missed = {a.question for a in grade.answers if a.verdict == "missed"}
    assert missed == {"children", "violence"}


def test_the_wrong_door_is_graded_and_its_questions_go_missing(boston, scenario):
    from crisis_triage.engine.events import CallStarted

    knife = scenario("knife_in_kitchen")
    events = perfect(boston, knife)
    # The trainee took the mother for the person in crisis: "self" skips "are you with the person?".
    events = [events[0].model_copy(update={"door": "self"})] + [
        e for e in events[1:] if not (isinstance(e, Answered) and e.question == "with_person")
    ]
    assert isinstance(events[0], CallStarted)
    grade = grade_call(boston, knife, events)
    door = grade.answers[0]
    assert (door.question, door.recorded, door.meant, door.verdict) == (
        "door",
        "The person in crisis",
        "Family member or friend",
        "wrong",
    )
    assert next(a for a in grade.answers if a.question == "with_person").verdict == "missed"
    assert grade.steps[0].kind == "door" and grade.steps[0].verdict == "wrong"


def test_a_wrong_house_number_is_a_wrong_location(boston, scenario):
    knife = scenario("knife_in_kitchen")

    def located(text):
        return [
            e.model_copy(update={"value": text}) if isinstance(e, Answered) and e.question == "location" else e
            for e in perfect(boston, knife)
        ]

    wrong = grade_call(boston, knife, located("24 Dakota St"))
    assert next(a for a in wrong.answers if a.question == "location").verdict == "wrong"
    short = grade_call(boston, knife, located("42 Dakota"))
    assert next(a for a in short.answers if a.question == "location").verdict == "right"
