"""One test per kind of protocol error, each asserting where the loader points (line, column).

Every broken protocol is the shipped Boston protocol with one small edit, the way an author's slip
would look, so the line numbers are those an author would see in their editor.
"""

from __future__ import annotations

import pytest
from protocol_edits import column_of, edit, line_of, only, problems

from crisis_triage.protocol import parse_protocol


@pytest.fixture(scope="session")
def boston_text(boston_2026_11_text):
    """These tests edit exact lines of the protocol: the frozen 2026.11.1 text."""
    return boston_2026_11_text


WEAPON_USE_WHEN = '        when: weapon == "yes"\n'


# -- YAML ------------------------------------------------------------------------------------------
def test_yaml_syntax_error_points_at_the_line(boston_text):
    text = edit(boston_text, ("  - {id: A7, name: East Boston}\n", "  - {id: A7, name: East Boston\n"))
    problem = only(problems(text), "yaml-syntax")
    assert problem.line == line_of(text, "{id: B2, name: Roxbury}")  # where the parser noticed
    assert "flow mapping" in problem.message
    assert str(problem).startswith(f"boston.yaml:{problem.line}:{problem.column}: error[yaml-syntax]")


def test_bad_indentation_is_a_syntax_error_with_a_line(boston_text):
    text = edit(
        boston_text,
        ("    title: {en: Safety, es: Seguridad}\n", "    title: {en: Safety, es: Seguridad}\n   oops: 1\n"),
    )
    problem = only(problems(text), "yaml-syntax")
    assert problem.line == line_of(text, "   oops: 1")


def test_duplicate_key_names_both_lines(boston_text):
    text = edit(
        boston_text, ("        hint: Knives, guns", "        hint: Anything sharp.\n        hint: Knives, guns")
    )
    problem = only(problems(text), "duplicate-key")
    first, second = line_of(text, "hint: Anything sharp."), line_of(text, "hint: Knives, guns")
    assert (problem.line, problem.column) == (second, 9)
    assert f"first on line {first}" in problem.message
    assert problem.path == ("sections", 2, "questions", 0, "hint")


def test_duplicate_top_level_section_is_reported_not_merged(boston_text):
    text = boston_text + "\ninterrupts: []\n"
    problem = only(problems(text), "duplicate-key")
    assert problem.line == len(text.splitlines())
    assert f"first on line {line_of(boston_text, 'interrupts:')}" in problem.message


def test_merge_keys_are_refused(boston_text):
    text = edit(boston_text, ("  - {id: A7, name: East Boston}", "  - {<<: {name: x}, id: A7, name: East Boston}"))
    assert only(problems(text), "yaml-merge").line == line_of(text, "<<:")


# -- the YAML 1.1 boolean trap ---------------------------------------------------------------------
def test_yes_no_on_off_stay_text_as_option_ids_and_risk_keys(boston_text):
    question = (
        "      - id: lights\n        type: choice\n        required: false\n"
        "        ask: Are the lights on or off?\n        options: [yes, no, on, off, y, n]\n"
        "        risk: {on: 1, off: 2, yes: 3}\n"
        '        sets: {has_provider: answer == "off"}\n'
    )
    text = edit(boston_text, ("      - id: police_concern\n", question + "      - id: police_concern\n"))
    protocol = parse_protocol(text)
    lights = protocol.question_by_id["lights"]
    assert [o.id for o in lights.options] == ["yes", "no", "on", "off", "y", "n"]
    assert dict(lights.risk) == {"on": 1, "off": 2, "yes": 3}
    assert [o.id for o in protocol.question_by_id["weapon"].options] == ["yes", "no", "unknown"]
    assert protocol.question_by_id["weapon"].risk == {"yes": 6, "unknown": 3}


def test_a_risk_key_that_yaml_1_1_would_make_a_boolean_is_checked_as_text(boston_text):
    text = edit(
        boston_text,
        (
            "        risk: {yes: 6, unknown: 3}\n        sets:\n          weapon_present",
            "        risk: {yes: 6, unknown: 3, on: 1}\n        sets:\n          weapon_present",
        ),
    )
    problem = only(problems(text), "unknown-reference")
    assert 'has the id "on"' in problem.message
    assert (problem.line, problem.column) == (
        line_of(text, "unknown: 3, on: 1"),
        column_of(text, "unknown: 3, on: 1") + len("unknown: 3, on: "),
    )


