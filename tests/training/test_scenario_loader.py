"""Scenario files: schema and reference errors with file:line:column, did-you-mean, the shipped library."""

from __future__ import annotations

import json
import textwrap

import pytest

from crisis_triage.training.library import ScenarioError, load_library, load_scenario, parse_scenario
from crisis_triage.training.scenario import scenario_json_schema

VALID = textwrap.dedent("""\
    scenario:
      id: tiny
      title: A tiny scenario
      learning_goals: [Ask the safety questions]
    caller:
      who: A caller
      relation: self
      opening: Hello?
    call:
      door: self
      line: alt_line
      district: C11
    script:
      answers:
        location: {says: "Here.", means: "1 Main St"}
        weapon: {says: "No.", means: "no"}
    expect:
      recommendation: call_line
    """)


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path, protocol=None):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, protocol)
    return caught.value.problems


def test_a_valid_scenario_loads_and_checks(tmp_path, boston):
    scenario = load_scenario(write(tmp_path, VALID), boston)
    assert scenario.id == "tiny"
    assert scenario.document.script.answers["weapon"].means == "no"  # "no" stays text, never False


def test_yaml_syntax_error_has_its_line(tmp_path):
    path = write(tmp_path, VALID.replace("  opening: Hello?", "  opening: [Hello?"))
    (problem,) = problems_of(path)
    assert problem.code == "yaml-syntax" and problem.file == str(path) and problem.line >= 8


def test_unknown_field_points_at_the_key_with_did_you_mean(tmp_path):
    path = write(tmp_path, VALID.replace("  learning_goals:", "  lerning_goals:"))
    problems = problems_of(path)
    unknown = next(p for p in problems if p.code == "unknown-field")
    assert (unknown.line, unknown.column) == (4, 3)
    assert 'did you mean "learning_goals"' in unknown.message
    assert any(p.code == "missing-field" and "learning_goals" in p.message for p in problems)


def test_a_colon_inside_a_list_item_gets_a_hint(tmp_path):
    path = write(tmp_path, VALID.replace("[Ask the safety questions]", "\n    - Medical first: EMS"))
    (problem,) = problems_of(path)
    assert problem.line == 5 and "put the text in quotes" in str(problem)


def test_a_key_written_twice_is_an_error_naming_both_lines(tmp_path):
    path = write(tmp_path, VALID.replace("  door: self\n", "  door: self\n  door: family\n"))
    (problem,) = problems_of(path)
    assert problem.code == "duplicate-key" and problem.line == 11 and "line 10" in problem.message


def test_references_to_the_protocol_are_checked_with_positions(tmp_path, boston):
    text = (
        VALID.replace("door: self", "door: selff")
        .replace("weapon: {", "wepon: {")
        .replace("recommendation: call_line", "recommendation: call_lines")
        + "  acceptable: [co_respnse]\n"
    )
    path = write(tmp_path, text)
    problems = {(p.line, p.message.split(" (did")[0]): p for p in problems_of(path, boston)}
    messages = [str(p) for p in problems.values()]
    assert any(":10:" in m and 'door "selff"' in m and 'did you mean "self"' in m for m in messages), messages
    assert any(":16:" in m and 'question "wepon"' in m and 'did you mean "weapon"' in m for m in messages), messages
    assert any(":18:" in m and 'did you mean "call_line"' in m for m in messages), messages
    assert any(":19:" in m and 'did you mean "co_response"' in m for m in messages), messages


