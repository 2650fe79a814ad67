"""Replay split across processes: the same output, in input order, whatever the number of jobs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.replay.calls import BadLine, Summary, replay_lines
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.replay.jobs import CHUNK_LINES, default_jobs, replay_in_chunks

BAD = ("{broken", "[1, 2]", '{"id": "x", "door": "nowhere"}', b"\xff\xfe not utf-8")


@pytest.fixture(scope="module")
def lines(boston) -> list[str | bytes]:
    """Generated calls with bad lines of every kind and blank lines spread through them."""
    result: list[str | bytes] = [json.dumps(call) for call in generate_calls(boston, 300, seed=21)]
    for i, bad in enumerate(BAD):
        result.insert(7 + 61 * i, bad)
    result.insert(150, "")
    return [line.encode() if isinstance(line, str) else line for line in result]


@pytest.mark.parametrize("decision_only", [False, True])
def test_chunks_in_two_processes_give_what_one_pass_gives(boston, lines, decision_only):
    expected = list(replay_lines(boston, lines, decision_only=decision_only))
    one = list(replay_in_chunks(boston, lines, jobs=1, decision_only=decision_only, chunk_lines=13))
    two = list(replay_in_chunks(boston, lines, jobs=2, decision_only=decision_only, chunk_lines=13))
    assert one == two
    written = "".join(chunk.output for chunk in two).splitlines()
    results = [item for item in expected if not isinstance(item, BadLine)]
    assert [json.loads(line) for line in written] == results  # every call, in input order
    # Bad lines keep their numbers in the whole file, not in their chunk.
    assert [bad for chunk in two for bad in chunk.bad_lines] == [item for item in expected if isinstance(item, BadLine)]
    assert [bad.line for chunk in two for bad in chunk.bad_lines] == [8, 69, 130, 192]
    totals = Summary()
    for chunk in two:
        totals.merge(chunk.summary)
    direct = Summary()
    for result in results:
        direct.add(result)
    direct.bad_lines = len(BAD)
    assert totals == direct


def test_nothing_to_replay_gives_nothing(boston):
    assert list(replay_in_chunks(boston, [], jobs=2)) == []


def test_the_command_gives_the_same_output_with_one_job_or_two(boston, tmp_path):
    calls = [json.dumps(call) for call in generate_calls(boston, 200, seed=22)]
    lines = [calls[i % len(calls)].replace('"id": "', f'"id": "n{i}-', 1) for i in range(CHUNK_LINES * 2 + 300)]
    lines.insert(CHUNK_LINES + 5, "{broken")
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = {}
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["replay", "--summary", "--jobs", jobs, "-o", str(tmp_path / jobs), str(path)])
        assert result.exit_code == 0, result.output
        runs[jobs] = ((tmp_path / jobs).read_text(encoding="utf-8"), result.stdout, result.stderr)
    assert runs["1"] == runs["2"]
    output, summary, errors = runs["2"]
    ids = [json.loads(line)["id"] for line in output.splitlines()]
    assert ids == [json.loads(line)["id"] for line in lines if line != "{broken"]
    assert errors.startswith(f"{path}:line {CHUNK_LINES + 6}: not valid JSON")
    assert summary.startswith(f"{len(lines) - 1} calls replayed through boston_mh_crisis")


def test_jobs_default_to_the_cores_this_process_may_use():
    assert default_jobs() >= 1
    result = CliRunner().invoke(cli, ["replay", "--help"])
    assert "--jobs" in result.output and "cores" in result.output


def test_a_result_is_written_as_json_dumps_writes_it(boston, lines):
    """The line encoder built once writes exactly what ``json.dumps(result, ensure_ascii=False)`` does."""
    from crisis_triage.replay.jobs import _encode

    results = [item for item in replay_lines(boston, lines) if not isinstance(item, BadLine)]
    results.append({"id": 'é \u2028 "q" \\', "n": [1.5, -0.0, 10**30, None, True], "d": {"k": ()}})
    for result in results:
        assert _encode(result) == json.dumps(result, ensure_ascii=False)
