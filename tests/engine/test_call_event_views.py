"""Issue 11's call events in words: the call-events line's duties, and the record's timeline."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.engine import CallSession, CallStarted, session_from_answers
from crisis_triage.engine.call_event_views import call_event_lines, describe_call_event
from crisis_triage.engine.events import Answered
from crisis_triage.engine.events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from crisis_triage.engine.events_centre import SupervisorConsulted
from crisis_triage.engine.referral_views import referral_event
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.reporting.protocol_texts import ProtocolResolver
from crisis_triage.reporting.review import render_timeline
from crisis_triage.store.journal import CallMeta, StoredEvent

IMMINENT = {
    "weapon": "no",
    "violence": "no",
    "intent": "yes",
    "plan": "yes",
    "means_access": "yes",
    "timing": "yes",
    "cannot_stay_safe": "yes",
}


def test_an_english_call_with_no_risk_has_no_call_event_line(shipped, noon):
    session = CallSession(shipped, CallStarted(at=noon, door="self", line="e911", district="B2"))
    assert call_event_lines(shipped, session.state, session.assessment) == ()


def test_imminent_risk_names_the_open_duties_until_they_are_recorded(shipped, noon):
    session = session_from_answers(shipped, IMMINENT, at=noon, door="self", district="B2", language="pt")
    assert session.assessment.risk.suicide_level == "imminent"
    lines = call_event_lines(shipped, session.state, session.assessment)
    assert [(line.key, line.urgent) for line in lines] == [
        ("interpreter", False),
        ("supervisor", True),
        ("rescue", False),
    ]
    later = session.state.now + timedelta(minutes=1)
    session.apply(InterpreterRequested(at=later, language="pt"))
    session.apply(SupervisorConsulted(at=later, supervisor="sup-3", note="agreed"))
    session.apply(RescueWithoutConsent(at=later, reason="will_not_keep_safe"))
    texts = [
        (line.text, line.key, line.urgent) for line in call_event_lines(shipped, session.state, session.assessment)
    ]
    assert texts == [
        ("Interpreter requested 12:01 (pt), not yet connected", "interpreter_connected", False),
        ("Supervisor sup-3 consulted 12:01: agreed", "", False),
        ("HELP SENT WITHOUT CONSENT 12:01: the person will not keep safe", "", True),
    ]


def test_records_show_says_each_call_event_in_words(shipped, noon):
    directory = load_directory_for(shipped)
    events = [
        CallStarted(at=noon, door="self", line="e911", district="B2", language="ht"),
        Answered(at=noon + timedelta(seconds=5), question="location", value="1 Main St"),
        InterpreterRequested(at=noon + timedelta(seconds=10), language="ht"),
        InterpreterConnected(at=noon + timedelta(seconds=40), interpreter_id="LL-7"),
        SupervisorConsulted(at=noon + timedelta(minutes=2), supervisor="sup-3", note="EMS"),
        RescueWithoutConsent(at=noon + timedelta(minutes=3), reason="attempt_in_progress", note="took pills"),
        referral_event(directory, "peer_warmline", "family", noon + timedelta(minutes=4)),
    ]
    meta = CallMeta("call-x", "console-1", "ct-1", shipped.id, shipped.version, shipped.sha256, shipped.file)
    stored = [StoredEvent(f"e{i}", "call-x", i + 1, e) for i, e in enumerate(events)]
    text = render_timeline(meta, stored, ProtocolResolver())
    assert "interpreter requested (ht)" in text
    assert "interpreter LL-7 connected" in text
    assert "supervisor sup-3 consulted: EMS" in text
    assert "HELP SENT WITHOUT CONSENT: an attempt is in progress (took pills)" in text
    assert "referral given: " in text and "to the family" in text
    assert describe_call_event(events[1]) is None
