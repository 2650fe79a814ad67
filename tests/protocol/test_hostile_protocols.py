"""Regression tests for the hostile-input reproducers of issue 10 that reach the protocol loader,
and for validate reporting every stage's problems in one run (issue 15)."""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner
from protocol_edits import edit, line_of, problems

from crisis_triage.cli import cli
from crisis_triage.protocol import ProtocolError, parse_protocol
from crisis_triage.protocol.errors import MAX_PROBLEMS
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.protocol.yaml_source import MAX_ALIAS_VALUES

BOSTON_PATH = Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml"
BOSTON = BOSTON_PATH.read_text(encoding="utf-8")


def validate(path: Path):
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_an_integer_of_4301_digits_is_a_located_problem(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "1" * 4301 + "\n")
    result = validate(path)
    assert result.exit_code == 1
    assert f"{path}:1:4: error[yaml-number]" in result.output and "4,301 digits" in result.output


def test_a_long_number_inside_a_protocol_is_located_at_its_line():
    text = edit(BOSTON, ("  timezone: America/New_York", "  timezone: America/New_York\n  version_no: " + "9" * 5000))
    found = problems(text)
    number = [p for p in found if p.code == "yaml-number"]
    assert number and number[0].line == line_of(text, "version_no")


def test_alias_amplification_is_refused_quickly_with_a_location(tmp_path):
    questions = ", ".join(["*q"] * 3000)
    sections = ", ".join(["*s"] * 3000)
    path = tmp_path / "bomb.yaml"
    path.write_text(
        f"q: &q {{id: q, ask: x}}\ns: &s {{id: s, title: t, questions: [{questions}]}}\nsections: [{sections}]\n"
    )
    started = time.perf_counter()
    result = validate(path)
    assert time.perf_counter() - started < 20  # was over 120 s and 8.4 GB
    assert result.exit_code == 1
    assert "error[too-large]" in result.output and f"{MAX_ALIAS_VALUES:,}" in result.output
    assert len(result.output.splitlines()) < 5


def test_the_problem_list_is_capped_and_counts_the_rest():
    # 400 questions with a bad field each: every one is a problem, only the first MAX_PROBLEMS are listed.
    bad = "\n".join(f"      - {{id: q{i}, ask: x, type: yes_no, colour: red}}" for i in range(400))
    text = edit(BOSTON, ("      - id: weapon\n", bad + "\n      - id: weapon\n"))
    found = problems(text)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1].code == "too-many-problems" and "more problem" in found[-1].message and found[-1].line > 0


def test_an_unknown_timezone_is_refused_at_load():
    for zone in ("Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime", "America/New_Yrok"):
        text = edit(BOSTON, ("timezone: America/New_York", f"timezone: {zone}"))
        found = [p for p in problems(text) if p.code == "bad-timezone"]
        assert found, zone
        assert found[0].line == line_of(text, "timezone:")
    text = edit(BOSTON, ("timezone: America/New_York", "timezone: America/New_Yrok"))
    assert 'did you mean "America/New_York"' in problems(text)[0].message


def test_the_shipped_timezone_loads_from_the_tzdata_package():
    import tzdata  # the project depends on it, so a machine without a system zone database still works

    assert tzdata.IANA_VERSION
    assert load_protocol(BOSTON_PATH).document.protocol.timezone == "America/New_York"


def test_ordering_two_names_that_are_not_numbers_is_refused():
    for condition in ("weapon < violence_now", "location < caller_name"):
        text = edit(
            BOSTON,
            (
                "      when: weapon_in_use or violence_now\n      recommend: police_emergency",
                f"      when: {condition}\n      recommend: police_emergency",
            ),
        )
        found = [p for p in problems(text) if p.code == "bad-condition"]
        assert found, condition
        assert "cannot be ordered" in found[0].message or "cannot compare" in found[0].message, found


def test_comparing_two_unanswered_text_questions_is_false_not_true():
    text = edit(
        BOSTON,
        (
            "      when: weapon_in_use or violence_now\n      recommend: police_emergency",
            "      when: location == caller_name\n      recommend: police_emergency",
        ),
    )
    protocol = parse_protocol(text)
    rule = next(r for r in protocol.rules if r.spec.id == "danger_now")
    namespace = {"location": None, "caller_name": None}
    assert rule.when.evaluate(namespace) is False
    assert rule.when.evaluate({"location": "Park St", "caller_name": "Park St"}) is True


def test_an_unquoted_answer_suggests_quotes():
    text = edit(BOSTON, ('when: weapon == "yes"', "when: weapon == yes"))
    found = [p for p in problems(text) if p.code == "bad-condition"]
    assert len(found) == 1
    assert 'put it in quotes (did you mean "yes"?)' in found[0].message
    assert 'unknown name "yes"' in found[0].message


def test_validate_reports_a_duplicate_key_a_schema_error_and_a_condition_error_in_one_run(tmp_path):
    text = edit(
        BOSTON,
        ("  timezone: America/New_York", "  timezone: America/New_York\n  timezone: America/Chicago"),
        ('when: weapon == "yes"', 'when: weapon == "yse"'),
        (
            "      when: weapon_in_use or violence_now\n",
            "      when: weapon_in_use or violence_now\n      colour: red\n",
        ),
    )
    path = tmp_path / "three.yaml"
    path.write_text(text)
    result = validate(path)
    assert result.exit_code == 1
    assert "error[duplicate-key]" in result.output
    assert "error[unknown-field]" in result.output
    assert "error[bad-condition]" in result.output and '"yse"' in result.output


def test_a_schema_error_in_a_question_does_not_invent_problems_about_that_question():
    # The question with a bad field is left out to check the rest: conditions naming it are not "unknown".
    text = edit(BOSTON, ("      - id: weapon\n", "      - id: weapon\n        colour: red\n"))
    found = problems(text)
    assert [p.code for p in found] == ["unknown-field"], [str(p) for p in found]


def test_a_device_or_a_folder_is_not_read(tmp_path):
    for path in ("/dev/zero", str(tmp_path)):
        try:
            load_protocol(path)
        except ProtocolError as exc:
            assert exc.problems[0].code == "unreadable"
        else:  # pragma: no cover - the assertion below explains
            raise AssertionError(f"{path} loaded")
