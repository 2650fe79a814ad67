"""Replay's quick reading of a line (the after-plan checked, not built; text answers without the
per-value hook) accepts and refuses exactly what the full reading does, with the same messages."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.replay.after_plan import AfterPlan, check_after_plan
from crisis_triage.replay.calls import BadLine, CallRecord, ReplayedCall, read_for_replay, read_line
from crisis_triage.replay.generate_calls import generate_calls

#: Values at and past every bound (minutes and hours run from 0 to 24 hours' worth), and of every JSON type.
EDGES = st.sampled_from([-1, -0.5, 0, 0.0, 1440, 1440.0, 1440.5, 5000, "3", "yes", "", True, False, None])
ANY_SCALAR = EDGES | st.integers(-5, 2000) | st.floats(-10, 3000) | st.text(max_size=6)
STEPS = st.fixed_dictionaries(
    {},
    optional={
        "status": ANY_SCALAR,
        "outcome": ANY_SCALAR,
        "minutes": ANY_SCALAR,
        "hours": ANY_SCALAR,
        "extra": ANY_SCALAR,
    },
)
AFTER = st.fixed_dictionaries(
    {},
    optional={
        "ending": ANY_SCALAR,
        "dispatch": ANY_SCALAR,
        "depart_to": ANY_SCALAR,
        "statuses": st.lists(STEPS, max_size=3) | ANY_SCALAR,
        "details": st.dictionaries(st.text(max_size=3), ANY_SCALAR, max_size=2),
        "disposition_minutes": ANY_SCALAR,
        "landed_minutes": ANY_SCALAR,
        "follow_up": st.lists(STEPS, max_size=2),
        "unknown_field": ANY_SCALAR,
    },
)
ANSWER = ANY_SCALAR | st.lists(ANY_SCALAR, max_size=3) | st.lists(st.text(max_size=4), max_size=3)
CALLS = st.fixed_dictionaries(
    {"id": st.text(max_size=4) | ANY_SCALAR},
    optional={
        "door": ANY_SCALAR,
        "district": ANY_SCALAR,
        "at": st.sampled_from(["2026-01-05T00:32:19-05:00", "2026-13-01T00:00:00Z", "0999-01-01T00:00:00Z", "x"])
        | ANY_SCALAR,
        "answers": st.dictionaries(st.sampled_from(["weapon", "violence", "presentation", "x"]), ANSWER, max_size=4)
        | ANY_SCALAR,
        "interrupts": st.lists(st.text(max_size=4), max_size=2) | ANY_SCALAR,
        "after": AFTER | ANY_SCALAR,
        "tags": st.lists(ANY_SCALAR, max_size=2),
        "surprise": ANY_SCALAR,
    },
)


def _both(line: str):
    full = read_line(line, 3)
    quick = read_line(line, 3, build_after=False)
    if isinstance(full, BadLine):
        assert quick == full
        return
    assert isinstance(quick, CallRecord)
    assert quick.after is None
    assert quick.model_dump(exclude={"after"}) == full.model_dump(exclude={"after"})
    _replay_reads(line, full)


def _replay_reads(line: str, full: CallRecord | BadLine | None) -> None:
    """Replay's reading (the whole line checked in one pass, no model built) gives the full
    reading's call, field for field, or its refusal with the same message."""
    replayed = read_for_replay(line, 3)
    if not isinstance(full, CallRecord):
        assert replayed == full
        return
    assert isinstance(replayed, ReplayedCall | CallRecord)
    for name in ReplayedCall._fields:
        assert getattr(replayed, name) == getattr(full, name), name


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALLS)
def test_quick_and_full_readings_agree(call):
    _both(json.dumps(call))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(AFTER | ANY_SCALAR)
def test_the_after_plan_check_accepts_what_the_model_accepts(plan):
    try:
        AfterPlan.model_validate(plan)
        accepted = True
    except ValueError:
        accepted = False
    try:
        check_after_plan(plan)
        checked = True
    except ValueError:
        checked = False
    assert checked == accepted


def test_generated_calls_read_the_same_both_ways(boston):
    for call in generate_calls(boston, 300, seed=4):
        _both(json.dumps(call))
        assert isinstance(read_for_replay(json.dumps(call), 1), ReplayedCall)  # the one-pass check decided


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CALLS.map(lambda call: {k: v for k, v in call.items() if k != "surprise"}))
def test_replay_reading_agrees_with_the_full_reading_without_surprises(call):
    """The usual shape of a line (no unknown field), where replay's one-pass check decides most often."""
    _replay_reads(json.dumps(call), read_line(json.dumps(call), 3))


def test_replay_reading_refuses_a_year_off_the_calendar_as_the_record_does():
    line = json.dumps({"id": "a", "at": "0999-01-01T00:00:00Z", "answers": {"weapon": "no"}})
    full = read_line(line, 3)
    assert isinstance(full, BadLine) and "the year 999 is not a year a call was taken" in full.message
    assert read_for_replay(line, 3) == full
    assert isinstance(read_for_replay(line.replace("0999", "2026"), 3), ReplayedCall)
