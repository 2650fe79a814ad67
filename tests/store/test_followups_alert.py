"""The overdue-contact alert in the engine and the record (issue 12): it holds from the deadline until
someone acts (a settling status, a disposition, or an acknowledgement), and an acknowledgement is
refused when there is nothing to acknowledge."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from crisis_triage.engine.aftercare import contact_window
from crisis_triage.engine.events import CallStarted, RecommendationAccepted
from crisis_triage.engine.events_response import (
    RESPONSE_STATUSES,
    ContactAlertAcknowledged,
    ResponseStatusChanged,
)
from crisis_triage.engine.session import CallSession, SessionError
from crisis_triage.reporting.outcome_after import after_lines, describe_after

START = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))
WINDOW = timedelta(minutes=20)  # co_response in the shipped protocol


def dispatched(boston, model: str = "co_response") -> CallSession:
    session = CallSession(boston, CallStarted(at=START, door="self", line="e911", district="B2"))
    session.apply(RecommendationAccepted(at=START, model=model, recommended=model))
    return session


def test_an_acknowledgement_is_refused_before_the_deadline_after_contact_and_without_a_window(boston):
    session = dispatched(boston)
    with pytest.raises(SessionError, match="not overdue yet"):
        session.apply(ContactAlertAcknowledged(at=START + timedelta(minutes=5)))
    session.apply(ResponseStatusChanged(at=START + timedelta(minutes=10), status="contact_made"))
    with pytest.raises(SessionError, match="already confirmed"):
        session.apply(ContactAlertAcknowledged(at=START + timedelta(minutes=30)))
    line_call = dispatched(boston, "call_line")
    with pytest.raises(SessionError, match="no contact-confirmation window"):
        line_call.apply(ContactAlertAcknowledged(at=START + timedelta(minutes=30)))


def test_an_acknowledged_alert_stops_and_the_record_says_so(boston):
    session = dispatched(boston)
    late = START + WINDOW + timedelta(minutes=3)
    window = contact_window(boston, session.state)
    assert window is not None and window.alerting(late)
    event = ContactAlertAcknowledged(at=late, by="ct-042", note="radioed the team")
    session.apply(event)
    window = contact_window(boston, session.state)
    assert window is not None and not window.alerting(late + timedelta(hours=1))
    assert window.overdue(late) and window.settled_at is None  # contact is still not confirmed
    assert describe_after(boston, event) == (
        "overdue-contact alert acknowledged (contact not confirmed) by ct-042: radioed the team"
    )
    assert any("alert acknowledged" in line for line in after_lines(boston, session.state, late))


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=60), st.sampled_from((*RESPONSE_STATUSES, "acknowledge"))),
        max_size=6,
    ),
    look=st.integers(min_value=0, max_value=90),
)
def test_the_alert_holds_exactly_from_the_deadline_until_someone_acts(boston, steps, look):
    """Whatever was recorded, the alert shows at ``look`` minutes iff the deadline has passed and no
    settling status and no acknowledgement was recorded by the events accepted."""
    session = dispatched(boston)
    acted_at = None
    for minute, what in sorted(steps):
        at = START + timedelta(minutes=minute)
        event = (
            ContactAlertAcknowledged(at=at) if what == "acknowledge" else ResponseStatusChanged(at=at, status=what)  # type: ignore[arg-type]
        )
        try:
            session.apply(event)
        except SessionError:
            continue
        if what in ("contact_made", "unable_to_locate", "cleared", "acknowledge"):
            acted_at = at if acted_at is None else acted_at
    now = START + timedelta(minutes=look)
    window = contact_window(boston, session.state)
    assert window is not None
    assert window.alerting(now) == (now > START + WINDOW and acted_at is None)
