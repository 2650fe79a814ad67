"""`crisis-triage diff` lists changes to the blocks around the call, not only the questions and rules:
how soon a team's contact must be confirmed, the follow-ups a call owes, what the EIDO says of it,
what the evaluation counts, and the lines calls come in on. A change to any of these changes what
the console asks of a call-taker or what other systems and evaluators see."""

from __future__ import annotations

from pathlib import Path

from crisis_triage.authoring.diff import structural_changes
from crisis_triage.protocol import load_protocol

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"


def _edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = BOSTON.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    copy = tmp_path / "boston-mh-crisis.yaml"
    copy.write_text(text, encoding="utf-8")
    for side in BOSTON.parent.glob("boston-directory.yaml"):  # the referral block names it beside the file
        (tmp_path / side.name).write_text(side.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


def test_changes_around_the_call_are_listed_by_what_they_change(tmp_path):
    new = _edited(
        tmp_path,
        ("    within_minutes: 20\n", "    within_minutes: 30\n"),
        ("- {code: OD, facts: [overdose]}", "- {code: OD, facts: [overdose, withdrawal]}"),
        ("no_police_facts: [fears_police, no_police_requested]", "no_police_facts: [fears_police]"),
    )
    changes = [str(c) for c in structural_changes(load_protocol(BOSTON), load_protocol(new))]
    assert (
        "~ contact_confirmation[1] (models police_emergency, co_response, emergency_medical).within_minutes: 20 -> 30"
        in changes
    )
    assert "~ eido.incident_types[3] (code OD).facts: [overdose] -> [overdose, withdrawal]" in changes
    assert "~ evaluation.no_police_facts: [fears_police, no_police_requested] -> [fears_police]" in changes
    assert not [c for c in changes if c.startswith("~ version")], "the version was not changed"


def test_follow_up_rules_and_lines_are_compared_by_id(tmp_path):
    text = BOSTON.read_text(encoding="utf-8")
    start = text.index("caring_contact")
    hours = text.index("within_hours:", start)
    line_end = text.index("\n", hours)
    new = _edited(
        tmp_path,
        (text[hours:line_end], "within_hours: 12"),
        ("Alternative crisis number", "Alternative crisis line"),
    )
    changes = [str(c) for c in structural_changes(load_protocol(BOSTON), load_protocol(new))]
    assert "~ follow_up.rules caring_contact.within_hours: 24.0 -> 12.0" in changes
    assert '~ line alt_line: label (en): "Alternative crisis number" -> "Alternative crisis line"' in changes


def test_the_same_protocol_has_no_changes():
    assert structural_changes(load_protocol(BOSTON), load_protocol(BOSTON)) == []
