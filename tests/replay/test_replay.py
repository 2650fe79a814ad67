"""Replay of calls files: results per call, bad lines reported and skipped, the summary table."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.engine import session_from_answers
from crisis_triage.replay.calls import BadLine, CallRecord, Summary, parse_lines, replay_lines
from crisis_triage.replay.generate_calls import generate_calls, stream_calls

FIELDS = {
    "id",
    "model",
    "preferred_model",
    "team",
    "notify",
    "band",
    "score",
    "suicide_level",
    "rule",
    "fallback",
    "guarantees",
    "rationale",
    "notes",
    "deciding",
    "facts",
    "provisional",
    "dropped",
}


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """The one-call tests pin exact answers, scores and rules: the frozen 2026.11.1 protocol."""
    return boston_2026_11


GOOD = {
    "id": "c1",
    "door": "family",
    "district": "B2",
    "language": "en",
    "at": "2026-03-10T12:00:00-04:00",
    "answers": {
        "location": "Dudley St",
        "with_person": "yes",
        "hurt_or_unresponsive": "no",
        "took_substance": "no",
        "attempt_now": "no",
        "weapon": "yes",
        "weapon_use": "no",
        "violence": "no",
        "threats": "yes",
        "crime": "no",
        "children": "no",
        "wish_dead": "no",
        "suicidal_thoughts": "no",
        "past_behaviour": "no",
    },
    "interrupts": [],
}


def test_one_call_gives_every_field_and_matches_the_engine(boston):
    [result] = list(replay_lines(boston, [json.dumps(GOOD)]))
    assert set(result) == FIELDS
    assert result["id"] == "c1" and result["model"] == "co_response" and result["team"] == ["police", "clinician"]
    assert result["band"] == "high" and result["score"] == 11 and result["rule"] == "public_safety_risk"
    assert result["rationale"].startswith("A mental-health call with a public-safety risk")
    assert result["deciding"] == {"safety_risk": True}
    assert "weapon_present" in result["facts"]
    assert result["provisional"] is False  # every required question is answered (the rest are optional)
    session = session_from_answers(
        boston, GOOD["answers"], at=datetime.fromisoformat(GOOD["at"]), door="family", district="B2"
    )
    assert result["model"] == session.assessment.recommendation.model
    assert result["score"] == session.assessment.risk.score


def test_fallback_and_dropped_answers_are_reported(boston):
    call = dict(GOOD, id="c2", answers=dict(GOOD["answers"], weapon="no"), unavailable={"co_response": "no car"})
    [result] = list(replay_lines(boston, [json.dumps(call)]))
    assert result["dropped"] == ["weapon_use"]
    assert (result["preferred_model"], result["model"]) == ("co_response", "police_emergency")
    assert result["fallback"] == [{"from": "co_response", "to": "police_emergency", "reason": "no car"}]


def test_a_json_true_answer_means_yes(boston):
    call = dict(GOOD, answers=dict(GOOD["answers"], threats=True, weapon=False))
    [result] = list(replay_lines(boston, [json.dumps(call)]))
    assert "threat_to_others" in result["facts"] and "weapon_present" not in result["facts"]


BAD_LINES = [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 3: expected a JSON object"),
    (json.dumps({"door": "self"}), "line 4: id: Field required"),
    (
        json.dumps({"id": "x", "answers": {"wepon": "yes"}}),
        'line 5: call x: no question "wepon" (did you mean "weapon"?)',
    ),
    (json.dumps({"id": "y", "answers": {"weapon": "maybe"}}), 'line 6: call y: "maybe" is not an answer to "weapon"'),
    (json.dumps({"id": "z", "district": "Z9"}), 'line 7: call z: unknown district "Z9"'),
    (json.dumps({"id": "w", "colour": "red"}), "line 8: colour: Extra inputs are not permitted"),
    (json.dumps({"id": "v", "at": "yesterday"}), "line 9: at: Input should be a valid datetime"),
]


def test_bad_lines_are_reported_with_their_number_and_the_run_goes_on(boston):
    lines = [json.dumps(GOOD)] + [text for text, _ in BAD_LINES] + ["", json.dumps(dict(GOOD, id="last"))]
    results = list(replay_lines(boston, lines))
    bad = [r for r in results if isinstance(r, BadLine)]
    good = [r for r in results if not isinstance(r, BadLine)]
    assert [g["id"] for g in good] == ["c1", "last"]
    assert len(bad) == len(BAD_LINES)
    for problem, (_, expected) in zip(bad, BAD_LINES):
        assert str(problem).startswith(expected), str(problem)


def test_parse_lines_skips_blank_lines_but_counts_them():
    items = list(parse_lines(["", json.dumps({"id": "a"}), "   "]))
    assert [(n, type(item)) for n, item in items] == [(2, CallRecord)]


# -- the command -----------------------------------------------------------------------------------
@pytest.fixture
def calls_file(tmp_path, shipped):
    path = tmp_path / "calls.jsonl"
    calls = list(generate_calls(shipped, 60, seed=3))
    lines = [json.dumps(c) for c in calls]
    lines.insert(10, "{broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, calls


def test_replay_command_writes_one_json_line_per_call_and_reports_bad_lines(calls_file):
    path, calls = calls_file
    result = CliRunner().invoke(cli, ["replay", str(path)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [c["id"] for c in calls]
    assert all(set(r) == FIELDS for r in rows)
    assert (
        result.stderr.strip()
        == f"{path}:line 11: not valid JSON: Expecting property name enclosed in double quotes at column 2"
    )


def test_summary_table_counts_add_up(calls_file, tmp_path):
    path, _calls = calls_file
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["replay", "--summary", "-o", str(out), str(path)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    table = result.stdout
    assert table.splitlines()[0] == "60 calls replayed through boston_mh_crisis 2026.12.1, 1 bad lines skipped"
    counts = _table_counts(table)
    assert sum(counts["model"].values()) == sum(counts["band"].values()) == 60
    for model, n in counts["model"].items():
        assert n == sum(r["model"] == model for r in rows)
    for band, n in counts["band"].items():
        assert n == sum(r["band"] == band for r in rows)
    police = sum("police" in r["team"] for r in rows)
    assert f"police involved: {police} ({100 * police / 60:.1f}%)" in table


def test_summary_goes_to_stderr_when_results_go_to_stdout(calls_file):
    path, _ = calls_file
    result = CliRunner().invoke(cli, ["replay", "--summary", str(path)])
    assert "calls replayed through" in result.stderr and "calls replayed through" not in result.stdout


def test_summary_only(calls_file):
    path, _ = calls_file
    result = CliRunner().invoke(cli, ["replay", "--summary-only", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith("60 calls replayed") and "{" not in result.stdout


def test_a_file_of_only_bad_lines_exits_1(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("nope\n[]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", str(path)])
    assert result.exit_code == 1 and "line 1: not valid JSON" in result.stderr and "line 2:" in result.stderr


def test_a_broken_protocol_is_reported_not_raised(tmp_path, calls_file):
    path, _ = calls_file
    protocol = tmp_path / "p.yaml"
    protocol.write_text("protocol: [\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["replay", "--protocol", str(protocol), str(path)])
    assert result.exit_code == 1 and "error[yaml-syntax]" in result.stderr and "Traceback" not in result.output


def test_generate_calls_command(boston):
    result = CliRunner().invoke(cli, ["generate-calls", "-n", "30", "--seed", "4", "--distinct", "10"])
    calls = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(calls) == 30 and len({c["id"] for c in calls}) == 30
    assert calls[10]["answers"] == calls[0]["answers"]


def test_stream_calls_repeats_a_pool_under_new_ids(boston):
    calls = list(stream_calls(boston, 25, seed=2, distinct=10))
    assert len(calls) == 25 and len({c["id"] for c in calls}) == 25
    assert [c["answers"] for c in calls[10:20]] == [c["answers"] for c in calls[:10]]
    assert list(stream_calls(boston, 5, seed=2, distinct=10)) == calls[:5]


def test_summary_add():
    summary = Summary()
    summary.add({"model": "call_line", "band": "none", "fallback": [], "team": ["call_line"]})
    summary.add({"model": "co_response", "band": "high", "fallback": [{"from": "a"}], "team": ["police"]})
    assert (summary.calls, summary.fallbacks, summary.with_police) == (2, 1, 1)
    assert summary.per_model == {"call_line": 1, "co_response": 1}


def _table_counts(table: str) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    current = None
    for line in table.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "calls":
            current = counts.setdefault(parts[0], {})
        elif current is not None and len(parts) == 3 and parts[2].endswith("%"):
            current[parts[0]] = int(parts[1])
        elif not parts:
            current = None
    return counts


def test_decision_only_results_agree_with_full_results(boston):
    lines = [json.dumps(c) for c in generate_calls(boston, 300, seed=8)]
    for full, fast in zip(replay_lines(boston, lines), replay_lines(boston, lines, decision_only=True)):
        assert fast == {
            "id": full["id"],
            "model": full["model"],
            "preferred_model": full["preferred_model"],
            "team": full["team"],
            "band": full["band"],
            "score": full["score"],
            "fallback": bool(full["fallback"]),
        }


def test_a_line_that_is_not_utf8_is_reported_and_skipped(tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_bytes(b'{"id": "a"}\n\xff\xfe{"id": "b"}\n{"id": "c", "door": "self"}\n')
    result = CliRunner().invoke(cli, ["replay", str(path)])
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "c"]
    assert result.stderr.strip() == f"{path}:line 2: not UTF-8 text (byte 1 of the line)"
