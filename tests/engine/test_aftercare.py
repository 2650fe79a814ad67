"""After the dispatch: response statuses, contact confirmation, dispositions, follow-ups, idempotent accept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crisis_triage.engine.aftercare import contact_window, response_resolved
from crisis_triage.engine.events import CallEnded, CallStarted, HandoffEnded, RecommendationAccepted
from crisis_triage.engine.events_response import (
    DispositionRecorded,
    FollowUpAttempted,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)
from crisis_triage.engine.session import CallSession, SessionError


def _dispatched(boston, noon, model="co_response") -> CallSession:
    session = CallSession(boston, CallStarted(at=noon, door="family", line="e911", district="B2"))
    session.apply(RecommendationAccepted(at=noon + timedelta(minutes=3), model=model, recommended=model))
    return session


def test_accepting_twice_is_refused_and_a_change_of_team_is_a_new_dispatch(boston, noon):
    session = _dispatched(boston, noon)
    with pytest.raises(SessionError, match="already dispatched"):
        session.apply(RecommendationAccepted(at=noon, model="co_response", recommended="co_response"))
    session.apply(
        RecommendationAccepted(at=noon, model="police_emergency", recommended="co_response", reason="weapon seen")
    )
    assert session.state.accepted[0] == "police_emergency"
    assert session.state.after.dispatches == 2


def test_statuses_need_a_dispatch_and_arrive_after_the_call_ended(boston, noon):
    session = CallSession(boston, CallStarted(at=noon, door="family", line="e911", district="B2"))
    with pytest.raises(SessionError, match="no team has been dispatched"):
        session.apply(ResponseStatusChanged(at=noon, status="en_route"))
    session.apply(RecommendationAccepted(at=noon, model="co_response", recommended="co_response"))
    session.apply(CallEnded(at=noon + timedelta(minutes=5)))
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=9), status="on_scene"))
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=7), status="en_route", source="dispatch"))
    after = session.state.after
    assert after.status == "on_scene"  # by time, whatever the order of arrival
    assert after.status_at("en_route") == noon + timedelta(minutes=7)
    assert session.state.now == noon + timedelta(minutes=5)  # the response does not move the call's clock
    assert not response_resolved(boston, session.state)


def test_contact_window_overdue_until_contact_is_settled(boston, noon):
    session = _dispatched(boston, noon)  # co_response: 20 minutes in the shipped protocol
    window = contact_window(boston, session.state)
    assert window.deadline == noon + timedelta(minutes=23)
    assert not window.overdue(noon + timedelta(minutes=22))
    assert window.overdue(noon + timedelta(minutes=24))
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=30), status="contact_made"))
    window = contact_window(boston, session.state)
    assert not window.overdue(noon + timedelta(minutes=40))
    assert window.settled_at == noon + timedelta(minutes=30) and not window.in_time


def test_call_line_has_no_contact_window_or_field_statuses(boston, noon):
    session = _dispatched(boston, noon, "call_line")
    assert contact_window(boston, session.state) is None
    with pytest.raises(SessionError, match="call line"):
        session.apply(ResponseStatusChanged(at=noon, status="on_scene"))


def test_disposition_codes_details_and_roles_come_from_the_protocol(boston, noon):
    session = _dispatched(boston, noon)
    later = noon + timedelta(hours=1)
    with pytest.raises(SessionError, match="unknown disposition"):
        session.apply(DispositionRecorded(at=later, code="went_home"))
    with pytest.raises(SessionError, match='needs the detail "service"'):
        session.apply(DispositionRecorded(at=later, code="connected_to_care"))
    with pytest.raises(SessionError, match="not by call_taker"):
        session.apply(DispositionRecorded(at=later, code="arrest"))
    with pytest.raises(SessionError, match="not a value"):
        session.apply(
            DispositionRecorded(
                at=later, code="section_12", details={"destination": "BMC", "authorised_by": "neighbour"}
            )
        )
    session.apply(DispositionRecorded(at=later, code="connected_to_care", details={"service": "BEST CSU"}))
    assert response_resolved(boston, session.state)
    assert session.followups_owed() == []


def test_not_found_owes_a_recheck_and_attempts_close_it(boston, noon):
    session = _dispatched(boston, noon)
    at = noon + timedelta(hours=1)
    session.apply(DispositionRecorded(at=at, code="not_found"))
    (owed,) = session.followups_owed()
    assert owed.rule == "not_found_recheck" and owed.due == at + timedelta(hours=4)
    session.apply(owed)
    assert session.followups_owed() == []  # owed once
    with pytest.raises(SessionError, match="no follow-up"):
        session.apply(FollowUpAttempted(at=at, rule="caring_contact", outcome="reached_safe"))
    session.apply(FollowUpAttempted(at=at + timedelta(hours=1), rule="not_found_recheck", outcome="no_answer"))
    assert session.state.after.followup_done("not_found_recheck") is None
    session.apply(FollowUpAttempted(at=at + timedelta(hours=2), rule="not_found_recheck", outcome="reached_safe"))
    assert session.state.after.followup_done("not_found_recheck").outcome == "reached_safe"


def test_handoff_owes_a_caring_contact_and_its_landing_can_owe_more(boston, noon):
    session = _dispatched(boston, noon, "call_line")
    ended = noon + timedelta(minutes=6)
    session.apply(HandoffEnded(at=ended, outcome="accepted"))
    assert [(o.rule, o.due) for o in session.followups_owed()] == [("caring_contact", ended + timedelta(hours=24))]
    for owed in session.followups_owed():
        session.apply(owed)
    with pytest.raises(SessionError, match="unknown handoff outcome"):
        session.apply(HandoffOutcomeRecorded(at=ended, outcome="went_well"))
    session.apply(HandoffOutcomeRecorded(at=ended + timedelta(minutes=20), outcome="team_requested"))
    assert [o.rule for o in session.followups_owed()] == ["team_requested_check"]


def test_replay_rebuilds_the_response(boston, noon):
    session = _dispatched(boston, noon)
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=8), status="on_scene"))
    session.apply(DispositionRecorded(at=noon + timedelta(minutes=40), code="resolved_on_scene"))
    again = CallSession.replay(boston, session.events)
    assert again.state.after.status == "on_scene"
    assert again.state.after.disposition.code == "resolved_on_scene"


def test_the_dispatched_view_says_what_was_sent_its_departure_and_latest_status(boston, noon):
    from crisis_triage.engine.views import dispatched_view

    session = CallSession(boston, CallStarted(at=noon, door="family", line="e911", district="B2"))
    assert dispatched_view(boston, session.state) is None
    session.apply(
        RecommendationAccepted(
            at=noon + timedelta(minutes=3), model="police_emergency", recommended="co_response", reason="weapon seen"
        )
    )
    view = dispatched_view(boston, session.state)
    assert view is not None and view.at == "12:03" and view.headline.startswith("Dispatched ")
    assert view.recommended is not None and view.status == "no status reported yet"
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=20), status="on_scene", source="cad"))
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=9), status="en_route"))  # arrived late
    view = dispatched_view(boston, session.state)
    assert view.status == "on scene 12:20 (from cad)"
    assert view.lines()[0].startswith("Recommended: ") and "Response: on scene 12:20 (from cad)" in view.lines()
