"""The centre file: the shipped Boston centre loads, mistakes are located by file:line:column."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.protocol.centre import load_centre, parse_centre
from crisis_triage.protocol.errors import ProtocolError
from tests.conftest import ROOT

BOSTON_CENTRE = ROOT / "protocols" / "boston-centre.yaml"
FIXTURE_CENTRE = ROOT / "tests" / "fixtures" / "centre.yaml"

GOOD = """\
centre: {id: small, name: Small centre, protocol: boston_mh_crisis}
units:
  - {id: a1_car, name: A1 car, model: co_response, districts: [A1]}
  - {id: line, name: Call line, model: call_line, capacity: 3}
"""


def test_the_shipped_boston_centre_matches_the_protocol(boston):
    centre = load_centre(BOSTON_CENTRE, boston)
    co_response = centre.units_of("co_response")
    assert [u.districts for u in co_response] == [["A1"], ["A1"], ["B2"]]
    assert {u.districts is None for u in centre.units_of("alternative_response")} == {True}  # citywide
    assert all(u.hours and u.districts for u in centre.units_of("community_led"))
    assert centre.units_of("call_line")[0].capacity > 1
    assert "police_emergency" not in centre.tracked_models  # the whole fleet: as available


def test_the_fixture_centre_loads(boston):
    assert load_centre(FIXTURE_CENTRE, boston).id == "fixture_centre"


def _problems(text: str, protocol=None) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_centre(text, "c.yaml", protocol)
    return [str(p) for p in caught.value.problems]


def test_schema_mistakes_are_located():
    text = GOOD.replace("capacity: 3", "capacity: 0").replace("districts: [A1]", "districts: [A1], hours: 9-5")
    problems = _problems(text)
    assert any(p.startswith("c.yaml:3:") and "10:00-22:00" in p for p in problems), problems
    assert any(p.startswith("c.yaml:4:") and "expected at least 1" in p for p in problems), problems


def test_an_unknown_field_says_did_you_mean():
    (problem,) = _problems(GOOD.replace("capacity: 3", "capacty: 3"))
    assert problem.startswith("c.yaml:4:") and 'did you mean "capacity"' in problem


def test_a_duplicate_unit_id_names_the_first_line():
    (problem,) = _problems(GOOD.replace("id: line", "id: a1_car"))
    assert problem.startswith("c.yaml:4:") and "already used on line 3" in problem


def test_references_are_checked_against_the_protocol(boston):
    text = GOOD.replace("model: co_response", "model: co_responce").replace("[A1]", "[A11]")
    problems = _problems(text, boston)
    assert any('"co_responce"' in p and 'did you mean "co_response"' in p for p in problems), problems
    assert any('no district "A11"' in p for p in problems), problems
    assert all(p.startswith("c.yaml:3:") for p in problems)


def test_validate_checks_centre_files(tmp_path):
    bad = tmp_path / "centre.yaml"
    bad.write_text(GOOD.replace("capacity: 3", "capacity: many"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(BOSTON_CENTRE), str(bad)])
    assert result.exit_code == 1
    assert f"{BOSTON_CENTRE}: valid" in result.output
    assert f"{bad}:4:" in result.output and "whole number" in result.output


def test_a_centre_file_is_read_like_a_protocol_bounded_and_located(tmp_path, boston):
    """A centre file goes through the same bounded reader as a protocol (protocol/side_file.py):
    bytes that are not UTF-8 are located, a folder or device is refused without being read."""
    bad = tmp_path / "bad-centre.yaml"
    bad.write_bytes(GOOD.encode("utf-8").replace(b"Small", b"Sm\xffall"))
    with pytest.raises(ProtocolError) as caught:
        load_centre(bad, boston)
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.column) == (
        "encoding",
        1,
        29,
    )  # the byte after "centre: {id: small, name: Sm"
    assert "not UTF-8" in problem.message
    for not_a_file in (tmp_path, "/dev/zero"):
        with pytest.raises(ProtocolError) as caught:
            load_centre(not_a_file, boston)
        assert [p.code for p in caught.value.problems] == ["unreadable"]
        assert "cannot read the centre file" in caught.value.problems[0].message
