"""Referral directories and the protocol's referrals block: located problems, like protocols."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.protocol import ProtocolError, load_protocol, parse_protocol
from crisis_triage.protocol.directory import check_directory, load_directory_for, parse_directory

ROOT = Path(__file__).resolve().parents[2]
BOSTON_FILE = ROOT / "protocols" / "boston-mh-crisis.yaml"
BOSTON = load_protocol(BOSTON_FILE)

GOOD = """directory:
  id: test_dir
  title: Test directory
services:
  - id: clinic
    kind: urgent_care
    name: A clinic
    hours: ["mon-fri 08:00-20:00"]
    refer: [{how: walk_in, detail: 1 Main St}]
    last_verified: 2026-10-01
"""


def _problems(text: str, protocol=BOSTON) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_directory(text, "d.yaml", protocol)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_directory_loads_with_every_kind():
    directory = load_directory_for(BOSTON)
    assert directory is not None and directory.document.directory.example
    from crisis_triage.protocol.directory_models import SERVICE_KINDS

    assert set(directory.by_kind) == set(SERVICE_KINDS)
    assert check_directory(ROOT / "protocols" / "boston-directory.yaml", BOSTON) == []


def test_bad_hours_are_located_with_what_was_expected():
    problems = _problems(GOOD.replace('"mon-fri 08:00-20:00"', '"weekdays 9-5"'))
    assert len(problems) == 1
    assert problems[0].startswith("d.yaml:8:")
    assert "mon-fri 08:00-20:00" in problems[0] and "weekdays 9-5" in problems[0]
    problems = _problems(GOOD.replace("08:00-20:00", "08:00-08:00"))
    assert "same time" in problems[0]


def test_unknown_district_field_and_kind_each_name_the_line():
    text = GOOD.replace("    last_verified", "    districts: [B22]\n    languagez: [en]\n    last_verified").replace(
        "kind: urgent_care", "kind: urgent_cares"
    )
    problems = _problems(text)
    joined = "\n".join(problems)
    assert "d.yaml:6:" in joined and "urgent_care" in joined  # the kind, with what was expected
    assert 'unknown field "languagez"' in joined and 'did you mean "languages"' in joined
    # Districts are checked once the schema passes: fix the schema problems, then the district shows.
    problems = _problems(GOOD.replace("    last_verified", "    districts: [B22]\n    last_verified"))
    assert problems == [
        'd.yaml:10:17: error[unknown-reference] at services[0].districts[0]: no district has the code "B22" (did you mean "B2"?)'
    ]


def test_duplicates_ages_timezone_and_dates():
    twice = GOOD + GOOD.split("services:\n")[1]
    assert any("used twice (first on line 5)" in p for p in _problems(twice))
    ages = GOOD.replace("    last_verified", "    serves: {min_age: 30, max_age: 20}\n    last_verified")
    assert any("min_age is above max_age" in p for p in _problems(ages))
    zone = GOOD.replace("title: Test directory", "title: Test directory\n  timezone: Mars/Olympus")
    assert any("IANA time zone" in p for p in _problems(zone, protocol=None))
    assert any("centre is in America/New_York" in p for p in _problems(zone.replace("Mars/Olympus", "Europe/Paris")))
    date = GOOD.replace("2026-10-01", "last week")
    assert any(p.startswith("d.yaml:10:") for p in _problems(date))


def test_yaml_slips_are_located():
    problems = _problems(GOOD + "  - id: [unclosed\n")
    assert problems[0].startswith("d.yaml:12:") and "yaml-syntax" in problems[0]


def _with_referrals(block: str) -> str:
    return BOSTON_FILE.read_text(encoding="utf-8").split("# --- referrals ---")[0] + block


def test_a_protocol_without_referrals_still_loads():
    protocol = parse_protocol(_with_referrals(""), "p.yaml")
    assert protocol.document.referrals is None and protocol.referral_rules == ()
    assert load_directory_for(protocol) is None


def test_referral_rules_are_checked_like_response_rules():
    block = """referrals:
  age_question: location
  rules:
    - id: one
      when: intoxicatd
      offer: [detox]
      because: x
    - id: one
      offer: [shelter]
      because: y
"""
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(_with_referrals(block), "p.yaml")
    messages = "\n".join(str(p) for p in caught.value.problems)
    assert "offer[0]" in messages and "detox_recovery" in messages  # schema first: the kind
    block = block.replace("[detox]", "[detox_recovery]")
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(_with_referrals(block), "p.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any("intoxicatd" in m and 'did you mean "intoxicated"' in m for m in messages)
    assert any('referral rule "one" is used twice' in m for m in messages)
    assert any("must be a number question" in m for m in messages)


def test_validate_checks_the_directory_a_protocol_names(tmp_path):
    protocol = tmp_path / "p.yaml"
    protocol.write_text(
        _with_referrals(
            "referrals:\n  directory: d-directory.yaml\n  rules:\n    - {id: a, offer: [shelter], because: x}\n"
        )
    )
    (tmp_path / "d-directory.yaml").write_text(
        GOOD.replace("    last_verified", "    districts: [Z9]\n    last_verified")
    )
    result = CliRunner().invoke(cli, ["validate", str(protocol)])
    assert result.exit_code == 1 and "Z9" in result.output and "d-directory.yaml:10:" in result.output
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "d-directory.yaml")])
    assert result.exit_code == 0  # on its own, a directory's districts cannot be checked
    (tmp_path / "d-directory.yaml").unlink()
    result = CliRunner().invoke(cli, ["validate", str(protocol)])
    assert result.exit_code == 1 and "cannot read" in result.output
