"""Each lint finding, triggered by a small protocol written to show it; exit codes; the CLI."""

from __future__ import annotations

from click.testing import CliRunner

from crisis_triage.authoring.lint import LintOptions, exit_code, lint
from crisis_triage.authoring.source import load_with_source
from crisis_triage.cli import cli
from tests.authoring.conftest import ROOT, SMALL, load_text

BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"


def findings(text: str, **options):
    return lint(load_text(text), LintOptions(**options))


def codes(text: str, **options) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in findings(text, **options):
        found.setdefault(finding.code, []).append(finding)
    return found


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_small_protocol_is_clean_of_errors_and_warnings():
    found = findings(SMALL)
    assert [f for f in found if f.severity in ("error", "warning")] == []
    assert exit_code(found, strict=True) == 0


def test_the_shipped_protocol_has_no_errors_or_warnings():
    found = lint(load_with_source(BOSTON))
    assert [str(f) for f in found if f.severity != "info"] == []


def test_a_question_no_path_reaches_is_an_error_at_its_condition():
    # a weapon scores 6 points (band "high"), so "a weapon and no risk" never happens on a call
    text = SMALL.replace("when: not weapon_present", 'when: weapon_present and band == "none"')
    found = codes(text)["unreachable"]
    assert found[0].severity == "error"
    assert found[0].line == line_of(text, 'when: weapon_present and band == "none"')
    assert '"support"' in found[0].message


def test_a_rule_covered_by_an_earlier_one_is_shadowed():
    text = SMALL.replace(
        """    - id: visit
      when: wants_visit""",
        """    - id: armed_elevated
      when: weapon_present and band == "high"
      recommend: peers
      because: {en: Never, es: Nunca}
    - id: visit
      when: wants_visit""",
    )
    found = codes(text)["rule-shadowed"]
    assert len(found) == 1 and found[0].severity == "error"
    assert '"armed_elevated"' in found[0].message and '"danger"' in found[0].message
    assert found[0].line == line_of(text, 'when: weapon_present and band == "high"')


def test_a_rule_shadowed_only_by_several_earlier_rules_together():
    text = SMALL.replace(
        """    - id: otherwise
      recommend: call_line""",
        """    - id: either
      when: wants_visit or weapon_present
      recommend: call_line
      because: {en: Never, es: Nunca}
    - id: otherwise
      recommend: call_line""",
    )
    found = codes(text)["rule-shadowed"]
    assert '"either"' in found[0].message and '"danger", "visit"' in found[0].message


def test_a_band_no_path_ends_in():
    text = SMALL.replace("- {id: high, min_score: 6,", "- {id: high, min_score: 60,")
    found = codes(text)["band-unreachable"]
    assert found[0].severity == "warning" and '"high"' in found[0].message
    assert found[0].line == line_of(text, "id: high, min_score: 60")


def test_a_model_nothing_can_bring():
    text = SMALL.replace(
        "    - {id: call_line, name:",
        "    - {id: unused_team, name: {en: Unused, es: Sin uso}, team: [peer]}\n    - {id: call_line, name:",
    )
    found = codes(text)["model-unused"]
    assert len(found) == 1 and '"unused_team"' in found[0].message


def test_a_rule_no_path_reaches_though_no_rule_covers_it():
    # support is only asked without a weapon, and then band is at most "none"... so "calm_and_high" never applies
    text = SMALL.replace(
        """    - id: otherwise
      recommend: call_line""",
        """    - id: calm_and_high
      when: support == "phone" and band == "high"
      recommend: peers
      because: {en: Never, es: Nunca}
    - id: otherwise
      recommend: call_line""",
    )
    found = codes(text)
    assert "rule-shadowed" not in found
    assert (
        found["rule-never-applies"][0].severity == "warning"
        and '"calm_and_high"' in found["rule-never-applies"][0].message
    )


def test_an_interrupt_whose_fact_no_condition_reads():
    text = SMALL.replace(
        "  wants_visit: {label:", "  unread: {label: {en: Unread, es: Sin leer}}\n  wants_visit: {label:"
    ).replace("interrupts:\n", "interrupts:\n  - {id: noted, key: n, fact: unread, label: {en: Noted, es: Anotado}}\n")
    found = codes(text)["interrupt-no-effect"]
    assert '"noted"' in found[0].message and "no condition reads" in found[0].message


def test_an_interrupt_that_never_changes_band_or_team():
    # the fact is read, but only to add a note: recording it changes no band, question or team
    text = (
        SMALL.replace(
            "  wants_visit: {label:", "  flagged: {label: {en: Flagged, es: Marcado}}\n  wants_visit: {label:"
        )
        .replace("interrupts:\n", "interrupts:\n  - {id: flag, key: g, fact: flagged, label: {en: Flag, es: Marca}}\n")
        .replace(
            """      recommend: call_line
      because: {en: Phone support, es: Apoyo telefónico}""",
            """      recommend: call_line
      because: {en: Phone support, es: Apoyo telefónico}
      also:
        - {note: {en: Flagged, es: Marcado}, when: flagged}""",
        )
    )
    found = [f for f in codes(text)["interrupt-no-effect"] if '"flag"' in f.message]
    assert found and "never changes the band or the team" in found[0].message
    assert found[0].line == line_of(text, "id: flag, key: g")


