"""Generated calls include acknowledgements of overdue contact alerts (issue 12), only where the
engine accepts one: past the contact window and before contact (or the disposition) settles it."""

from __future__ import annotations

from crisis_triage.engine.aftercare import contact_window
from crisis_triage.engine.events_response import ContactAlertAcknowledged
from crisis_triage.engine.session import CallSession
from crisis_triage.replay.calls import CallRecord
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.store.import_calls import call_events


def test_generated_calls_acknowledge_some_overdue_contact_alerts_and_replay_valid(shipped):
    acknowledged = overdue = 0
    for call in generate_calls(shipped, 400, seed=12):
        events = call_events(shipped, CallRecord(**call))  # applied through the engine: refused if invalid
        session = CallSession.replay(shipped, events)
        window = contact_window(shipped, session.state)
        acks = [e for e in events if isinstance(e, ContactAlertAcknowledged)]
        assert len(acks) <= 1
        if window is not None and (window.settled_at is None or window.settled_at > window.deadline):
            overdue += 1
        if acks:
            acknowledged += 1
            assert window is not None and acks[0].at > window.deadline
            assert window.settled_at is None or acks[0].at < window.settled_at
            assert session.state.after.acknowledged_at == acks[0].at
    assert overdue > 20
    assert 0.3 * overdue < acknowledged < overdue  # sometimes, not always


def test_an_acknowledgement_the_calls_end_pushed_past_the_contact_is_dropped_not_refused(shipped):
    call = next(
        c
        for c in generate_calls(shipped, 400, seed=12)
        if c.get("after", {}).get("acknowledged_minutes") is not None and c["after"]["statuses"]
    )
    settle = next(
        s["minutes"] for s in call["after"]["statuses"] if s["status"] in ("contact_made", "unable_to_locate")
    )
    call["after"]["acknowledged_minutes"] = settle + 1  # after the contact: no alert left to act on
    events = call_events(shipped, CallRecord(**call))
    assert not [e for e in events if isinstance(e, ContactAlertAcknowledged)]
