"""The engine on the Boston protocol: order, doors, revisions, skips, interrupts, fallbacks, guarantees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from boston_calls import QUIET, walk

from crisis_triage.engine import (
    AvailabilityChanged,
    CallEnded,
    CallSession,
    CallStarted,
    ContextChanged,
    InterruptRecorded,
    InterruptWithdrawn,
    NoteAdded,
    SessionError,
    session_from_answers,
)
from crisis_triage.protocol import parse_protocol


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """These tests pin the engine's mechanics to exact questions: the frozen 2026.11.1 protocol."""
    return boston_2026_11


@pytest.fixture(scope="session")
def boston_text(boston_2026_11_text):
    """These tests edit exact lines of the protocol: the frozen 2026.11.1 text."""
    return boston_2026_11_text


SAFETY_ORDER = [
    "hurt_or_unresponsive",
    "took_substance",
    "overdose_signs",
    "attempt_now",
    "weapon",
    "violence",
    "threats",
    "crime",
    "children",
    "wish_dead",
    "suicidal_thoughts",
    "method",
    "intent",
    "plan",
    "past_behaviour",
]


def start(boston, noon, **context) -> CallSession:
    context.setdefault("door", "self")
    context.setdefault("district", "C11")
    return CallSession(boston, CallStarted(at=noon, **context))


# -- order and doors -------------------------------------------------------------------------------
def test_questions_come_in_protocol_order_and_next_is_the_first_pending(boston, noon):
    session = start(boston, noon)
    asked = [a.question.id for a in session.assessment.asked]
    assert asked == ["location", "caller_name"] + SAFETY_ORDER + [
        "presentation",
        "provider",
        "police_concern",
        "support_choice",
    ]
    assert session.assessment.next_question.id == "location"
    session.answer("location", "12 Dudley St", noon)
    assert session.assessment.next_question.id == "caller_name"
    session.skip("caller_name", noon)  # optional
    assert session.assessment.next_question.id == "hurt_or_unresponsive"
    session.answer("hurt_or_unresponsive", "no", noon)
    session.answer("took_substance", "no", noon)
    assert session.assessment.next_question.id == "attempt_now"  # overdose_signs no longer applies


def test_safety_questions_come_before_the_situation_whatever_the_door(boston, noon):
    for door in boston.doors:
        asked = [a.question.id for a in start(boston, noon, door=door).assessment.asked]
        assert [q for q in asked if q in SAFETY_ORDER] == SAFETY_ORDER  # no wrong door
        assert asked.index("hurt_or_unresponsive") < asked.index("presentation")


def test_door_specific_question(boston, noon):
    assert "with_person" not in [a.question.id for a in start(boston, noon, door="self").assessment.asked]
    for door in ("family", "bystander", "professional"):
        assert "with_person" in [a.question.id for a in start(boston, noon, door=door).assessment.asked]


def test_follow_up_questions_appear_with_the_answer_that_opens_them(boston, noon):
    session = start(boston, noon)
    assert "weapon_use" not in [a.question.id for a in session.assessment.asked]
    session.answer("weapon", "yes", noon)
    assert "weapon_use" in [a.question.id for a in session.assessment.asked]
    session.answer("suicidal_thoughts", "no", noon)
    assert {"method", "intent", "plan"}.isdisjoint(a.question.id for a in session.assessment.asked)


def test_support_choice_is_asked_only_without_risk(boston, noon):
    quiet = walk(boston, noon, {})
    assert "support_choice" in [a.question.id for a in quiet.assessment.asked]
    risky = walk(boston, noon, {"threats": "yes"})
    assert "support_choice" not in [a.question.id for a in risky.assessment.asked]


# -- revisions, skips, bad events ------------------------------------------------------------------
def test_revision_recomputes_and_drops_answers_that_no_longer_apply(boston, noon):
    session = walk(boston, noon, {"took_substance": "yes", "overdose_signs": "yes"})
    before = session.assessment
    assert before.recommendation.model == "emergency_medical"
    assert {"overdose", "medical_emergency", "intoxicated"} <= set(before.facts)
    assert before.risk.band == "imminent"

    after = session.answer("took_substance", "no", noon + timedelta(minutes=2))
    assert [(d.question.id, d.value) for d in after.dropped] == [("overdose_signs", "yes")]
    assert "overdose_signs" not in [a.question.id for a in after.asked]
    assert not {"overdose", "medical_emergency", "intoxicated"} & set(after.facts)
    assert after.recommendation.model != "emergency_medical"
    assert next(a for a in after.asked if a.question.id == "took_substance").revised
    # The revision is an event of its own: the record keeps both answers.
    assert [e.kind for e in session.events].count("revised") == 1