# -- schema ----------------------------------------------------------------------------------------
def test_unknown_field_suggests_the_right_one(boston_text):
    text = edit(boston_text, ("        hint: Knives, guns", "        hnit: Knives, guns"))
    problem = only(problems(text), "unknown-field")
    assert (problem.line, problem.column) == (line_of(text, "hnit:"), 9)
    assert 'unknown field "hnit" (did you mean "hint"?)' in problem.message


def test_missing_field_points_at_the_mapping_that_lacks_it(boston_text):
    text = edit(boston_text, ("    title: {en: Safety, es: Seguridad}\n", ""))
    problem = only(problems(text), "missing-field")
    assert problem.line == line_of(text, "  - id: safety")
    assert '"title" is required' in problem.message


def test_wrong_types_say_what_was_expected(boston_text):
    text = edit(
        boston_text,
        ("    - {id: low, min_score: 1,", "    - {id: low, min_score: lots,"),
        (
            "      - id: caller_name\n        type: text\n        required: false",
            "      - id: caller_name\n        type: text\n        required: maybe",
        ),
        ("    key: s\n", "    key: [s]\n"),
    )
    found = problems(text)
    assert [p.code for p in found] == ["schema"] * 3
    by_line = {p.line: p for p in found}
    assert "expected text" in by_line[line_of(text, "key: [s]")].message
    assert "expected true or false (found 'maybe')" in by_line[line_of(text, "required: maybe")].message
    low = by_line[line_of(text, "min_score: lots")]
    assert "expected a whole number (found 'lots')" in low.message
    assert low.column == column_of(text, "lots")


def test_an_unquoted_comma_inside_braces_is_explained(boston_text):
    text = edit(
        boston_text,
        ("    label: {en: Bystander or neighbour, es: Testigo o vecino}", "    label: {en: Bystander, or neighbour}"),
    )
    problem = only(problems(text), "schema")
    assert problem.line == line_of(text, "{en: Bystander, or neighbour}")
    assert "a comma inside { } ends the text early" in problem.message


def test_bad_id_format(boston_text):
    text = edit(boston_text, ("      - id: crime\n", "      - id: Crime-Now\n"))
    problem = only(problems(text), "schema")
    assert problem.line == line_of(text, "Crime-Now")
    assert "lower_snake_case" in problem.message


# -- ids and references ------------------------------------------------------------------------------
def test_duplicate_question_id_names_the_first_line(boston_text):
    text = edit(boston_text, ("      - id: crime\n", "      - id: children\n"))
    problem = only(problems(text), "duplicate-id")
    assert problem.line == line_of(text, "      - id: children", 2)
    assert problem.column == 13
    assert f"first on line {line_of(text, '      - id: children')}" in problem.message


def test_duplicate_option_ids(boston_text):
    text = edit(
        boston_text,
        ("{id: longer_ago, key: l,", "{id: past_3_months, key: l,"),
        ("risk: {past_3_months: 5, longer_ago: 2, unknown: 3}", "risk: {past_3_months: 5, unknown: 3}"),
        ('past_behaviour == "longer_ago"', 'past_behaviour == "past_3_months"'),
    )
    found = problems(text)
    duplicate = next(p for p in found if p.code == "duplicate-id")
    assert duplicate.line == line_of(text, "{id: past_3_months, key: l,")
    assert (
        "past_3_months" in duplicate.message
        and f"first on line {line_of(text, '{id: past_3_months, key: r,')}" in duplicate.message
    )


def test_duplicate_option_keys_and_interrupt_keys(boston_text):
    text = edit(
        boston_text,
        ("{id: longer_ago, key: l,", "{id: longer_ago, key: r,"),
        ("{id: violence, key: v,", "{id: violence, key: W,"),
    )
    found = problems(text)
    assert [p.code for p in found] == ["duplicate-id", "duplicate-id"]
    option, interrupt = found
    assert option.line == line_of(text, "{id: longer_ago, key: r,") and '"r"' in option.message
    assert (
        interrupt.line == line_of(text, "{id: violence, key: W,") and '"w"' in interrupt.message
    )  # keys are case-blind
    assert interrupt.column == column_of(text, "W,")


def test_unknown_model_reference_suggests_the_nearest(boston_text):
    text = edit(boston_text, ("      recommend: emergency_medical\n", "      recommend: emergency_medicl\n"))
    problem = only(problems(text), "unknown-reference")
    assert (problem.line, problem.column) == (line_of(text, "emergency_medicl"), 18)
    assert problem.message == 'no response model has the id "emergency_medicl" (did you mean "emergency_medical"?)'


