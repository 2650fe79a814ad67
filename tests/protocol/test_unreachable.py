"""Questions no call can reach are refused; reachable ones are never reported (the check is sound)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings, strategies as st
from protocol_edits import edit, line_of, only, problems

from crisis_triage.engine import CallSession, CallStarted
from crisis_triage.protocol import ProtocolError, parse_protocol
from crisis_triage.protocol.conditions import compile_condition
from crisis_triage.protocol.reachability import Reachability, door_callers


@pytest.fixture(scope="session")
def boston_text(boston_2026_11_text):
    """These tests edit exact lines of the protocol: the frozen 2026.11.1 text."""
    return boston_2026_11_text


PROVIDER = "      - id: provider\n        required: false\n"


def with_provider(boston_text: str, extra: str) -> str:
    return edit(boston_text, (PROVIDER, PROVIDER + extra))


def test_contradictory_answers(boston_text):
    text = with_provider(boston_text, '        when: weapon == "yes" and weapon == "no"\n')
    problem = only(problems(text), "unreachable")
    assert problem.line == line_of(text, 'weapon == "yes" and weapon == "no"')
    assert "can never be asked" in problem.message and "weapon" in problem.message


def test_contradictory_bands(boston_text):
    text = with_provider(boston_text, '        when: band >= "high" and band in ["none", "low"]\n')
    assert only(problems(text), "unreachable").path[-1] == "when"


def test_door_condition_against_the_doors_it_is_limited_to(boston_text):
    text = with_provider(
        boston_text, '        doors: [self]\n        when: door == "family" or caller == "bystander"\n'
    )
    problem = only(problems(text), "unreachable")
    assert "on the doors it is limited to (self)" in problem.message


def test_an_empty_doors_list(boston_text):
    text = with_provider(boston_text, "        doors: []\n")
    problem = only(problems(text), "unreachable")
    assert (problem.line, problem.column) == (line_of(text, "doors: []"), 9)
    assert "doors` list is empty" in problem.message


def test_unreachability_carries_over_to_questions_that_need_the_answer(boston_text):
    text = with_provider(boston_text, '        when: suicide_level == "plan_and_intent" and suicide_level == "none"\n')
    text = edit(
        text,
        (
            "      - id: police_concern\n        required: false\n",
            '      - id: police_concern\n        required: false\n        when: provider == "yes" or answered(provider)\n',
        ),
    )
    found = problems(text)
    assert [p.code for p in found] == ["unreachable", "unreachable"]
    assert found[1].line == line_of(text, "answered(provider)")


def test_reachable_looking_odd_conditions_are_not_reported(boston_text):
    # Numbers, text, hours and facts that look contradictory are not enumerated or are really
    # reachable (an interrupt can set weapon_present without the weapon question's yes).
    for condition in (
        "score > 1000",
        "hour < 0",
        'location == "nowhere"',
        'weapon == "no" and weapon_present',
        "not safety_risk and weapon_present",
        '"voices" in presentation and count(presentation) > 5',
        'district == "A1" and caller == "self"',
        'with_person == "yes" or door == "self"',
    ):
        parse_protocol(with_provider(boston_text, f"        when: '{condition}'\n"))


def test_every_question_of_the_shipped_protocol_is_reachable(boston):
    checker = Reachability(boston.name_types, boston.band_ids, door_callers(boston.document.doors))
    assert [q.id for q in boston.questions if checker.unreachable(q)] == []


# -- soundness against the engine ------------------------------------------------------------------
SMALL = """
protocol: {{id: small, title: Small, version: "1"}}
districts: [{{id: A1, name: Downtown}}]
doors:
  - {{id: self, caller: self, label: Self}}
  - {{id: family, caller: family, label: Family}}
lines: [{{id: e911, label: "911"}}]
facts: {{worried: Worried}}
sections:
  - id: main
    title: Main
    questions:
      - {{id: first, required: false, ask: First?, risk: {{yes: 5}}, sets: {{worried: answer == "unknown"}}}}
      - {{id: second, type: choice, required: false, ask: Second?, options: [red, blue]}}
      - id: target
        required: false
        ask: Target?
        when: '{condition}'
risk:
  bands: [{{id: none, min_score: 0, label: None}}, {{id: some, min_score: 5, label: Some}}]
responses:
  roles: {{phone: Phone}}
  models: [{{id: talk, name: Talk, team: [phone]}}]
  rules: [{{id: always, recommend: talk, because: Always}}]
"""

ATOMS = [
    'first == "yes"',
    'first == "no"',
    'first != "unknown"',
    "answered(first)",
    'second == "red"',
    'second in ["red", "blue"]',
    "worried",
    'band == "some"',
    'band == "none"',
    'door == "self"',
    'caller == "family"',
    "answered(second)",
]

conditions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a} and {b})", inner, inner),
        st.builds(lambda a, b: f"({a} or {b})", inner, inner),
        st.builds(lambda a: f"not {a}", inner),
    ),
    max_leaves=5,
)

AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _engine_can_ask_target(protocol) -> bool:
    """Try every door and every answer (or skip) to the first two questions, as a call-taker could."""
    for door, first, second in itertools.product(
        ["self", "family", None], ["yes", "no", "unknown", None], ["red", "blue", None]
    ):
        session = CallSession(protocol, CallStarted(at=AT, door=door))
        for qid, value in (("first", first), ("second", second)):
            if value is None:
                session.skip(qid, AT)
            else:
                session.answer(qid, value, AT)
        if any(a.question.id == "target" for a in session.assessment.asked):
            return True
    return False


@settings(max_examples=120, deadline=None)
@given(conditions)
def test_reported_unreachable_only_when_the_engine_never_asks_it(condition):
    text = SMALL.format(condition=condition)
    try:
        protocol = parse_protocol(text)
    except ProtocolError as exc:
        assert [p.code for p in exc.problems] == ["unreachable"], [str(p) for p in exc.problems]
        # Load the protocol without the condition, then give the engine the refused condition:
        # no door and no answers may make it ask the question.
        protocol = parse_protocol(SMALL.format(condition="true"))
        refused = compile_condition(condition, protocol.name_types, protocol.band_ids)
        object.__setattr__(protocol.question_by_id["target"], "when", refused)
        assert not _engine_can_ask_target(protocol), condition
    else:
        assert protocol.question_by_id["target"].when is not None
