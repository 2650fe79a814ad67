"""Fuzzing every reader of untrusted input (issue 10): no exception escapes, every problem about a
place has a line, each file within a time budget, and the run within the memory budget.

Short runs here (seconds, part of every test run); longer runs behind ``-m fuzz_long`` (CI runs them,
see .ci/run). ``python3 bench/fuzz.py`` runs the counts the issue asks for and prints them.
"""

from __future__ import annotations

import pytest

from tests.fuzz.mutate import (
    MEMORY_BUDGET_MB,
    ConfigTarget,
    ProtocolTarget,
    ReplayTarget,
    ScenarioTarget,
    TemplateTarget,
    config_cases,
    fuzz,
    peak_memory_mb,
    protocol_cases,
    replay_cases,
    scenario_cases,
    template_cases,
)

SHORT = {"protocol": 25, "scenario": 40, "replay": 150, "config": 150, "template": 300}
LONG = {"protocol": 1000, "scenario": 300, "replay": 1000, "config": 1000, "template": 3000}


def _assert_clean(tally) -> None:
    assert not tally.escaped, "\n\n".join(tally.escaped[:5])
    assert not tally.unlocated, "\n".join(tally.unlocated[:5])
    assert tally.hangs == 0, tally.line()
    assert peak_memory_mb() < MEMORY_BUDGET_MB, f"peak memory {peak_memory_mb():.0f} MB"


def _targets(tmp_path):
    return {
        "protocol": (ProtocolTarget, protocol_cases),
        "scenario": (ScenarioTarget, scenario_cases),
        "replay": (ReplayTarget, replay_cases),
        "config": (lambda: ConfigTarget(tmp_path), config_cases),
        "template": (TemplateTarget, template_cases),
    }


@pytest.mark.parametrize("name", sorted(SHORT))
def test_short_fuzz_run(name, tmp_path):
    make, cases = _targets(tmp_path)[name]
    _assert_clean(fuzz(make(), cases(SHORT[name], seed=20261201)))


@pytest.mark.fuzz_long
@pytest.mark.parametrize("name", sorted(LONG))
def test_long_fuzz_run(name, tmp_path):
    make, cases = _targets(tmp_path)[name]
    # A different seed from the short run, so the long run explores new mutants.
    _assert_clean(fuzz(make(), cases(LONG[name], seed=7)))