def test_a_dropped_answer_comes_back_when_the_question_applies_again(boston, noon):
    session = walk(boston, noon, {"weapon": "yes", "weapon_use": "yes"})
    assert session.assessment.recommendation.model == "police_emergency"
    session.answer("weapon", "no", noon)
    assert [d.question.id for d in session.assessment.dropped] == ["weapon_use"]
    session.answer("weapon", "yes", noon)
    assert session.assessment.dropped == ()
    assert "weapon_in_use" in session.assessment.facts


def test_skipping_a_required_question_raises_and_changes_nothing(boston, noon):
    session = start(boston, noon)
    events = session.events
    with pytest.raises(SessionError, match='"weapon" is required and cannot be skipped; record "unknown"'):
        session.skip("weapon", noon)
    assert session.events == events
    session.skip("police_concern", noon)
    assert next(a for a in session.assessment.asked if a.question.id == "police_concern").status == "skipped"


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("weapon", "maybe", 'not an answer to "weapon"'),
        ("wepon", "yes", 'did you mean "weapon"'),
        ("presentation", ["voices", "shouting"], 'not an option of "presentation"'),
        ("location", 3, "takes text"),
        ("past_behaviour", "past_3_month", 'did you mean "past_3_months"'),
    ],
)
def test_an_answer_the_protocol_cannot_take_raises(boston, noon, question, value, message):
    session = start(boston, noon)
    with pytest.raises(SessionError, match=message):
        session.answer(question, value, noon)
    assert len(session.events) == 1


def test_bad_context_and_ended_calls(boston, noon):
    session = start(boston, noon)
    with pytest.raises(SessionError, match="unknown district"):
        session.apply(ContextChanged(at=noon, district="Z9"))
    with pytest.raises(SessionError, match="before the call started"):
        session.apply(NoteAdded(at=noon - timedelta(hours=1), text="early"))
    session.apply(CallEnded(at=noon))
    with pytest.raises(SessionError, match="only notes"):
        session.answer("weapon", "no", noon)
    session.note("Caller called back to say thanks", noon)


def test_json_true_answers_mean_yes(boston, noon):
    session = session_from_answers(boston, {"weapon": True, "violence": False}, at=noon, door="self")
    assert session.state.answers["weapon"] == "yes" and session.state.answers["violence"] == "no"
    assert session.events[1].value == "yes"  # the event itself holds the answer word


def test_provisional_until_every_required_question_is_answered(boston, noon):
    session = start(boston, noon)
    assert session.assessment.recommendation.provisional
    finished = walk(boston, noon, {})
    assert finished.assessment.complete and not finished.assessment.recommendation.provisional


# -- interrupts ------------------------------------------------------------------------------------
def test_interrupt_sets_the_fact_lifts_the_band_and_brings_police(boston, noon):
    session = walk(boston, noon, {})
    assert "police" not in session.assessment.recommendation.team
    assessment = session.interrupt("weapon_seen", noon)
    assert assessment.facts["weapon_present"] == ("interrupt:weapon_seen",)
    assert assessment.risk.band == "high"
    assert any(o.at_least == "high" and "weapon" in o.condition for o in assessment.risk.overrides)
    assert assessment.recommendation.model == "co_response" and "police" in assessment.recommendation.team
    assert assessment.active_interrupts == ("weapon_seen",)


def test_withdrawn_interrupt_stops_counting(boston, noon):
    session = walk(boston, noon, {})
    session.interrupt("overdose", noon)
    assert session.assessment.recommendation.model == "emergency_medical"
    session.apply(InterruptWithdrawn(at=noon, interrupt="overdose", reason="misheard"))
    assert "overdose" not in session.assessment.facts
    assert session.assessment.recommendation.model == "call_line"
    assert session.assessment.active_interrupts == ()


def test_an_answer_contradicting_an_interrupt_warns_and_the_fact_stays(boston, noon):
    session = start(boston, noon)
    session.interrupt("violence", noon)
    session.answer("violence", "no", noon)
    assessment = session.assessment
    assert "violence_now" in assessment.facts
    assert len(assessment.warnings) == 1 and '"Violence now" was answered no' in assessment.warnings[0]
    assert '"violence"' not in assessment.warnings[0]  # labels, never internal ids
    assert assessment.recommendation.model == "police_emergency"


