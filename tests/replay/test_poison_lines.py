"""Poison lines in a calls file (issue 10, reproducer 5): each is reported by its line number and the
run goes on, in ``replay``, ``records import-calls`` and ``export --call``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.replay.calls import BadLine, parse_lines, replay_lines
from crisis_triage.replay.generate_calls import generate_calls

BOSTON = str(Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml")

POISON = {
    "huge integer": '{"id":"b","answers":{"weapon":' + "1" * 4301 + "}}",
    "deep nesting": '{"id":"b","tags":' + "[" * 1000 + "]" * 1000 + "}",
    "lone surrogate": '{"id":"\\ud800"}',
    "year one": '{"id":"b","at":"0001-01-01T00:00:00+00:00"}',
    "nested answer": '{"id":"b","answers":{"presentation":[["voices"]]}}',
    "duplicate key": '{"id":"b","id":"c"}',
    "not an object": "[1, 2]",
    "NaN": '{"id":"b","answers":{"age":NaN}}',
    "too long": '{"id":"' + "x" * (2 * 1024 * 1024) + '"}',
}


@pytest.fixture(scope="module")
def good_lines(boston) -> list[str]:
    return [json.dumps(call) for call in generate_calls(boston, 2, seed=3)]


@pytest.mark.parametrize("name", sorted(POISON))
def test_each_poison_line_is_a_bad_line_and_the_next_line_is_read(boston, good_lines, name):
    lines = [good_lines[0], POISON[name], good_lines[1]]
    results = list(replay_lines(boston, lines))
    assert [type(r).__name__ for r in results] == ["dict", "BadLine", "dict"], results
    bad = results[1]
    assert isinstance(bad, BadLine) and bad.line == 2 and bad.message
    assert len(bad.message) < 400  # a sentence, not the poison echoed back


def test_every_poison_line_in_one_file_through_the_replay_command(tmp_path, good_lines):
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join([good_lines[0], *POISON.values(), good_lines[1]]) + "\n")
    result = CliRunner().invoke(cli, ["replay", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if line.startswith("{")]) == 2
    for number in range(2, 2 + len(POISON)):
        assert f"{path}:line {number}:" in result.stderr


def test_an_over_long_line_is_cut_while_reading_not_held_whole(tmp_path, good_lines):
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"id":"' + b"x" * (3 * 1024 * 1024) + b'"}\n' + good_lines[0].encode() + b"\n")
    with open(path, "rb") as handle:
        items = list(parse_lines(handle))
    assert [number for number, _ in items] == [1, 2]
    assert isinstance(items[0][1], BadLine) and "characters long" in items[0][1].message
    assert not isinstance(items[1][1], BadLine)


def test_import_calls_reports_poison_lines_and_imports_the_rest(good_lines):
    text = "\n".join([good_lines[0], *POISON.values(), good_lines[1]]) + "\n"
    result = CliRunner().invoke(cli, ["records", "import-calls", "-", "--local"], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "imported 2 calls" in result.stderr
    for number in range(2, 2 + len(POISON)):
        assert f":line {number}:" in result.stderr
    assert "ValidationError" not in result.stderr


def test_export_call_skips_poison_lines_and_names_them(tmp_path, good_lines):
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join([*POISON.values(), good_lines[0]]) + "\n")
    result = CliRunner().invoke(cli, ["export", BOSTON, "--format", "fhir", "--call", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resourceType"] == "QuestionnaireResponse"
    for number in range(1, 1 + len(POISON)):
        assert f"{path}:line {number}:" in result.stderr
