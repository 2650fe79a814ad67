"""scenarios check fails a scenario whose caller's lines contradict its own answers (issue 11)."""

from __future__ import annotations

from crisis_triage.training.library import load_library
from crisis_triage.training.runner import check_scenario, contradictions
from tests.training.conftest import SCENARIOS


def test_the_shipped_library_has_no_contradictions(boston, library):
    assert {s.id: contradictions(boston, s) for s in library.scenarios if contradictions(boston, s)} == {}


def test_a_volunteered_knife_then_a_default_no_to_held_or_pointed_fails_the_check(tmp_path, boston):
    # knife_in_kitchen as it was before 2026.12: the caller says he is waving a knife, but nothing
    # scripted answers "is anyone holding it or pointing it?", so the default line "No" would.
    text = (SCENARIOS / "knife_in_kitchen.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("weapon_use:"))
    broken = "".join(lines[:start] + lines[start + 1 :])
    assert "weapon_use:" not in broken
    (tmp_path / "knife.yaml").write_text(broken, encoding="utf-8")
    (scenario,) = load_library(tmp_path, boston).scenarios
    result = check_scenario(boston, scenario)
    assert result.failed and result.status == "differs"
    (difference,) = [d for d in result.differences if d.what == "contradiction"]
    assert "weapon_used" in difference.expected and "picked up a knife" in difference.expected
    assert 'weapon_use is answered "no" by the default line' in difference.got


def test_unknown_is_not_a_contradiction(tmp_path, boston):
    text = (SCENARIOS / "knife_in_kitchen.yaml").read_text(encoding="utf-8")
    start = text.index("    weapon_use:")
    end = text.index("\n", start)
    unsure = text[:start] + '    weapon_use: {says: "I can\'t see from here!", means: unknown}' + text[end:]
    (tmp_path / "knife.yaml").write_text(unsure, encoding="utf-8")
    (scenario,) = load_library(tmp_path, boston).scenarios
    assert contradictions(boston, scenario) == []
