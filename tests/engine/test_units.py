"""Shared availability decided purely: free units, the reason a model cannot be sent, the events."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from crisis_triage.engine import CallStarted, session_from_answers
from crisis_triage.engine.events import AvailabilityChanged
from crisis_triage.engine.session import CallSession
from crisis_triage.engine.units import (
    Assignment,
    OutOfService,
    UnitStates,
    centre_marks,
    expected_clear,
    free_fallback,
    free_units,
    sync_events,
    unavailable_models,
)
from crisis_triage.protocol.centre import load_centre
from tests.conftest import ROOT

TZ = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def centre(boston):
    return load_centre(ROOT / "protocols" / "boston-centre.yaml", boston)


def _busy(centre, unit_id, call_id, at):
    unit = centre.units[unit_id]
    return Assignment(call_id, unit_id, "dispatched", at, expected_clear(unit, at))


def test_the_a1_car_busy_says_on_which_call_since_when_and_until_when(centre, noon):
    at = noon.replace(hour=14, minute=2)
    states = UnitStates(
        assignments=(_busy(centre, "a1_car_1", "1234", at),),
        out_of_service={"a1_car_2": OutOfService("a1_car_2", "flat tyre", at, at + timedelta(hours=1))},
    )
    reasons = unavailable_models(centre, "A1", 16.0, states, TZ)
    assert reasons["co_response"] == (
        "A1 dedicated car 1 busy on call 1234 since 14:02 (expected clear 14:47); "
        "A1 dedicated car 2 out of service (flat tyre) since 14:02, back about 15:02"
    )
    # The same call holding the car still has it; B2 is another car; A7 has no dedicated car: as available.
    assert "co_response" not in unavailable_models(centre, "A1", 16.0, states, TZ, call_id="1234")
    assert "co_response" not in unavailable_models(centre, "B2", 16.0, states, TZ)
    assert "co_response" not in unavailable_models(centre, "A7", 16.0, states, TZ)


def test_off_duty_units_leave_the_model_as_available(centre, noon):
    # At 05:00 no A1 car is on duty: co-response there is "as available", as with no centre file.
    states = UnitStates(assignments=(_busy(centre, "a1_car_1", "1", noon),))
    assert unavailable_models(centre, "A1", 5.0, states, TZ) == {}


def test_capacity_counts_calls_on_the_call_line(centre, noon):
    line = [_busy(centre, "call_line", str(n), noon) for n in range(3)]
    assert "call_line" not in unavailable_models(centre, "B2", 12.0, UnitStates(tuple(line)), TZ)
    full = UnitStates((*line, _busy(centre, "call_line", "9", noon)))
    assert unavailable_models(centre, "B2", 12.0, full, TZ)["call_line"] == "Call line counsellors: all 4 busy"


def test_free_units_skip_busy_cars_and_put_the_least_loaded_first(centre, noon):
    states = UnitStates(assignments=(_busy(centre, "bems_alt_1", "1", noon),))
    assert [u.id for u in free_units(centre, "alternative_response", "C6", 12.0, states)] == [
        "bems_alt_2",
        "bems_alt_3",
    ]
    line = UnitStates(assignments=(_busy(centre, "call_line", "1", noon),))
    assert [u.id for u in free_units(centre, "call_line", "C6", 12.0, line)] == ["call_line"]


def test_sync_events_mark_and_lift_and_leave_hand_marks_alone(boston, noon):
    session = session_from_answers(boston, {}, at=noon, district="A1")
    wanted = {"co_response": "A1 car busy", "call_line": "all busy"}
    events = sync_events(session.events, wanted, session.state.unavailable, noon)
    assert [(e.model, e.available, e.source) for e in events] == [
        ("co_response", False, "centre"),
        ("call_line", False, "centre"),
    ]
    for event in events:
        session.apply(event)
    assert sync_events(session.events, wanted, session.state.unavailable, noon) == []
    # The call-taker marks the call line by hand: the centre lifting its mark must not lift theirs.
    session.apply(AvailabilityChanged(at=noon, model="call_line", available=False, reason="phones down"))
    events = sync_events(session.events, {}, session.state.unavailable, noon)
    assert [(e.model, e.available) for e in events] == [("co_response", True)]
    for event in events:
        session.apply(event)
    assert session.state.unavailable == {"call_line": "phones down"}
    assert centre_marks(session.events) == {}


def test_the_recommendation_falls_back_with_the_centre_reason(boston, centre, noon):
    session = CallSession(boston, CallStarted(at=noon, district="A1", door="family", line="e911"))
    states = UnitStates(assignments=(_busy(centre, "a1_car_1", "77", noon),))
    wanted = unavailable_models(centre, "A1", 12.0, states, TZ)
    for event in sync_events(session.events, wanted, session.state.unavailable, noon):
        session.apply(event)
    assert session.state.unavailable["co_response"].startswith("A1 dedicated car 1 busy on call 77 since 12:00")


@given(
    busy=st.lists(st.sampled_from(["a1_car", "alt_1", "alt_2", "call_line"]), max_size=8),
    out=st.sets(st.sampled_from(["a1_car", "alt_1", "alt_2", "call_line"])),
    district=st.sampled_from(["A1", "B2", "C6"]),
)
def test_a_model_is_unavailable_exactly_when_no_covering_unit_is_free(boston, busy, out, district):
    from datetime import datetime

    centre = load_centre(ROOT / "tests" / "fixtures" / "centre.yaml", boston)
    at = datetime(2026, 3, 10, 12, tzinfo=TZ)
    states = UnitStates(
        assignments=tuple(Assignment(str(i), u, "dispatched", at) for i, u in enumerate(busy)),
        out_of_service={u: OutOfService(u, "test", at) for u in out},
    )
    reasons = unavailable_models(centre, district, 12.0, states, TZ)
    for model in centre.tracked_models:
        covering = [u for u in centre.units_of(model) if u.districts is None or district in u.districts]
        free = free_units(centre, model, district, 12.0, states)
        assert (model in reasons) == (bool(covering) and not free)


def test_the_free_fallback_of_a_taken_team_skips_the_busy_ones_down_the_chain(boston):
    # community_led -> alternative_response -> emergency_medical (the shipped protocol's chain).
    assert free_fallback(boston, "community_led", {}) == "alternative_response"
    assert free_fallback(boston, "community_led", {"alternative_response": "all busy"}) == "emergency_medical"
    assert free_fallback(boston, "call_line", {}) is None  # no fallback: the call-taker picks


@given(st.sets(st.sampled_from(["co_response", "police_emergency", "alternative_response", "emergency_medical"])))
def test_a_free_fallback_is_never_busy_and_always_down_the_chain(boston, busy):
    for model in boston.models:
        chosen = free_fallback(boston, model, dict.fromkeys(busy, "busy"))
        if chosen is not None:
            assert chosen not in busy and chosen != model
            chain, current, seen = [], model, {model}
            while (nxt := next((f for f in boston.models[current].fallback if f not in seen), None)) is not None:
                chain.append(nxt)
                seen.add(nxt)
                current = nxt
            assert chosen in chain