def test_unknown_interrupt_raises(boston, noon):
    with pytest.raises(SessionError, match="unknown interrupt"):
        start(boston, noon).apply(InterruptRecorded(at=noon, interrupt="fire"))


# -- risk ------------------------------------------------------------------------------------------
def test_risk_lists_every_contribution_and_override(boston, noon):
    session = walk(
        boston,
        noon,
        {
            "weapon": "unknown",
            "wish_dead": "yes",
            "suicidal_thoughts": "yes",
            "method": "yes",
            "intent": "no",
            "plan": "no",
        },
    )
    risk = session.assessment.risk
    assert {(c.question.id, c.points) for c in risk.contributions} == {
        ("weapon", 3),
        ("wish_dead", 1),
        ("suicidal_thoughts", 2),
        ("method", 2),
    }
    assert risk.score == 8 and risk.points_band == "elevated"
    assert risk.suicide_level == "method"
    assert [o.at_least for o in risk.overrides] == ["elevated"]  # weapon not ruled out
    assert "weapon_possible" in session.assessment.facts
    # weapon unknown is a safety risk: police with a clinician
    assert session.assessment.recommendation.model == "co_response"


def test_unknown_is_scored_conservatively(boston, noon):
    unknown = walk(boston, noon, {}, default="unknown")
    assert unknown.assessment.risk.band in ("high", "imminent")
    assert "police" in unknown.assessment.recommendation.team
    # "Any doubt about an overdose is a medical emergency": unknown there brings EMS.
    assert unknown.assessment.facts["medical_emergency"] == ("question:overdose_signs",)
    assert "ems" in unknown.assessment.recommendation.team
    assert "overdose" not in unknown.assessment.facts  # not recorded as a confirmed overdose


# -- recommendation, fallbacks, availability -------------------------------------------------------
def _wants_visit(boston, at, district="C11"):
    return walk(boston, at, {"support_choice": "visit"}, district=district)


def test_community_led_inside_its_hours_and_districts(boston, noon):
    rec = _wants_visit(boston, noon).assessment.recommendation
    assert (rec.model, rec.rule, rec.fallbacks) == ("community_led", "low_risk_wants_visit", ())
    assert rec.team == ("peer",) and "police" not in rec.team


def test_community_led_outside_its_hours_falls_back_with_the_reason(boston, noon):
    rec = _wants_visit(boston, noon.replace(hour=23)).assessment.recommendation
    assert (rec.preferred_model, rec.model) == ("community_led", "alternative_response")
    [step] = rec.fallbacks
    assert (step.from_model, step.to_model) == ("community_led", "alternative_response")
    assert "outside its hours 10:00-22:00" in step.reason
    assert any(r.model == "community_led" and "unavailable" in r.reason for r in rec.ruled_out)


def test_community_led_outside_its_districts_falls_back(boston, noon):
    rec = _wants_visit(boston, noon, district="A1").assessment.recommendation
    assert rec.model == "alternative_response"
    assert "not offered in district A1" in rec.fallbacks[0].reason


def test_hours_edges(boston, noon):
    assert _wants_visit(boston, noon.replace(hour=10, minute=0)).assessment.recommendation.model == "community_led"
    assert _wants_visit(boston, noon.replace(hour=21, minute=59)).assessment.recommendation.model == "community_led"
    assert (
        _wants_visit(boston, noon.replace(hour=22, minute=0)).assessment.recommendation.model == "alternative_response"
    )
    assert (
        _wants_visit(boston, noon.replace(hour=9, minute=59)).assessment.recommendation.model == "alternative_response"
    )


def test_availability_changed_makes_co_response_fall_back_to_police(boston, noon):
    session = walk(boston, noon, {"threats": "yes"})
    assert session.assessment.recommendation.model == "co_response"
    session.apply(
        AvailabilityChanged(at=noon, model="co_response", available=False, reason="both BEST clinicians on calls")
    )
    rec = session.assessment.recommendation
    assert (rec.preferred_model, rec.model) == ("co_response", "police_emergency")
    assert rec.fallbacks[0].reason == "both BEST clinicians on calls"
    session.apply(AvailabilityChanged(at=noon, model="co_response", available=True))
    assert session.assessment.recommendation.model == "co_response"


