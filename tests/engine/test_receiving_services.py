"""'Connected to care' picks from the referral directory: the engine's check and the picker's list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crisis_triage.engine.events import CallStarted, RecommendationAccepted
from crisis_triage.engine.events_response import DispositionRecorded
from crisis_triage.engine.receiving_services import (
    OTHER,
    other_value,
    receiving_service_choices,
    receiving_service_problem,
)
from crisis_triage.engine.referral_views import referral_event
from crisis_triage.engine.session import CallSession, SessionError
from crisis_triage.protocol.directory import load_directory_for


@pytest.fixture(scope="module")
def directory(shipped):
    return load_directory_for(shipped)


def _dispatched(protocol, noon, directory=None) -> CallSession:
    session = CallSession(protocol, CallStarted(at=noon, door="family", line="e911", district="B2"))
    session.directory = directory
    session.apply(
        RecommendationAccepted(at=noon + timedelta(minutes=3), model="co_response", recommended="co_response")
    )
    return session


def test_the_receiving_service_is_a_directory_service_or_named_other(shipped, directory, noon):
    session = _dispatched(shipped, noon, directory)
    later = noon + timedelta(hours=1)
    with pytest.raises(SessionError, match='did you mean "downtown_urgent_care"') as caught:
        session.apply(DispositionRecorded(at=later, code="connected_to_care", details={"service": "downtown_urgent"}))
    assert "other: <name>" in str(caught.value)
    with pytest.raises(SessionError, match='name the service after "other:"'):
        session.apply(DispositionRecorded(at=later, code="connected_to_care", details={"service": "other:  "}))
    assert session.state.after.disposition is None  # refused events change nothing
    session.apply(DispositionRecorded(at=later, code="connected_to_care", details={"service": "downtown_urgent_care"}))
    assert session.state.after.disposition.details == {"service": "downtown_urgent_care"}


def test_other_with_a_name_is_accepted_and_other_details_stay_free_text(shipped, directory, noon):
    session = _dispatched(shipped, noon, directory)
    later = noon + timedelta(hours=1)
    session.apply(DispositionRecorded(at=later, code="connected_to_care", details={"service": other_value("Bay Cove")}))
    assert session.state.after.disposition.details["service"] == "other: Bay Cove"
    # A destination (transport to a unit) is not a directory detail: free text as before.
    assert receiving_service_problem(directory, "Other: Bay Cove") is None


def test_a_near_miss_on_the_english_name_suggests_the_id(directory):
    problem = receiving_service_problem(directory, "elder protective line")
    assert problem is not None and '"elder_protective_line"' in problem


def test_without_a_directory_the_service_stays_free_text(shipped, noon):
    # Replays and records made before the directory existed: nothing to check against.
    session = _dispatched(shipped, noon)
    session.apply(
        DispositionRecorded(at=noon + timedelta(hours=1), code="connected_to_care", details={"service": "BEST CSU"})
    )
    assert CallSession.replay(shipped, session.events).state.after.disposition is not None


def test_choices_put_the_referrals_given_first_then_the_offered_then_the_district_then_other(shipped, directory, noon):
    session = CallSession(shipped, CallStarted(at=noon, door="family", line="e911", district="B2"))
    session.apply(referral_event(directory, "elder_protective_line", "family", noon + timedelta(minutes=1)))
    choices = receiving_service_choices(shipped, directory, session.state)
    assert choices[0].value == "elder_protective_line" and choices[0].given and choices[0].note == "given to the family"
    # A family caller: the protocol's family_caller rule offers family support; the offered come next.
    flags = [c.offered for c in choices[1:-1]]
    assert flags == sorted(flags, reverse=True) and any(flags)
    assert any(directory.by_id[c.value].kind == "family_support" for c in choices[1:] if c.offered)
    assert choices[-1].value == OTHER and choices[-1].is_other
    values = [c.value for c in choices[:-1]]
    assert len(values) == len(set(values))
    # Every other service listed serves the call's district.
    assert all(directory.by_id[v].serves_district("B2") for v in values)
    assert all(receiving_service_problem(directory, v) is None for v in values)


def test_the_console_pickers_name_and_id_form_is_a_directory_service(directory):
    from crisis_triage.engine.receiving_services import receiving_service_id

    written = "Recovery Access Center (walk-in addiction services) (albany_recovery_access)"
    assert receiving_service_id(written) == "albany_recovery_access"
    assert receiving_service_problem(directory, written) is None
    assert receiving_service_problem(directory, "Somewhere (not_a_service)") is not None
    assert receiving_service_id("other: Bay Cove (walk_in)") == "other: Bay Cove (walk_in)"
