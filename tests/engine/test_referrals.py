"""The referral step: matching, hours across midnight and daylight saving, language, the property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine import session_from_answers
from crisis_triage.engine.referral_ranking import work_out
from crisis_triage.engine.referrals import offer_referrals, referrals_for_call
from crisis_triage.protocol import load_protocol
from crisis_triage.protocol.directory import WeeklyHours, load_directory_for, minute_of_week, parse_directory

ROOT = Path(__file__).resolve().parents[2]
BOSTON = load_protocol(ROOT / "protocols" / "boston-mh-crisis.yaml")
DIRECTORY = load_directory_for(BOSTON)
TZ = ZoneInfo("America/New_York")

NO_RISK = {
    "location": "1 Main St",
    "hurt_or_unresponsive": "no",
    "took_substance": "no",
    "attempt_now": "no",
    "weapon": "no",
    "violence": "no",
    "threats": "no",
    "crime": "no",
    "children": "no",
}


def _offers(answers, *, at, door="self", district="C11", language="en"):
    session = session_from_answers(BOSTON, answers, at=at, door=door, district=district, language=language)
    return referrals_for_call(BOSTON, DIRECTORY, session.state, session.assessment)


def _directory(services_yaml: str, timezone_name: str = "America/New_York"):
    text = f"directory: {{id: t, title: T, timezone: {timezone_name}}}\nservices:\n{services_yaml}"
    return parse_directory(text, "t.yaml", BOSTON)


def _names(**extra):
    from crisis_triage.engine.evaluate import defaults

    ns = defaults(BOSTON).copy()
    ns.update(door="self", caller="self", line=None, district="C11", language="en", hour=12.0)
    ns.update(extra)
    return ns


SERVICE = """  - id: {id}
    kind: {kind}
    name: {id}
    hours: {hours}
    languages: {languages}
    refer: [{{how: phone, detail: "555"}}]
    last_verified: 2026-01-01
