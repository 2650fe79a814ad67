"""The referral step's memo gives what working the offers out afresh gives: for any instant (around the
daylight-saving changes too, in UTC, a fixed offset or the directory's own zone, either side of a
fold), any age answer, district and language, and whatever was asked before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine import session_from_answers
from crisis_triage.engine.compiled_refresh import mask_indexes
from crisis_triage.engine.evaluate import referral_key_of
from crisis_triage.engine.referral_ranking import work_out
from crisis_triage.engine.referrals import _age, _plan, referrals_for_call
from crisis_triage.protocol import load_protocol
from crisis_triage.protocol.directory import load_directory_for, minute_of_week

ROOT = Path(__file__).resolve().parents[2]
BOSTON = load_protocol(ROOT / "protocols" / "boston-mh-crisis.yaml")
DIRECTORY = load_directory_for(BOSTON)
ZONE = DIRECTORY.zone
# The same services on another clock than the protocol's: the walk records the minute of the week on
# the protocol's clock, so the step must work the directory's minute out from the call's time itself.
OTHER_CLOCK = replace(DIRECTORY, zone=ZoneInfo("America/Chicago"), sha256="the same services, on Chicago's clock")
# Substance use on a family call: detox, family support and the distress rules fire.
SESSION = session_from_answers(
    BOSTON,
    {
        "location": "1 Main St",
        "hurt_or_unresponsive": "no",
        "took_substance": "yes",
        "overdose_signs": "no",
        "attempt_now": "no",
        "weapon": "no",
        "violence": "no",
        "threats": "no",
        "crime": "no",
        "children": "no",
    },
    at=datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
    door="family",
    district="C11",
    language="en",
)
# The 2026 changes in Boston: 07:00 UTC on 8 March (clocks forward), 06:00 UTC on 1 November (back).
CHANGES = [datetime(2026, 3, 8, 7, 0, tzinfo=UTC), datetime(2026, 11, 1, 6, 0, tzinfo=UTC)]

near_a_change = st.builds(
    lambda change, seconds: change + timedelta(seconds=seconds),
    st.sampled_from(CHANGES),
    st.integers(-3 * 86400, 3 * 86400),
)
anywhere = st.builds(
    lambda seconds: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds),
    st.integers(0, 3 * 365 * 86400),
)
in_a_zone = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=-4)), timezone(timedelta(hours=5, minutes=45)), ZONE]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    instant=near_a_change | anywhere,
    zone=in_a_zone,
    fold=st.sampled_from([0, 1]),
    age=st.sampled_from([None, "child", "teen", "adult", "older", 15, 70.0, "unknown"]),
    district=st.sampled_from(sorted(BOSTON.districts) + [None]),
    language=st.sampled_from(["en", "es", "ht"]),
    directory=st.sampled_from([DIRECTORY, OTHER_CLOCK]),
)
def test_the_memo_gives_what_working_it_out_afresh_gives(instant, zone, fold, age, district, language, directory):
    at = instant.astimezone(zone).replace(fold=fold)
    answers = dict(SESSION.state.answers)
    if age is None:
        answers.pop("age_group", None)
    else:
        answers["age_group"] = age
    state = replace(SESSION.state, answers=answers, now=at, district=district, language=language)
    names = SESSION.assessment.names
    # The assessment of this state, as the walk leaves it (the same answers: the same names), and one
    # built by hand, whose referral lookup the step gathers itself.
    key, minute = referral_key_of(BOSTON, state, names)
    walked = replace(SESSION.assessment, referral_key=key, referral_minute=minute)
    by_hand = replace(SESSION.assessment, referral_key=None)
    offers = referrals_for_call(BOSTON, directory, state, walked)
    again = referrals_for_call(BOSTON, directory, state, walked)
    plan = _plan(BOSTON)
    block = BOSTON.document.referrals
    fired = tuple(plan.rules[i] for i in mask_indexes(plan.mask(names)))
    minute = minute_of_week(at.astimezone(directory.zone))
    fresh = work_out(fired, directory, district, language, _age(plan, age), minute, block.per_kind, block.most)
    assert fired and offers == fresh and again is offers
    assert referrals_for_call(BOSTON, directory, state, by_hand) is offers
