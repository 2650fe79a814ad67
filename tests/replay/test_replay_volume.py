"""Replaying 100,000 generated calls completes with a correct summary and a steady memory footprint.

The calls are streamed into ``crisis-triage replay --summary-only -`` through a pipe: 2,000 distinct
calls repeated under new ids (the replay's cost does not depend on repeats). The summary must be
exactly 50 times the summary of the 2,000, and the replay process's peak memory (ru_maxrss) must
not grow with the number of calls: compared against a run of 10,000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crisis_triage.replay.calls import BadLine, Summary, replay_lines
from crisis_triage.replay.generate_calls import generate_calls

DISTINCT = 2000


@pytest.fixture(scope="module")
def pool(shipped) -> list[str]:
    return [json.dumps(call) for call in generate_calls(shipped, DISTINCT, seed=9)]


def _replay_in_subprocess(pool: list[str], count: int) -> tuple[str, int]:
    """Stream ``count`` calls into the command; return its output and its peak memory in kB."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from crisis_triage.cli import main; main()", "replay", "--summary-only", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    for number in range(count):
        line = pool[number % len(pool)]
        if number >= len(pool):  # the same call under a new id
            line = line.replace('"id": "syn-9-', f'"id": "rep{number}-', 1)
        process.stdin.write(line + "\n")
    process.stdin.close()
    output = process.stdout.read()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, errors
    assert errors == ""
    return output, usage.ru_maxrss


@pytest.mark.slow
def test_100k_calls_replay_with_a_correct_summary_and_flat_memory(shipped, pool):
    expected = Summary()
    for result in replay_lines(shipped, pool):
        assert not isinstance(result, BadLine)
        expected.add(result)

    small_output, small_rss = _replay_in_subprocess(pool, 10_000)
    big_output, big_rss = _replay_in_subprocess(pool, 100_000)

    assert big_output.splitlines()[0] == "100000 calls replayed through boston_mh_crisis 2026.12.1"
    assert small_output.splitlines()[0] == "10000 calls replayed through boston_mh_crisis 2026.12.1"
    for model, n in expected.per_model.items():
        assert f"\n{model} " in big_output
        assert any(line.split()[:2] == [model, str(n * 50)] for line in big_output.splitlines()), (model, n * 50)
    for band, n in expected.per_band.items():
        assert any(line.split()[:2] == [band, str(n * 50)] for line in big_output.splitlines()), (band, n * 50)
    assert f"police involved: {expected.with_police * 50} " in big_output
    assert f"fallback taken: {expected.fallbacks * 50} " in big_output
    # Ten times the calls, the same memory: nothing is kept per call (8 MB of slack for allocator noise).
    assert big_rss - small_rss < 8 * 1024, (small_rss, big_rss)