def test_ruled_out_models_say_why(boston, noon):
    rec = walk(boston, noon, {}).assessment.recommendation
    assert rec.model == "call_line" and rec.handoff
    reasons = {r.model: r.reason for r in rec.ruled_out}
    assert set(reasons) == set(boston.models) - {"call_line"}
    assert reasons["police_emergency"].startswith('rule "danger_now" does not apply (')
    assert "weapon in use or pointed at someone: no" in reasons["police_emergency"]


def test_deciding_values_name_what_chose_the_rule(boston, noon):
    rec = walk(boston, noon, {"weapon": "yes", "weapon_use": "yes"}).assessment.recommendation
    assert rec.rule == "danger_now" and dict(rec.deciding_values) == {"weapon_in_use": True, "violence_now": False}


def test_additions_ems_for_a_violent_overdose_and_call_line_for_high_risk(boston, noon):
    rec = walk(
        boston, noon, {"violence": "yes", "took_substance": "yes", "overdose_signs": "yes"}
    ).assessment.recommendation
    assert rec.model == "police_emergency" and "ems" in rec.team
    assert [(a.role, a.source) for a in rec.additions] == [("ems", "danger_now")]
    high = walk(boston, noon, {"suicidal_thoughts": "yes", "plan": "yes"}).assessment.recommendation
    assert high.model == "alternative_response" and high.team == ("emt", "mh_worker", "call_line") and high.handoff
    notes = walk(boston, noon, {"threats": "yes", "police_concern": "yes"}).assessment.recommendation.notes
    assert len(notes) == 1 and "fears police" in notes[0]["en"]


def test_dedicated_co_response_cars_in_a1_and_b2_only(boston, noon):
    for district in ("A1", "B2"):
        rec = walk(boston, noon, {"threats": "yes"}, district=district).assessment.recommendation
        assert rec.dedicated["en"] == "Dedicated co-response car in this district"
    for district in ("C11", "D4", "E18"):
        rec = walk(boston, noon, {"threats": "yes"}, district=district).assessment.recommendation
        assert rec.dedicated["en"].startswith("Co-response as available")
    assert walk(boston, noon, {}, district="A1").assessment.recommendation.dedicated is None


# -- guarantees ------------------------------------------------------------------------------------
def test_guarantee_switches_a_rule_that_forgot_police(boston_text, noon):
    careless = boston_text.replace(
        "      when: safety_risk\n      recommend: co_response\n",
        "      when: safety_risk\n      recommend: alternative_response\n",
    )
    assert careless != boston_text
    protocol = parse_protocol(careless)
    rec = walk(protocol, noon, {"threats": "yes"}).assessment.recommendation
    assert (rec.preferred_model, rec.model) == ("alternative_response", "co_response")
    assert [(g.guarantee, g.action) for g in rec.guarantees] == [("police_when_danger", "switched to co_response")]
    assert "police" in rec.team


def test_guarantee_adds_ems_to_a_rule_that_forgot_it(boston_text, noon):
    careless = boston_text.replace("      recommend: emergency_medical\n", "      recommend: alternative_response\n")
    protocol = parse_protocol(careless)
    rec = walk(protocol, noon, {"hurt_or_unresponsive": "yes"}).assessment.recommendation
    assert rec.model == "alternative_response" and rec.team == ("emt", "mh_worker", "ems")
    assert [(g.guarantee, g.action) for g in rec.guarantees] == [("ems_when_medical", "added ems")]
    assert rec.additions[-1].source == "ems_when_medical"


# -- handoff ---------------------------------------------------------------------------------------
def test_handoff_in_english_with_the_summary(boston, noon):
    session = walk(boston, noon, {"caller_name": "Ana", "location": "12 Dudley St", "wish_dead": "yes"}, district="B2")
    session.note("Lives with her sister", noon)
    handoff = session.handoff()
    assert [s.id for s in handoff.steps] == ["prepare", "consent", "conference", "introduce", "stay"]
    assert handoff.steps[0].say.startswith(
        "Ana, I'm going to bring in a counsellor from the Boston mental-health call line"
    )
    assert handoff.steps[2].do.startswith("Conference in the Boston mental-health call line")
    summary = handoff.summary
    assert "Caller: Ana (The person in crisis), language en." in summary
    assert "Location: 12 Dudley St, district B2 (Roxbury)." in summary
    assert "Risk: Low (score 1); suicide screen: Wish to be dead / passive thoughts." in summary
    assert "Call-taker notes: Lives with her sister" in summary
    assert handoff.next_step.id == "prepare"


