"""Paths: every door's outcomes on the shipped protocol, checked against the engine; equivalence classes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crisis_triage.authoring.domains import protocol_uses
from crisis_triage.authoring.explore import answer_classes, explore, verify
from crisis_triage.authoring.paths import as_text, coverage
from crisis_triage.cli import cli
from crisis_triage.protocol.loader import parse_protocol
from tests.authoring.conftest import ROOT, SMALL
from tests.support.protocol_generator import generate_protocol_yaml

# Walked exactly on the frozen 2026.11.1 version; 2026.12 has too many paths to walk them all (it is sampled).
BOSTON = str(ROOT / "protocols" / "history" / "boston-mh-crisis-2026.11.1.yaml")


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """These tests pin exact questions and paths: the frozen 2026.11.1 protocol."""
    return boston_2026_11


def test_boston_is_walked_exactly_and_every_example_ends_where_the_engine_says(boston):
    exploration = explore(boston)
    assert exploration.exact
    assert verify(exploration) == []
    cov = coverage(exploration)
    assert cov["questions_asked"] == len(boston.questions)
    assert cov["bands_reached"] == list(boston.band_ids)
    assert cov["rules_fired"] == cov["rules"]
    assert set(exploration.doors) == set(boston.doors)
    # no wrong door: every door can end with every rule
    for door in boston.doors:
        assert {e.outcome.rule for e in exploration.ends if e.door == door} == set(cov["rules"])


def test_the_safety_guarantee_holds_on_every_path(boston):
    # a weapon, violence, threats or a crime never end without police (the domain's first principle)
    for end in explore(boston).ends:
        answers = end.example
        danger = any(answers.get(q) == "yes" for q in ("weapon", "violence", "threats", "crime"))
        if danger:
            assert "police" in end.outcome.team, end


def test_answers_that_behave_alike_are_one_class(boston):
    uses = protocol_uses(boston)
    classes, complete = answer_classes(boston.question_by_id["weapon"], uses.get("weapon"))
    assert complete and sorted(c.value for c in classes) == ["no", "unknown", "yes"]
    # nobody reads "location": every text answer is the same to the protocol
    classes, _ = answer_classes(boston.question_by_id["location"], uses.get("location"))
    assert len(classes) == 1
    # six options, 64 subsets, but only the points and facts tell them apart
    classes, complete = answer_classes(boston.question_by_id["presentation"], uses.get("presentation"))
    assert complete and sum(c.weight for c in classes if not c.skipped) == 64 and len(classes) < 20


def test_a_larger_protocol_verifies_against_the_engine():
    protocol = parse_protocol(generate_protocol_yaml(60, 2))
    exploration = explore(protocol)
    assert exploration.ends
    assert verify(exploration) == []


def test_small_protocol_table(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["paths", str(path), "--door", "self", "--verify"])
    assert result.exit_code == 0, result.output
    assert "(exact)" in result.output and "rules applied 3/3" in result.output
    assert "0 mismatches" in result.output


def test_cli_json_per_door():
    result = CliRunner().invoke(
        cli, ["paths", BOSTON, "--door", "family", "--json", "--district", "B2", "--hour", "14"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["exact"] and data["doors"] == ["family"] and data["district"] == "B2"
    models = {row["preferred_model"]: row["model"] for row in data["rows"]}
    assert models["community_led"] == "community_led"  # B2 at 14:00 is inside the pilot's hours
    assert all(row["paths"] > 0 and row["example"] for row in data["rows"])


def test_text_table_reads_per_door(boston):
    text = as_text(explore(boston, doors=["self"], district="C11", hour=23))
    assert "community_led" in text and "alternative_response" in text  # after hours: the fallback is sent
    assert text.splitlines()[0].startswith("Paths through boston_mh_crisis")


def test_every_real_call_ends_in_a_row_of_the_table(boston):
    """Completeness: synthetic calls (answers drawn as a caller would give them) never end in a
    band and rule the walk did not list for their door."""
    from crisis_triage.replay.calls import CallRecord, replay_call
    from crisis_triage.replay.generate_calls import generate_calls

    rows = {(e.door, e.outcome.band, e.outcome.rule, e.outcome.preferred_model) for e in explore(boston).ends}
    checked = 0
    for data in generate_calls(boston, 300, seed=11):
        if data["interrupts"]:
            continue  # the table is about answers; interrupts are recorded out of order
        result = replay_call(boston, CallRecord.model_validate(data))
        assert (data["door"], result["band"], result["rule"], result["preferred_model"]) in rows, data["id"]
        checked += 1
    assert checked > 250


def test_on_generated_protocols_the_walk_is_sound_and_complete():
    """On generated protocols small enough to walk exactly: every row's example ends where the
    engine says, and no synthetic call ends outside the table."""
    from hypothesis import HealthCheck, given, settings, strategies as st

    from crisis_triage.replay.calls import CallRecord, replay_call
    from crisis_triage.replay.generate_calls import generate_calls

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(size=st.integers(min_value=9, max_value=24), seed=st.integers(min_value=1, max_value=10_000))
    def check(size, seed):
        protocol = parse_protocol(generate_protocol_yaml(size, seed))
        exploration = explore(protocol, hour=12, district="B2")
        assert verify(exploration) == []  # sound, even when the walk had to sample
        if not exploration.exact:
            return
        rows = {(e.door, e.outcome.band, e.outcome.rule) for e in exploration.ends}
        for data in generate_calls(protocol, 40, seed=seed):
            if data["interrupts"]:
                continue
            result = replay_call(protocol, CallRecord.model_validate(data))
            assert (data["door"], result["band"], result["rule"]) in rows, (size, seed, data)

    check()


def test_max_states_turns_a_sampled_walk_exact(tmp_path):
    path = tmp_path / "generated.yaml"
    path.write_text(generate_protocol_yaml(24, 106), encoding="utf-8")
    sampled = CliRunner().invoke(cli, ["paths", str(path), "--json"])
    exact = CliRunner().invoke(cli, ["paths", str(path), "--json", "--max-states", "20000"])
    assert sampled.exit_code == exact.exit_code == 0
    assert not json.loads(sampled.output)["exact"] and "--max-states" in json.loads(sampled.output)["notes"][0]
    data = json.loads(exact.output)
    assert data["exact"] and len(data["rows"]) >= len(json.loads(sampled.output)["rows"])