def test_a_question_whose_answers_do_nothing():
    text = SMALL.replace(
        """      - id: support
        type: choice""",
        """      - id: idle
        ask: {en: Anything else?, es: ¿Algo más?}
      - id: support
        type: choice""",
    )
    found = codes(text)["question-no-effect"]
    assert '"idle"' in found[0].message and found[0].severity == "warning"


def test_an_option_that_changes_nothing_is_a_note():
    text = SMALL.replace(
        "          - {id: visit, label: {en: Visit, es: Visita}}",
        "          - {id: visit, label: {en: Visit, es: Visita}}\n          - {id: maybe, label: {en: Maybe, es: Quizás}}",
    )
    found = codes(text)["option-no-effect"]
    messages = " ".join(f.message for f in found)
    assert '"maybe"' in messages and all(f.severity == "info" for f in found)
    assert any(f.line == line_of(text, "id: maybe") for f in found)


def test_missing_translations_and_untranslated_hints():
    text = SMALL.replace(
        "ask: {en: Is there a weapon?, es: ¿Hay un arma?}", "ask: {en: Is there a weapon?}\n        hint: Knives count."
    )
    found = codes(text)
    assert found["missing-translation"][0].line == line_of(text, "ask: {en: Is there a weapon?}")
    assert "es" in found["missing-translation"][0].message
    assert found["hint-untranslated"][0].severity == "info"


def test_scripts_too_long_to_read_aloud():
    long = " ".join(["word"] * 40)
    text = SMALL.replace(
        "ask: {en: Phone or visit?, es: ¿Teléfono o visita?}", f"ask: {{en: {long}?, es: ¿Teléfono o visita?}}"
    )
    found = codes(text)["script-too-long"]
    assert "40 words" in found[0].message and "(en)" in found[0].message
    assert "script-too-long" not in codes(text, max_words=50)


def test_keys_the_console_uses_or_that_pick_two_things():
    text = SMALL.replace('- {id: e911, key: "9"', '- {id: e911, key: "f"').replace(
        "- {id: phone, label:", '- {id: phone, key: " ", label:'
    )
    found = codes(text)["key-clash"]
    messages = [f.message for f in found]
    assert any("space" in m for m in messages)
    assert any("already picks a door or line" in m for m in messages)
    assert all(f.severity == "error" for f in found)


def test_a_fact_set_but_never_read():
    text = SMALL.replace(
        "  wants_visit: {label:", "  noted: {label: {en: Noted, es: Anotado}}\n  wants_visit: {label:"
    ).replace(
        'sets: {weapon_present: answer == "yes"}', 'sets: {weapon_present: answer == "yes", noted: answer == "unknown"}'
    )
    assert '"noted"' in codes(text)["fact-unused"][0].message


def test_a_lint_ignore_comment_silences_the_finding_on_its_line():
    text = SMALL.replace("- {id: high, min_score: 6,", "- {id: high, min_score: 60,")
    assert "band-unreachable" in codes(text)
    silenced = text.replace(
        "- {id: high, min_score: 60, label: {en: High, es: Alto}}",
        "- {id: high, min_score: 60, label: {en: High, es: Alto}}  # lint: ignore[band-unreachable]",
    )
    assert "band-unreachable" not in codes(silenced)


def test_exit_codes_for_ci(tmp_path):
    runner = CliRunner()
    clean = tmp_path / "clean.yaml"
    clean.write_text(SMALL, encoding="utf-8")
    warned = tmp_path / "warned.yaml"
    warned.write_text(SMALL.replace("- {id: high, min_score: 6,", "- {id: high, min_score: 60,"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.replace("recommend: peers", "recommend: peer_team"), encoding="utf-8")
    shadowed = tmp_path / "shadowed.yaml"
    shadowed.write_text(SMALL.replace("      when: wants_visit", "      when: weapon_present"), encoding="utf-8")
    assert runner.invoke(cli, ["lint", str(clean), "--strict"]).exit_code == 0
    assert runner.invoke(cli, ["lint", str(warned)]).exit_code == 0
    result = runner.invoke(cli, ["lint", str(warned), "--strict"])
    assert result.exit_code == 2 and "warning[band-unreachable]" in result.output
    result = runner.invoke(cli, ["lint", str(shadowed)])
    assert result.exit_code == 1 and f"{shadowed}:" in result.output and "error[rule-shadowed]" in result.output
    result = runner.invoke(cli, ["lint", str(broken)])
    assert result.exit_code == 1 and "peer_team" in result.output
    result = runner.invoke(cli, ["lint", str(warned), "--format", "json", "--severity", "warning"])
    assert '"code": "band-unreachable"' in result.output and '"severity": "info"' not in result.output
