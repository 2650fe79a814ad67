"""Conditions and templates are data, never code: every escape route is refused when the protocol loads."""

from __future__ import annotations

import pytest
from protocol_edits import edit, line_of, only, problems

from crisis_triage.engine import session_from_answers
from crisis_triage.engine.handoff import template_values
from crisis_triage.protocol.conditions import MAX_DEPTH, MAX_LENGTH, MAX_NODES, ConditionError, compile_condition
from crisis_triage.protocol.templates import compile_template, is_plain, render

WEAPON_USE_WHEN = '        when: weapon == "yes"\n'

ESCAPES = [
    ("weapon.__class__", "attribute"),
    ('"".__class__.__mro__', "attribute"),
    ("weapon_present.real", "attribute"),
    ("_ns", "starting with _"),
    ("__builtins__", "starting with _"),
    ('_ns["weapon"] == "yes"', "indexing"),
    ('weapon[0] == "y"', "indexing"),
    ('__import__("os")', "not a function"),
    ('__import__("os").system("true")', "not a function"),
    ("import os", "cannot read the condition"),
    ('exec("1")', "not a function"),
    ('eval("1") == 1', "not a function"),
    ('open("/etc/passwd")', "not a function"),
    ("len(presentation) > 1", "not a function"),
    ("answered(weapon, weapon)", "takes one question id"),
    ("answered(band)", "answered() takes a question id"),
    ('count("x") > 1', "takes one question id"),
    ("count(weapon) > 1", "count() takes a multiple-choice question"),
    ("(lambda: True)()", "not a function"),
    ("lambda: True", "lambda"),
    ("[x for x in presentation]", "comprehension"),
    ("any(x for x in presentation)", "not a function"),
    ("score > 2**999999", "arithmetic"),
    ("score > 9**9**9", "arithmetic"),
    ("score * 1000 > 1", "arithmetic"),
    ("score > 1e400", "between"),
    ("(x := True)", "assignment"),
    ('f"{weapon}" == "yes"', "f-string"),
    ('weapon == "yes" if score else True', "if-expression"),
    ("{1: 2}", "mapping"),
    ("*presentation", "cannot read"),
    ("weapon == ...", "not a value"),
    ('weapon == b"yes"', "not a value"),
    ("1 < score < 3", "chained"),
    ("score is 1", "not allowed"),
    ("score ^ 1", "arithmetic"),
    ('"a" + "b" == "ab"', "numbers only"),
]


@pytest.mark.parametrize(("condition", "message"), ESCAPES)
def test_escape_attempts_are_rejected_at_load_with_a_message(boston_text, condition, message):
    text = edit(boston_text, (WEAPON_USE_WHEN, f"        when: '{condition}'\n"))
    problem = only(problems(text), "bad-condition")
    assert problem.line == line_of(text, "        when: '")
    assert message in problem.message, problem.message


def test_deep_nesting_is_rejected():
    deep = "(" * (MAX_DEPTH + 1) + "weapon_present" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ConditionError, match="nests brackets"):
        compile_condition(deep, _names())
    very_deep = "not " * 5000 + "weapon_present"
    with pytest.raises(ConditionError):
        compile_condition(very_deep, _names())


def test_long_expressions_and_strings_are_rejected():
    with pytest.raises(ConditionError, match="characters long"):
        compile_condition(" or ".join(["weapon_present"] * 200), _names())
    with pytest.raises(ConditionError, match="too large"):
        compile_condition(" or ".join(["w"] * MAX_NODES), {"w": _names()["weapon_present"]})
    with pytest.raises(ConditionError, match="at most"):
        compile_condition(f'weapon == "{"y" * 300}"', _names())
    assert len(" or ".join(["weapon_present"] * 200)) > MAX_LENGTH


def test_huge_list_is_rejected():
    with pytest.raises(ConditionError, match="at most 64"):
        compile_condition("band in [" + ", ".join(['"none"'] * 65) + "]", _names())


def test_the_compiled_condition_only_sees_what_it_is_given():
    condition = compile_condition('weapon == "yes" or weapon_present', _names())
    assert condition.evaluate({"weapon": "yes", "weapon_present": False, "_answered": frozenset()})
    assert not condition.evaluate({"weapon": "no", "weapon_present": False, "_answered": frozenset()})
    # The compiled function has no builtins but len, and refers to nothing but its namespace.
    function = condition._function
    assert set(function.__globals__) <= {"__builtins__", "len"}
    assert function.__globals__["__builtins__"] == {}