def test_unknown_fact_role_district_and_band_references(boston_text):
    text = edit(
        boston_text,
        ('          weapon_present: answer == "yes"', '          weapon_presnt: answer == "yes"'),
        ("      team: [ems, mh_worker]", "      team: [ems, mh_wroker]"),
        ("        districts: [B2, B3, C11, D4]", "        districts: [B2, B3, C12, D4]"),
        (
            "      at_least: elevated\n      reason: {en: A weapon has not",
            "      at_least: elevatd\n      reason: {en: A weapon has not",
        ),
    )
    found = problems(text)
    assert [p.code for p in found] == ["unknown-reference"] * 4
    messages = {p.line: p.message for p in found}
    assert 'did you mean "weapon_present"?' in messages[line_of(text, "weapon_presnt")]
    assert 'did you mean "mh_worker"?' in messages[line_of(text, "mh_wroker")]
    assert 'no district has the id "C12"' in messages[line_of(text, "C12")]
    assert 'did you mean "elevated"?' in messages[line_of(text, "at_least: elevatd")]


# -- conditions ------------------------------------------------------------------------------------
def test_unknown_name_in_a_condition(boston_text):
    text = edit(boston_text, (WEAPON_USE_WHEN, '        when: wepon == "yes"\n'))
    problem = only(problems(text), "bad-condition")
    assert (problem.line, problem.column) == (line_of(text, "wepon"), column_of(text, "wepon"))
    assert 'unknown name "wepon" (did you mean "weapon"?)' in problem.message


def test_impossible_value_in_a_condition(boston_text):
    text = edit(boston_text, (WEAPON_USE_WHEN, '        when: weapon == "maybe"\n'))
    problem = only(problems(text), "bad-condition")
    assert (problem.line, problem.column) == (line_of(text, '"maybe"'), column_of(text, '"maybe"'))
    assert '"maybe" is not a possible value of question "weapon"' in problem.message


def test_type_errors_in_conditions(boston_text):
    text = edit(
        boston_text,
        (WEAPON_USE_WHEN, "        when: weapon > 3\n"),
        ('        when: took_substance != "no"', "        when: took_substance\n"),
        ("    - when: weapon_possible\n", '    - when: weapon_possible == "yes"\n'),
    )
    found = problems(text)
    assert [p.code for p in found] == ["bad-condition"] * 3
    by_line = {p.line: p.message for p in found}
    assert "cannot be ordered" in by_line[line_of(text, "when: weapon > 3")]
    assert 'not true/false: compare it, e.g. took_substance == "yes"' in by_line[line_of(text, "when: took_substance")]
    assert "true/false" in by_line[line_of(text, 'weapon_possible == "yes"')]


def test_single_equals_sign_gets_a_hint(boston_text):
    text = edit(boston_text, (WEAPON_USE_WHEN, '        when: weapon = "yes"\n'))
    problem = only(problems(text), "bad-condition")
    assert problem.line == line_of(text, 'weapon = "yes"')
    assert "write == (two equals signs)" in problem.message


def test_question_depending_on_a_later_question(boston_text):
    text = edit(boston_text, (WEAPON_USE_WHEN, '        when: violence == "yes"\n'))
    problem = only(problems(text), "asked-later")
    assert problem.line == line_of(text, 'when: violence == "yes"')
    assert '"violence", which is asked after it' in problem.message


def test_forbidden_names_in_overrides_and_derived_facts(boston_text):
    text = edit(boston_text, ('    when: language != "en"', '    when: band == "high"'))
    problem = only(problems(text), "bad-condition")
    assert problem.line == line_of(text, 'when: band == "high"') and "go round in a circle" in problem.message


# -- cycles ----------------------------------------------------------------------------------------
def test_cycle_between_derived_facts_names_its_members(boston_text):
    text = edit(
        boston_text,
        ('    when: language != "en"', '    when: language != "en" or safety_risk'),
        (
            "or threat_to_others or crime_in_progress or child_at_risk",
            "or threat_to_others or crime_in_progress or child_at_risk or needs_interpreter",
        ),
    )
    problem = only(problems(text), "cycle")
    assert "safety_risk → needs_interpreter → safety_risk" in problem.message
    assert (problem.line, problem.column) == (line_of(text, "      weapon_present or weapon_possible"), 7)


def test_question_fact_question_cycle_names_its_members(boston_text):
    text = edit(boston_text, ("      - id: weapon\n", "      - id: weapon\n        when: not weapon_possible\n"))
    problem = only(problems(text), "cycle")
    assert problem.line == line_of(text, "when: not weapon_possible")
    assert "question weapon → fact weapon_possible → question weapon" in problem.message


