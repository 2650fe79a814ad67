"""Lint checks added with protocol 2026.12: language review marks, read-aloud scope, unknown on safety questions."""

from __future__ import annotations

import pytest

from crisis_triage.authoring.lint import LintOptions, lint
from crisis_triage.protocol import ProtocolError
from crisis_triage.protocol.errors import format_path
from tests.authoring.conftest import SMALL, load_text

REVIEWED = "  languages: [en, es]\n  language_review: {es: {reviewed: true, reviewer: A. Translator}}\n"


def codes(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in lint(load_text(text), LintOptions()):
        found.setdefault(finding.code, []).append(finding)
    return found


def test_a_language_with_no_review_mark_is_a_warning_at_the_language():
    unmarked = SMALL.replace(REVIEWED, "  languages: [en, es]\n")
    assert unmarked != SMALL
    (finding,) = codes(unmarked)["language-no-review"]
    assert finding.severity == "warning" and "language_review.es" in finding.message
    assert finding.line == 5


def test_a_reviewed_language_is_quiet_and_an_unreviewed_one_is_noted():
    assert "language-no-review" not in codes(SMALL) and "language-unreviewed" not in codes(SMALL)
    draft = SMALL.replace("{reviewed: true, reviewer: A. Translator}", "{reviewed: false, note: machine draft}")
    (finding,) = codes(draft)["language-unreviewed"]
    assert finding.severity == "info" and "machine draft" in finding.message


def test_a_read_aloud_language_needs_only_the_words_read_to_the_caller():
    text = SMALL.replace(
        REVIEWED,
        "  languages: [en, es, ht]\n  language_review:\n    es: {reviewed: true}\n    ht: {reviewed: false, scope: read_aloud}\n",
    ).replace(
        "ask: {en: Is there a weapon?, es: ¿Hay un arma?}",
        "ask: {en: Is there a weapon?, es: ¿Hay un arma?, ht: Èske gen yon zam?}",
    )
    missing = codes(text)["missing-translation"]
    # Labels and reasons stay English for ht; only the unread ask of "support" lacks its ht text.
    assert [format_path(f.path) for f in missing] == ["sections[1].questions[0].ask"]


def test_a_review_mark_for_a_language_the_protocol_does_not_list_is_refused():
    with pytest.raises(ProtocolError) as caught:
        load_text(SMALL.replace("{es: {reviewed: true, reviewer: A. Translator}}", "{pt: {reviewed: true}}"))
    assert 'language_review names "pt"' in str(caught.value)


def test_a_safety_question_that_cannot_record_unknown_is_an_error():
    text = SMALL.replace(
        '        sets: {weapon_present: answer == "yes"}\n  - id: situation',
        '        sets: {weapon_present: answer == "yes"}\n'
        "      - id: seen\n"
        "        type: multi\n"
        "        ask: {en: What do you see?, es: ¿Qué ve?}\n"
        "        options: [knife, gun]\n"
        "  - id: situation",
    )
    (finding,) = codes(text)["safety-no-unknown"]
    assert finding.severity == "error" and '"seen"' in finding.message
    fixed = text.replace("options: [knife, gun]", "options: [knife, gun, unknown]")
    assert "safety-no-unknown" not in codes(fixed)


def test_an_imminent_path_with_no_contact_confirmation_is_a_warning(boston_text):
    assert "imminent-no-confirm" not in codes(boston_text)
    edited = boston_text.replace(
        "  - models: [police_emergency, co_response, emergency_medical]", "  - models: [police_emergency, co_response]"
    )
    assert edited != boston_text
    (finding,) = codes(edited)["imminent-no-confirm"]
    assert finding.severity == "warning" and 'rule "imminent_suicide_risk" sends emergency_medical' in finding.message
