"""Hostile scenario files (issue 10): the bad byte's own line, big numbers, alias bombs, devices."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_triage.training.library import ScenarioError, load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "protocols" / "scenarios" / "knife_in_kitchen.yaml"


def _problems(path) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return list(info.value.problems)


def test_an_encoding_error_names_the_line_of_the_bad_byte(tmp_path):
    lines = SCENARIO.read_bytes().splitlines(keepends=True)
    lines[40] = lines[40].replace(b"Rosa", b"Ros\xe9", 1) if b"Rosa" in lines[40] else b"# caf\xe9\n"
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"".join(lines))
    (problem,) = _problems(path)
    assert problem.code == "encoding" and problem.line == 41 and problem.column > 1


def test_a_huge_number_and_an_alias_bomb_are_located_problems(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(SCENARIO.read_text(encoding="utf-8") + "extra: " + "7" * 4301 + "\n")
    assert any(p.code == "yaml-number" and p.line > 1 for p in _problems(path))
    bomb = tmp_path / "bomb.yaml"
    many = ", ".join(["*a"] * 3000)
    bomb.write_text(f"a: &a [x, y, z, w]\nb: &b [{many}]\nc: [{', '.join(['*b'] * 3000)}]\n")
    assert [p.code for p in _problems(bomb)] == ["too-large"]


def test_a_device_is_not_read(tmp_path):
    assert _problems("/dev/zero")[0].code == "unreadable"