def _names():
    from crisis_triage.protocol.conditions import NameType

    return {
        "weapon": NameType("choice", ("yes", "no", "unknown"), 'question "weapon"'),
        "weapon_present": NameType("flag", (), 'fact "weapon_present"'),
        "presentation": NameType("multi", ("voices", "agitated"), 'question "presentation"'),
        "score": NameType("number", (), "the risk score"),
        "band": NameType("band", ("none", "low"), "the risk band"),
    }


# -- templates -------------------------------------------------------------------------------------
TEMPLATE_ESCAPES = [
    ('{{ "".__class__.__mro__ }}', "names starting with _"),
    ("{{ cycler.__init__.__globals__ }}", "names starting with _"),
    ("{{ cycler }}", 'unknown placeholder "cycler"'),
    ("{{ lipsum }}", 'unknown placeholder "lipsum"'),
    ("{{ namespace }}", 'unknown placeholder "namespace"'),
    ("{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}", "calling a function"),
    ("{{ facts.pop() }}", "calling a function"),
    ('{{ facts["__len__"] }}', "names starting with _"),
    ("{{ facts[band] }}", "only a fixed key"),
    ("{{ lipsum() }}", "calling a function"),
    ("{{ range(10**9) | list }}", "calling a function"),
    ("{{ 9 ** 999999 }}", "power"),
    ('{{ "x" * 100000000 }}', "multiplication"),
    ('{{ "%s" % band }}', "formatting"),
    ('{% import "os" as os %}', "import"),
    ('{% include "/etc/passwd" %}', "include"),
    ('{% extends "base" %}', "extends"),
    ("{% set x = 1 %}{{ x }}", "{% set %}"),
    ("{% macro m() %}x{% endmacro %}", "macro"),
    ("{{ band | attr('__class__') }}", 'filter "attr"'),
    ("{{ facts | map('upper') | list }}", 'filter "map"'),
    ("{% if band is callable %}x{% endif %}", 'test "callable"'),
    ("{{ band | upper | format('x') }}", 'filter "format"'),
]


@pytest.mark.parametrize(("template", "message"), TEMPLATE_ESCAPES)
def test_template_escapes_fail_at_load_with_file_and_line(boston_text, template, message):
    yaml_template = template.replace("'", "''")
    text = edit(
        boston_text,
        ("        en: Leave only when the counsellor says they have the caller.", f"        en: '{yaml_template}'"),
    )
    problem = only(problems(text), "bad-template")
    assert problem.file == "boston.yaml"
    assert problem.line == line_of(text, yaml_template)
    assert message in problem.message, problem.message


def test_a_forbidden_construct_on_a_later_line_of_a_block_template_is_located(boston_text):
    text = edit(
        boston_text, ("    Recommended: {{ recommendation }}.", "    Recommended: {{ recommendation.__class__ }}.")
    )
    problem = only(problems(text), "bad-template")
    assert problem.line == line_of(text, "recommendation.__class__")


def test_allowed_filters_and_tests_still_work():
    template = compile_template(
        '{{ facts | join("; ") | upper }} {{ caller_name | default("caller") }} '
        "{{ facts | length }}{% if notes is defined and notes %}!{% endif %}",
        [],
    )
    assert render(template, {"facts": ["a", "b"], "caller_name": "", "notes": []}) == "A; B  2"


def test_rendering_only_ever_receives_plain_values(boston, noon):
    session = session_from_answers(
        boston,
        {"location": "12 Dudley St", "caller_name": "Ana", "weapon": "no"},
        at=noon,
        door="self",
        district="B2",
        language="es",
    )
    session.note("Calm now", noon)
    values = template_values(boston, session.state, session.assessment, "es")
    assert is_plain(values)
    assert set(values) >= {"caller_name", "facts", "answers", "notes", "band"}
    handoff = session.handoff()
    assert handoff is not None and "Ana" in handoff.steps[0].say


def test_render_refuses_objects(boston):
    template = compile_template("{{ band }}", [])
    with pytest.raises(TypeError, match="not a plain value"):
        render(template, {"band": boston})
    with pytest.raises(TypeError):
        render(template, {"band": [object()]})
    assert not is_plain({"a": {1: "x"}})
    assert is_plain({"a": [1, 2.5, True, None, "x", {"b": []}]})