"""


def _service(id, kind="detox_recovery", hours='["24/7"]', languages="[en]", extra=""):
    return SERVICE.format(id=id, kind=kind, hours=hours, languages=languages) + extra


# -- matching ----------------------------------------------------------------------------------------
def test_substance_use_on_a_family_call_offers_detox_and_family_support():
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 10:00 in Boston
    offers = _offers(dict(NO_RISK, took_substance="yes", overdose_signs="no"), at=at, door="family")
    kinds = [(o.kind, o.to) for o in offers]
    assert ("detox_recovery", "person") in kinds
    assert ("family_support", "family") in kinds
    family = [o for o in offers if o.to == "family"]
    assert all(o.service.serves.family for o in family)
    assert {o.rule for o in offers} >= {"substance_use", "family_caller"}
    for offer in offers:
        assert offer.because["en"]


def test_no_rule_holds_no_referral_and_no_directory_block_no_referral():
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    # A weapon: every rule in the shipped block needs no safety risk, a substance, a family caller ...
    offers = _offers(dict(NO_RISK, weapon="yes", weapon_use="no"), at=at)
    assert offers == ()
    from dataclasses import replace

    bare = replace(BOSTON, referral_rules=())
    assert offer_referrals(bare, DIRECTORY, _names(), district="C11", language="en", at=at) == ()


def test_district_catchment_and_citywide():
    directory = _directory(
        _service("local_a7", extra="    districts: [A7]\n    serves: {needs: [substance_use]}\n")
        + _service("citywide", extra="    serves: {needs: [substance_use]}\n")
    )
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    names = _names(intoxicated=True)
    in_a7 = offer_referrals(BOSTON, directory, names, district="A7", language="en", at=at)
    assert [o.service_id for o in in_a7] == ["local_a7", "citywide"]  # the catchment's own service first
    assert in_a7[0].local and not in_a7[1].local
    elsewhere = offer_referrals(BOSTON, directory, names, district="E18", language="en", at=at)
    assert [o.service_id for o in elsewhere] == ["citywide"]
    unknown = offer_referrals(BOSTON, directory, names, district=None, language="en", at=at)
    assert [o.service_id for o in unknown] == ["citywide"]


def test_need_and_age_limits():
    directory = _directory(
        _service("alcohol_only", extra="    serves: {needs: [substance_use], min_age: 18}\n")
        + _service("housing_only", extra="    serves: {needs: [homelessness]}\n")
        + _service("teens", extra="    serves: {max_age: 17}\n")
    )
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    names = _names(intoxicated=True)
    adult = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=at, age=40)
    assert [o.service_id for o in adult] == ["alcohol_only"]  # per_kind 2, but housing_only meets no need
    teen = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=at, age=15)
    assert [o.service_id for o in teen] == ["teens"]
    unknown_age = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=at)
    assert [o.service_id for o in unknown_age] == ["alcohol_only", "teens"]


def test_language_preference_ranks_but_does_not_exclude():
    directory = _directory(
        _service("english", languages="[en]")
        + _service("haitian", languages="[en, ht]")
        + _service("spanish", languages="[en, es]")
    )
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    names = _names(intoxicated=True)
    spanish = offer_referrals(BOSTON, directory, names, district="C11", language="es", at=at)
    assert [o.service_id for o in spanish] == ["spanish", "english"]
    assert spanish[0].speaks_language and not spanish[1].speaks_language
    english = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=at)
    assert [o.service_id for o in english] == ["english", "haitian"]  # all speak English: the author's order


def test_open_now_beats_language_and_closed_services_say_when_they_open():
    directory = _directory(
        _service("spanish_weekdays", hours='["mon-fri 09:00-17:00"]', languages="[en, es]")
        + _service("english_always", languages="[en]")
    )
    saturday_night = datetime(2026, 12, 5, 23, 0, tzinfo=TZ)
    offers = offer_referrals(
        BOSTON, directory, _names(intoxicated=True), district="C11", language="es", at=saturday_night
    )
    assert [o.service_id for o in offers] == ["english_always", "spanish_weekdays"]
    assert offers[0].open_now and offers[0].opens_at(directory, saturday_night) is None
    assert not offers[1].open_now
    assert offers[1].opens_at(directory, saturday_night) == datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # Monday 09:00


# -- hours ---------------------------------------------------------------------------------------
def test_hours_past_midnight_belong_to_the_day_they_open():
    hours = WeeklyHours.parse(["fri 20:00-08:00"])
    friday = datetime(2026, 12, 4)
    assert hours.is_open_at(minute_of_week(friday.replace(hour=21)))
    assert hours.is_open_at(minute_of_week(friday.replace(hour=23, minute=59)))
    assert hours.is_open_at(minute_of_week(datetime(2026, 12, 5, 3, 0)))  # Saturday 03:00
    assert not hours.is_open_at(minute_of_week(datetime(2026, 12, 5, 8, 0)))  # closes at 08:00
    assert not hours.is_open_at(minute_of_week(datetime(2026, 12, 4, 3, 0)))  # Friday 03:00: Thursday night


def test_sunday_night_wraps_into_monday_and_ranges_wrap_the_week():
    hours = WeeklyHours.parse(["sun 22:00-02:00"])
    assert hours.is_open_at(minute_of_week(datetime(2026, 12, 6, 23, 0)))  # Sunday
    assert hours.is_open_at(minute_of_week(datetime(2026, 12, 7, 1, 30)))  # Monday
    assert not hours.is_open_at(minute_of_week(datetime(2026, 12, 7, 2, 0)))
    weekend = WeeklyHours.parse(["fri-mon 10:00-12:00"])
    open_days = [d for d in range(7) if weekend.is_open_at(d * 1440 + 11 * 60)]
    assert open_days == [0, 4, 5, 6]
    assert WeeklyHours.parse(["24/7"]).always
    assert WeeklyHours.parse(["daily 00:00-24:00"]).always


def test_opening_hours_follow_the_wall_clock_across_daylight_saving():
    directory = _directory(_service("clinic", hours='["daily 08:00-20:00"]'))
    names = _names(intoxicated=True)
    # 12:30 UTC is 07:30 EST before the change (closed) and 08:30 EDT after it (open).
    before = datetime(2026, 3, 7, 12, 30, tzinfo=UTC)
    after = datetime(2026, 3, 8, 12, 30, tzinfo=UTC)
    closed = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=before)[0]
    assert not closed.open_now and closed.opens_at(directory, before) == datetime(2026, 3, 7, 8, 0, tzinfo=TZ)
    assert offer_referrals(BOSTON, directory, names, district="C11", language="en", at=after)[0].open_now
    # Closed on the night the clocks go forward: it opens at 08:00 EDT, which is 12:00 UTC, not 13:00.
    night = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    opens = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=night)[0].opens_at(
        directory, night
    )
    assert opens.astimezone(UTC) == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    # And back in November: 08:00 EST is 13:00 UTC.
    autumn = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 01:00 EST (after the change)
    opens = offer_referrals(BOSTON, directory, names, district="C11", language="en", at=autumn)[0].opens_at(
        directory, autumn
    )
    assert opens.astimezone(UTC) == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_a_service_that_never_opens_is_never_offered_and_caps_hold():
    directory = _directory("".join(_service(f"s{i}") for i in range(5)))
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    offers = offer_referrals(BOSTON, directory, _names(intoxicated=True), district="C11", language="en", at=at)
    assert len(offers) == BOSTON.document.referrals.per_kind


# -- the property --------------------------------------------------------------------------------
DISTRICTS = sorted(BOSTON.districts)
FACTS = ["intoxicated", "overdose", "safety_risk", "medical_emergency"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.integers(0, 2 * 365 * 24 * 60),
    district=st.sampled_from(DISTRICTS + [None]),
    language=st.sampled_from(["en", "es"]),
    door=st.sampled_from(["self", "family", "bystander", "professional"]),
    facts=st.sets(st.sampled_from(FACTS)),
    presentation=st.sets(st.sampled_from(["voices", "confused", "unsafe_outside", "distressed"])),
    band=st.sampled_from(["none", "low", "elevated", "high", "imminent"]),
)
def test_every_offered_service_is_open_or_shown_next_open_and_serves_the_district(
    minutes, district, language, door, facts, presentation, band
):
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    names = _names(
        caller=BOSTON.doors[door].caller,
        presentation=frozenset(presentation),
        band=band,
        band_rank=BOSTON.band_ids.index(band),
        **dict.fromkeys(facts, True),
    )
    offers = offer_referrals(BOSTON, DIRECTORY, names, district=district, language=language, at=at)
    assert len(offers) <= BOSTON.document.referrals.most
    assert len({(o.service_id, o.to) for o in offers}) == len(offers)
    local = DIRECTORY.local(at)
    for offer in offers:
        service = DIRECTORY.by_id[offer.service_id]
        assert service.serves_district(district)
        assert service.spec.districts is None or district in service.spec.districts
        assert offer.speaks_language == (language in service.spec.languages)
        local = DIRECTORY.local(at)
        opens = offer.opens_at(DIRECTORY, at)
        if offer.open_now:
            assert service.hours.is_open_at(minute_of_week(local))
            assert opens is None
        else:
            assert not service.hours.is_open_at(minute_of_week(local))
            assert opens is not None and opens > at
            assert opens - at <= timedelta(days=7, hours=1)
            assert service.hours.is_open_at(minute_of_week(DIRECTORY.local(opens)))
            # Nothing in between: it was closed the minute before it opens.
            assert not service.hours.is_open_at((minute_of_week(DIRECTORY.local(opens)) - 1) % (7 * 1440))
    # The memo gives what working it out afresh at this very minute gives.
    fired = tuple(r.spec for r in BOSTON.referral_rules if r.when is None or r.when.test(names))
    block = BOSTON.document.referrals
    fresh = work_out(fired, DIRECTORY, district, language, None, minute_of_week(local), block.per_kind, block.most)
    assert [(o.service_id, o.to, o.open_now, o.opens_at(DIRECTORY, at)) for o in fresh] == [
        (o.service_id, o.to, o.open_now, o.opens_at(DIRECTORY, at)) for o in offers
    ]
    # Ranked: within one rule's kind, an open service never follows a closed one.
    for rule_kind in {(o.rule, o.kind) for o in offers}:
        group = [o.open_now for o in offers if (o.rule, o.kind) == rule_kind]
        assert group == sorted(group, reverse=True)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_shipped_directory_offers_in_spanish_where_it_can(language):
    at = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    offers = _offers(dict(NO_RISK, took_substance="yes", overdose_signs="no"), at=at, language=language)
    assert offers and all(o.speaks_language for o in offers)
