"""Referrals by age band (issue 16): the Boston protocol's age_group question against the services' age limits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crisis_triage.engine import session_from_answers
from crisis_triage.engine.referrals import referrals_for_call
from crisis_triage.protocol import load_protocol
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.protocol.errors import ProtocolError
from crisis_triage.protocol.loader import parse_protocol

ROOT = Path(__file__).resolve().parents[2]
BOSTON_PATH = ROOT / "protocols" / "boston-mh-crisis.yaml"
BOSTON = load_protocol(BOSTON_PATH)
DIRECTORY = load_directory_for(BOSTON)
WEDNESDAY_NOON = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 12:00 in Boston: most services open

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


def _offers(age_group: str | None, door: str = "self"):
    answers = dict(NO_RISK) if age_group is None else dict(NO_RISK, age_group=age_group)
    session = session_from_answers(BOSTON, answers, at=WEDNESDAY_NOON, door=door, district="B2")
    return referrals_for_call(BOSTON, DIRECTORY, session.state, session.assessment)


def _fits(offer, low: int, high: int) -> bool:
    serves = offer.service.serves
    return (serves.min_age is None or high >= serves.min_age) and (serves.max_age is None or low <= serves.max_age)


def test_a_teen_is_offered_youth_services_and_no_adults_only_service():
    offers = _offers("teen")
    assert any(o.kind == "youth" and o.rule == "young_person" for o in offers)
    assert all(_fits(o, 13, 17) for o in offers)
    assert not any(o.service.serves.min_age == 18 for o in offers)


def test_an_older_adult_is_offered_elder_services_and_a_family_caller_is_offered_them_too():
    alone = _offers("older")
    assert any(o.kind == "older_adult" and o.to == "person" and o.rule == "older_adult" for o in alone)
    assert not any(o.kind == "youth" for o in alone)
    family = _offers("older", door="family")
    assert any(o.kind == "older_adult" and o.to == "family" and o.rule == "older_adult_family" for o in family)
    assert all(o.service.serves.family for o in family if o.to == "family")


def test_an_adult_gets_neither_and_unknown_matches_any_age():
    adult = _offers("adult")
    assert not any(o.rule in ("young_person", "older_adult") for o in adult)
    assert all(_fits(o, 18, 64) for o in adult)
    # Not asked, or "unknown": no age rule fires and no service is left out for its age limits.
    assert [o.service_id for o in _offers("unknown")] == [o.service_id for o in _offers(None)]


def _with_referrals_block(replacement: str) -> str:
    text = BOSTON_PATH.read_text(encoding="utf-8")
    start = text.index("  age_question: age_group\n")
    end = text.index("  rules:\n", start)
    return text[:start] + replacement + text[end:]


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("  age_question: age_group\n  age_bands: {teen: [13, 17], oldr: [65, 120]}\n", 'did you mean "older"'),
        ("  age_question: age_group\n", "a choice question with age_bands"),
        ("  age_question: age_group\n  age_bands: {teen: [17, 13]}\n", 'age band "teen" runs from 17 down to 13'),
        ("  age_bands: {teen: [13, 17]}\n", "age_bands needs an age_question"),
    ],
)
def test_age_bands_are_checked_with_their_location(block, message):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(_with_referrals_block(block), "boston.yaml")
    problems = [p for p in caught.value.problems if message in p.message]
    assert problems, [p.message for p in caught.value.problems]
    assert problems[0].line > 1000  # located in the referrals block at the end of the file
