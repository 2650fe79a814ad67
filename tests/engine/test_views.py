"""engine/views.py: the wording and summaries the console shows, worked out without a screen."""

from __future__ import annotations

from crisis_triage.engine import AvailabilityChanged, CallStarted, NoteAdded, session_from_answers
from crisis_triage.engine.views import (
    answer_changes,
    band_view,
    dispatch_summary,
    interrupt_views,
    next_question_view,
    question_view,
)
from tests.tui.helpers import (
    NOON,
    boston_2026_11 as boston,  # exact questions: the frozen 2026.11.1
)


def test_the_question_is_worded_for_who_is_calling_and_in_their_language():
    protocol = boston()
    weapon = protocol.question_by_id["weapon"]
    self_view = question_view(protocol, weapon, "self", "en")
    family_view = question_view(protocol, weapon, "family", "es")
    assert self_view.text.startswith("Is there a weapon there") and not self_view.translated
    assert family_view.text.startswith("¿La persona tiene un arma")
    assert family_view.text_en.startswith("Does the person have a weapon")
    assert next((o.key, o.label, o.label_en) for o in family_view.options) == ("y", "Sí", "Yes")
    assert family_view.option_for_key("u").id == "unknown" and family_view.option_for_key("z") is None
    past = question_view(protocol, protocol.question_by_id["past_behaviour"], "self", "en")
    assert [o.key for o in past.options] == ["r", "l", "n", "u"]


def test_next_question_band_and_interrupts_views():
    protocol = boston()
    session = session_from_answers(protocol, {"location": "x"}, at=NOON, door="family", interrupts=["weapon_seen"])
    view = next_question_view(protocol, session.state, session.assessment)
    assert view.id == "caller_name" and not view.required
    band = band_view(protocol, session.assessment.risk.band)
    assert (band.id, band.label, band.rank, band.of) == ("high", "High", 3, 5)
    active = [i.id for i in interrupt_views(protocol, session.assessment.active_interrupts) if i.active]
    assert active == ["weapon_seen"]


def test_answer_changes_name_the_questions_a_revision_brought_in_or_dropped():
    protocol = boston()
    before = session_from_answers(protocol, {"weapon": "no"}, at=NOON, door="self").assessment
    after = session_from_answers(protocol, {"weapon": "yes"}, at=NOON, door="self").assessment
    # A weapon brings in its follow-up and, safety risk now known, stops offering phone-or-visit.
    # Named as on screen, never by internal id.
    assert answer_changes(before, after) == ['now asks "Weapon held / pointed"', 'no longer asks "Phone or visit"']
    assert answer_changes(after, before) == ['now asks "Phone or visit"', 'no longer asks "Weapon held / pointed"']


def test_dispatch_summary_is_ready_to_paste():
    protocol = boston()
    session = session_from_answers(
        protocol,
        {"location": "12 Dudley St", "weapon": "yes", "weapon_use": "no", "police_concern": "yes"},
        at=NOON,
        door="family",
        district="B2",
    )
    session.apply(NoteAdded(at=NOON, text="knife in the kitchen drawer"))
    text = dispatch_summary(protocol, session.state, session.assessment)
    lines = text.splitlines()
    assert lines[0] == "MENTAL-HEALTH CALL - CO-RESPONSE (POLICE + CLINICIAN)"
    assert "Send: Police officer (BPD), BEST clinician" in lines
    assert "Location: 12 Dudley St; district B2 (Roxbury)" in lines
    assert any(line.startswith("SAFETY/MEDICAL: ") and "Weapon present" in line for line in lines)
    assert any(line.startswith("Note: The caller fears police") for line in lines)
    assert "Note 12:00: knife in the kitchen drawer" in lines
    assert lines[-1] == f"Protocol: boston_mh_crisis {protocol.version}"


def test_dispatch_summary_names_a_fallback_and_a_departure():
    protocol = boston()
    session = session_from_answers(protocol, {"threats": "yes"}, at=NOON, door="family", district="C11")
    session.apply(AvailabilityChanged(at=NOON, model="co_response", available=False, reason="no team free"))
    text = dispatch_summary(protocol, session.state, session.assessment)
    assert text.startswith("MENTAL-HEALTH CALL - POLICE EMERGENCY RESPONSE")
    assert "Fallback: Co-response (police + clinician) unavailable (no team free)" in text
    departed = dispatch_summary(protocol, session.state, session.assessment, dispatched="co_response")
    assert "Departure: recommended Police emergency response" in departed


def test_a_call_started_in_another_language_keeps_english_beside_it():
    protocol = boston()
    from crisis_triage.engine import CallSession

    session = CallSession(protocol, CallStarted(at=NOON, door="self", language="es"))
    view = next_question_view(protocol, session.state, session.assessment)
    assert view.translated and view.text_en == "What is the address where you are right now?"