def test_meant_answers_must_be_answers_the_question_takes(tmp_path, boston):
    text = VALID.replace('means: "no"}', "means: nope}") + textwrap.indent(
        textwrap.dedent("""\
        presentation: {says: "Crying.", means: [distresed]}
        past_behaviour: {says: "Hm.", means: null}
      volunteers:
        - after: weapon
          says: He has a knife!
          record: weapon_seeen
    """),
        "  ",
    )
    text = text.replace("expect:\n  recommendation: call_line\n", "") + "expect:\n  recommendation: call_line\n"
    problems = [str(p) for p in problems_of(write(tmp_path, text), boston)]
    assert any('"nope" is not an answer to "weapon"' in p and 'did you mean "no"' in p for p in problems), problems
    assert any(
        '"distresed" is not an option of "presentation"' in p and 'did you mean "distressed"' in p for p in problems
    )
    assert any('"past_behaviour" is required and cannot be skipped' in p for p in problems)
    assert any('interrupt "weapon_seeen"' in p and 'did you mean "weapon_seen"' in p for p in problems)


def test_a_volunteered_statement_needs_exactly_one_moment(tmp_path):
    text = VALID.replace("expect:", "  volunteers:\n    - {says: Hi, after: weapon, after_questions: 2}\nexpect:")
    (problem,) = problems_of(write(tmp_path, text))
    assert "either after: QUESTION or after_questions: N" in problem.message and problem.line == 18


def test_library_reports_bad_files_and_duplicate_ids_but_loads_the_rest(tmp_path, boston):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    write(tmp_path, "scenario: [", "c.yaml")
    library = load_library(tmp_path, boston)
    assert [s.id for s in library.scenarios] == ["tiny"]
    codes = sorted(p.code for p in library.problems)
    assert codes == ["duplicate-id", "yaml-syntax"]


def test_parse_errors_never_escape_as_other_exceptions():
    for text in ["", "- a list", "scenario: 3", "\t bad", "scenario: {id: X}"]:
        with pytest.raises(ScenarioError):
            parse_scenario(text)


def test_the_json_schema_describes_every_field():
    schema = scenario_json_schema()
    json.dumps(schema)
    volunteer = schema["$defs"]["Volunteer"]["properties"]
    assert "interrupt" in volunteer["record"]["description"]
    for definition in schema["$defs"].values():
        for name, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{definition['title']}.{name} has no docstring"


# -- the shipped library --------------------------------------------------------------------------


def test_the_shipped_library_loads_cleanly(library):
    assert library.problems == ()
    assert len(library.scenarios) >= 24


def test_the_shipped_library_covers_what_trainers_need(library, boston):
    scenarios = library.scenarios
    docs = [s.document for s in scenarios]
    assert {d.expect.recommendation for d in docs} >= set(boston.models)
    assert {d.call.door for d in docs} >= set(boston.doors)
    assert {d.call.line for d in docs} >= {line.id for line in boston.document.lines}
    assert {d.caller.language for d in docs} >= {"en", "es"}
    assert any(v.record for d in docs for v in d.script.volunteers), "an interrupt to record"
    assert any(v.revise for d in docs for v in d.script.volunteers), "a caller who corrects an answer"
    assert any(r.means == "unknown" for d in docs for r in d.script.answers.values()), "unknown answers"
    assert any(d.expect.fallback_from for d in docs), "an unavailable model forcing a fallback"
    assert any(d.call.unavailable for d in docs), "a model marked unavailable"
    assert any(
        d.script.answers.get("police_concern") and d.script.answers["police_concern"].means == "yes" for d in docs
    )


def test_every_shipped_scenario_carries_the_schema_modeline(library):
    for scenario in library.scenarios:
        with open(scenario.file, encoding="utf-8") as handle:
            first = handle.readline().strip()
        assert first == "# yaml-language-server: $schema=../../schema/scenario.schema.json", scenario.file


def test_an_answer_of_the_wrong_shape_is_one_problem_not_one_per_union_member(tmp_path):
    text = (
        VALID.replace('weapon: {says: "No.", means: "no"}', 'weapon: {says: "No.", means: {a: b}}')
        + "targets: {recommendation_seconds: 5}\n"
    )
    problems = problems_of(write(tmp_path, text))
    assert [(p.line, p.path[-1]) for p in problems] == [(16, "means"), (19, "recommendation_seconds")]
    assert "an option id such as yes" in problems[0].message
    assert problems[1].message == "expected at least 10 (found 5)"