# -- rules and models -------------------------------------------------------------------------------
def test_last_rule_with_a_condition_leaves_calls_without_a_recommendation(boston_text):
    text = edit(
        boston_text,
        (
            "    - id: low_risk_support\n      recommend: call_line",
            "    - id: low_risk_support\n      when: wants_phone\n      recommend: call_line",
        ),
    )
    problem = only(problems(text), "no-recommendation")
    assert problem.line == line_of(text, "      when: wants_phone")
    assert "without a recommendation" in problem.message


def test_catch_all_rule_shadowing_later_rules(boston_text):
    text = edit(boston_text, ('    - id: elevated_risk\n      when: band == "elevated"\n', "    - id: elevated_risk\n"))
    problem = only(problems(text), "shadowed-rule")
    assert problem.line == line_of(text, "    - id: elevated_risk")
    assert "(low_risk_wants_visit, low_risk_support) never apply" in problem.message


def test_fallback_cycle(boston_text):
    text = edit(boston_text, ("      fallback: [emergency_medical]", "      fallback: [community_led]"))
    problem = only(problems(text), "cycle")
    assert problem.line == line_of(text, "fallback: [community_led]")
    assert "alternative_response → community_led → alternative_response" in problem.message


def test_model_falling_back_to_itself(boston_text):
    text = edit(boston_text, ("      fallback: [emergency_medical]", "      fallback: [alternative_response]"))
    found = problems(text)
    assert {p.code for p in found} == {"cycle", "dead-end-fallback"} or {p.code for p in found} == {"cycle"}
    assert any(
        "lists itself" in p.message and p.line == line_of(text, "fallback: [alternative_response]") for p in found
    )


def test_dead_end_fallback(boston_text):
    text = edit(boston_text, ("      fallback: [alternative_response]\n", ""))
    problem = only(problems(text), "dead-end-fallback")
    assert (problem.line, problem.column) == (
        line_of(text, '        hours: "10:00-22:00"') - 2,
        7,
    )  # the `available:` key
    assert '"community_led" is unavailable' in problem.message


def test_guarantee_switching_to_a_model_without_the_role(boston_text):
    text = edit(boston_text, ("      switch_to: co_response\n", "      switch_to: alternative_response\n"))
    problem = only(problems(text), "bad-guarantee")
    assert problem.line == line_of(text, "switch_to: alternative_response")


# -- no wrong door, unknown scored conservatively ----------------------------------------------------
def test_doors_on_a_safety_question(boston_text):
    text = edit(boston_text, ("      - id: violence\n", "      - id: violence\n        doors: [self]\n"))
    problem = only(problems(text), "no-wrong-door")
    assert (problem.line, problem.column) == (line_of(text, "doors: [self]"), 9)


def test_door_condition_on_a_safety_question(boston_text):
    text = edit(boston_text, ("      - id: violence\n", '      - id: violence\n        when: caller != "self"\n'))
    problem = only(problems(text), "no-wrong-door")
    assert problem.line == line_of(text, 'when: caller != "self"')


def test_unknown_not_scored_conservatively(boston_text):
    text = edit(
        boston_text,
        (
            "        risk: {yes: 8, unknown: 4}\n        sets:\n          violence_now",
            "        risk: {yes: 8, unknown: 1}\n        sets:\n          violence_now",
        ),
    )
    problem = only(problems(text), "unknown-not-conservative")
    assert problem.line == line_of(text, "risk: {yes: 8, unknown: 1}")
    assert "at least half of the highest answer (4); it scores 1" in problem.message


def test_optional_safety_question(boston_text):
    text = edit(boston_text, ("      - id: crime\n", "      - id: crime\n        required: false\n"))
    assert only(problems(text), "safety-required").line == line_of(text, "required: false", 2)


# -- templates -------------------------------------------------------------------------------------
def test_unknown_placeholder_in_a_block_template_points_at_its_line(boston_text):
    text = edit(boston_text, ("Location: {{ location or", "Location: {{ locaton or"))
    problem = only(problems(text), "bad-template")
    assert problem.line == line_of(text, "locaton")
    assert 'unknown placeholder "locaton" (did you mean "location"?)' in problem.message


def test_answers_of_an_unknown_question(boston_text):
    text = edit(boston_text, ("Location: {{ location or", "Location: {{ answers.adress or"))
    problem = only(problems(text), "bad-template")
    assert problem.line == line_of(text, "answers.adress")
    assert 'no question has the id "adress"' in problem.message


def test_template_syntax_error_in_a_quoted_template(boston_text):
    text = edit(
        boston_text,
        (
            "I'm going to bring in a counsellor from {{ service }}",
            "I'm going to bring in a counsellor from {{ service }",
        ),
    )
    problem = only(problems(text), "bad-template")
    assert problem.line == line_of(text, "from {{ service } who")
    assert "template syntax" in problem.message


