"""Diff on the shipped Boston versions: the structural changes and the expected shifts."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crisis_triage.authoring.diff import structural_changes
from crisis_triage.authoring.outcome_shift import outcome_shift, scenario_shift
from crisis_triage.cli import cli
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.replay.generate_calls import generate_calls
from tests.authoring.conftest import ROOT

NEW = ROOT / "protocols" / "boston-mh-crisis.yaml"
OLD = ROOT / "protocols" / "history" / "boston-mh-crisis-2026.10.2.yaml"
#: The community-led pilot version (2026.10.2 -> 2026.11.1 is the shift the first tests pin).
PILOT = ROOT / "protocols" / "history" / "boston-mh-crisis-2026.11.1.yaml"
SCENARIOS = ROOT / "protocols" / "scenarios"


def test_structural_changes_name_the_pilot_and_the_elevated_rule():
    changes = [str(c) for c in structural_changes(load_protocol(OLD), load_protocol(PILOT))]
    assert "~ version: 2026.10.2 -> 2026.11.1" in changes
    assert "+ model community_led: team peer" in changes
    assert "~ rule elevated_risk: recommend: co_response -> alternative_response" in changes
    assert "~ rule low_risk_wants_visit: recommend: alternative_response -> community_led" in changes


def test_structural_changes_of_questions_and_scores(boston, boston_text):
    from crisis_triage.protocol.loader import parse_protocol

    edited = boston_text.replace(
        "risk: {yes: 6, unknown: 3}\n        sets:\n          weapon_present",
        "risk: {yes: 7, unknown: 4}\n        sets:\n          weapon_present",
    )
    edited = edited.replace(
        "          - {id: withdrawn,",
        "          - {id: pacing, label: {en: Pacing, es: Caminando}}\n          - {id: withdrawn,",
    )
    changes = [str(c) for c in structural_changes(boston, parse_protocol(edited))]
    assert "~ question weapon: risk: unknown 3 -> 4; yes 6 -> 7" in changes
    assert "+ option presentation.pacing: Pacing" in changes


def test_the_shift_on_synthetic_calls_is_the_expected_one():
    old, new = load_protocol(OLD), load_protocol(PILOT)
    calls = [json.dumps(call) for call in generate_calls(new, 400, seed=3)]
    matrix, bad = outcome_shift(old, new, calls)
    assert bad == 0 and matrix.total == 400
    shifts = {(a, b): n for a, b, n, _ in matrix.shifts()}
    # elevated risk and no safety risk: no more police
    assert shifts.get(("co_response", "alternative_response"), 0) > 0
    # only these two shifts can happen between the versions
    assert set(shifts) <= {("co_response", "alternative_response"), ("alternative_response", "community_led")}
    examples = matrix.examples[("co_response", "alternative_response")]
    assert 1 <= len(examples) <= 3 and all(e.startswith("syn-3-") for e in examples)
    # nothing with a safety risk moved: police stay on those calls
    assert matrix.counts[("police_emergency", "police_emergency")] > 0


def test_scenarios_that_change_verdict():
    old, new = load_protocol(OLD), load_protocol(NEW)
    matrix, changed, problems = scenario_shift(old, new, str(SCENARIOS))
    assert problems == []
    assert matrix.total >= 10 and matrix.changed > 0
    # the library was written for the current protocol: scenarios the old version got "wrong" are fixed
    assert changed and all(c.new_status == "ok" for c in changed)
    # and the other way round, the old protocol now fails them
    _, reverse, _ = scenario_shift(new, old, str(SCENARIOS))
    assert {c.scenario for c in reverse} == {c.scenario for c in changed}
    # (or cannot play them at all: 2026.12's scenarios answer questions 2026.10.2 does not ask)
    assert all(c.new_status in ("differs", "disputed", "error") for c in reverse)


def test_cli_diff_with_calls_and_scenarios(tmp_path):
    calls = tmp_path / "calls.jsonl"
    pilot = load_protocol(PILOT)
    calls.write_text(
        "".join(json.dumps(c) + "\n" for c in generate_calls(pilot, 150, seed=4)) + "not json\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["diff", str(OLD), str(PILOT), "--calls", str(calls), "--scenarios", str(SCENARIOS)]
    )
    assert result.exit_code == 0, result.output
    assert "co_response -> alternative_response" in result.output
    assert "old \\ new" in result.output and "1 bad lines skipped" in result.output
    assert "scenario verdicts that change:" in result.output
    result = CliRunner().invoke(cli, ["diff", str(OLD), str(PILOT), "--calls", str(calls), "--json"])
    data = json.loads(result.output)
    assert data["calls"]["changed"] > 0 and data["calls"]["bad_lines"] == 1