def test_handoff_in_spanish_keeps_the_summary_in_english(boston, noon):
    session = walk(boston, noon, {"location": "40 Warren St", "with_person": "yes"}, language="es", door="family")
    assert session.assessment.recommendation.model == "call_line"
    handoff = session.handoff()
    assert handoff.steps[0].say.startswith("Gracias, voy a comunicarle con un consejero")
    assert handoff.steps[0].title == "Explique lo que sigue"
    assert "Key facts: Interpreter needed." in handoff.summary  # a derived fact
    assert "(Family member or friend), language es" in handoff.summary


# -- replay and events -----------------------------------------------------------------------------
def _busy_call(boston, noon) -> CallSession:
    session = start(boston, noon, door="family", district="B2", language="es")
    t = noon
    for qid, value in [
        ("location", "Blue Hill Ave"),
        ("with_person", "yes"),
        ("hurt_or_unresponsive", "no"),
        ("took_substance", "yes"),
        ("overdose_signs", "unknown"),
        ("attempt_now", "no"),
    ]:
        t += timedelta(seconds=20)
        session.answer(qid, value, t)
    session.skip("caller_name", t)
    session.interrupt("weapon_seen", t)
    session.apply(AvailabilityChanged(at=t, model="co_response", available=False, reason="car out"))
    session.answer("took_substance", "no", t + timedelta(seconds=5))
    session.apply(ContextChanged(at=t, district="A1"))
    session.note("Knife in the kitchen", t)
    session.answer("presentation", ["voices", "agitated"], t)
    session.apply(InterruptWithdrawn(at=t, interrupt="weapon_seen", reason="it was a phone"))
    session.interrupt("threat", t)
    return session


def test_replaying_the_events_gives_the_same_assessment(boston, noon):
    session = _busy_call(boston, noon)
    again = CallSession.replay(boston, session.events)
    assert again.assessment == session.assessment
    assert again.handoff() == session.handoff()
    assert again.events == session.events


def test_events_round_trip_through_json(boston, noon):
    from crisis_triage.engine import event_from_dict, event_from_json

    session = _busy_call(boston, noon)
    lines = [event.model_dump_json() for event in session.events]
    parsed = [event_from_json(line) for line in lines]
    assert parsed == list(session.events)
    assert [event_from_dict(e.model_dump(mode="json")) for e in session.events] == list(session.events)
    assert CallSession.replay(boston, parsed).assessment == session.assessment


def test_replay_needs_call_started_first(boston, noon):
    with pytest.raises(SessionError, match="must begin with call_started"):
        CallSession.replay(boston, [NoteAdded(at=noon, text="hello")])
    with pytest.raises(SessionError, match="already started"):
        start(boston, noon).apply(CallStarted(at=noon))


def test_the_engine_reads_no_clock(boston, noon):
    # The same events a year apart in wall-clock terms give the same result: time comes from events.
    a = walk(boston, noon, {"support_choice": "visit"})
    b = walk(boston, noon, {"support_choice": "visit"})
    assert a.assessment == b.assessment
    assert QUIET["weapon"] == "no"


# -- wording for the caller (engine.views, which the console shows as is) ---------------------------
def test_ask_other_wording_is_chosen_by_the_door_and_the_language(boston, noon):
    from crisis_triage.engine.views import question_view

    weapon = boston.question_by_id["weapon"]
    assert question_view(boston, weapon, "self", "en").text.startswith(
        "Is there a weapon there, or one you could easily get"
    )
    for door in ("family", "bystander", "professional"):
        assert question_view(boston, weapon, door, "en").text.startswith("Does the person have a weapon")
    spanish = question_view(boston, weapon, "family", "es")
    assert spanish.text.startswith("¿La persona tiene un arma") and spanish.text_en.startswith(
        "Does the person have a weapon"
    )
    # No ask_other written: every door hears the same words.
    violence = boston.question_by_id["violence"]
    assert question_view(boston, violence, "family", "en").text == question_view(boston, violence, "self", "en").text
    assert [o.key for o in question_view(boston, weapon, None, "en").options] == ["y", "n", "u"]