# -- all at once -----------------------------------------------------------------------------------
def test_every_problem_is_reported_at_once_in_line_order(boston_text):
    text = edit(
        boston_text,
        (WEAPON_USE_WHEN, '        when: wepon == "yes"\n'),
        ("      recommend: emergency_medical\n", "      recommend: emergency_medicl\n"),
        ("      fallback: [emergency_medical]", "      fallback: [community_led]"),
        ("Location: {{ location or", "Location: {{ locaton or"),
        (
            "        risk: {yes: 8, unknown: 4}\n        sets:\n          violence_now",
            "        risk: {yes: 8, unknown: 1}\n        sets:\n          violence_now",
        ),
    )
    found = problems(text)
    assert [p.code for p in found] == [
        "bad-condition",
        "unknown-not-conservative",
        "cycle",
        "unknown-reference",
        "bad-template",
    ]
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_schema_errors_are_all_reported_too(boston_text):
    text = edit(
        boston_text,
        ("        hint: Knives, guns", "        hnit: Knives, guns"),
        ("    - {id: low, min_score: 1,", "    - {id: low, min_score: lots,"),
    )
    assert [p.code for p in problems(text)] == ["unknown-field", "schema"]


def test_unknown_on_a_safety_choice_question_is_scored_conservatively_too(boston_text):
    text = edit(
        boston_text,
        ("risk: {past_3_months: 5, longer_ago: 2, unknown: 3}", "risk: {past_3_months: 5, longer_ago: 2, unknown: 1}"),
    )
    problem = only(problems(text), "unknown-not-conservative")
    assert problem.line == line_of(text, "longer_ago: 2, unknown: 1}")


def test_a_safety_choice_question_needs_an_unknown_option(boston_text):
    text = edit(
        boston_text,
        ("          - {id: unknown, key: u, label: {en: Unknown / can't say, es: No sabe / no puede decir}}\n", ""),
        ("risk: {past_3_months: 5, longer_ago: 2, unknown: 3}", "risk: {past_3_months: 5, longer_ago: 2}"),
    )
    problem = only(problems(text), "safety-unknown")
    assert problem.line == line_of(text, "{id: past_3_months, key: r") - 1  # the options: key


def test_anchors_and_aliases_are_read(boston_text):
    text = edit(
        boston_text,
        (
            "    label: {en: The person in crisis, es: La persona en crisis}",
            "    label: &self_label {en: The person in crisis, es: La persona en crisis}",
        ),
        ("      title: {en: Tell the caller what happens next, es: Explique lo que sigue}", "      title: *self_label"),
    )
    protocol = parse_protocol(text)
    assert protocol.document.handoff.steps[0].title == {"en": "The person in crisis", "es": "La persona en crisis"}


def test_an_alias_to_nothing_and_a_second_document_are_syntax_errors(boston_text):
    text = edit(
        boston_text,
        ("      title: {en: Tell the caller what happens next, es: Explique lo que sigue}", "      title: *nothing"),
    )
    problem = only(problems(text), "yaml-syntax")
    assert problem.line == line_of(text, "*nothing") and "refers to no anchor" in problem.message
    problem = only(problems(boston_text + "---\nprotocol: {}\n"), "yaml-syntax")
    assert problem.line == len(boston_text.splitlines()) + 1 and "one document" in problem.message


def test_a_quoted_merge_key_is_just_text(boston_text):
    text = edit(boston_text, ("    key: s\n", '    key: s\n    "<<": x\n'))
    assert 'unknown field "<<"' in only(problems(text), "unknown-field").message


def test_a_long_chain_of_derived_facts_loads_and_a_long_cycle_is_named(boston_text):
    n = 1500  # deeper than Python's recursion limit: the checks must not recurse per link
    chain = "".join(
        f"  chain_{i}:\n    label: Chain {i}\n    when: chain_{i + 1} or weapon_present\n" for i in range(n)
    )
    text = boston_text.replace(
        "facts:\n", "facts:\n" + chain + f"  chain_{n}:\n    label: End\n    when: violence_now\n", 1
    )
    protocol = parse_protocol(text)
    order = [fact for fact, _ in protocol.derived_facts]
    assert order.index(f"chain_{n}") < order.index("chain_1") < order.index("chain_0")
    problem = only(problems(text.replace("    when: violence_now\n", "    when: chain_0\n", 1)), "cycle")
    assert problem.message.startswith(
        "these derived facts depend on each other in a circle: chain_0 → chain_1 → chain_2"
    )
