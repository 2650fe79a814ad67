"""`crisis-triage diff` shows the referral block and the dispositions (issue 16: 2026.12 -> 2026.12.1)."""

from __future__ import annotations

from pathlib import Path

from crisis_triage.authoring.diff import structural_changes
from crisis_triage.protocol import load_protocol

ROOT = Path(__file__).resolve().parents[2]


def test_the_age_bands_the_new_referral_rules_and_the_directory_detail_are_listed():
    old = load_protocol(ROOT / "protocols" / "history" / "boston-mh-crisis-2026.12.yaml")
    new = load_protocol(ROOT / "protocols" / "boston-mh-crisis.yaml")
    changes = [(c.kind, c.what, c.detail) for c in structural_changes(old, new)]
    # The history copy names the same directory file from one folder down: not a change.
    assert not any("directory:" in detail for _, what, detail in changes if what == "referrals")
    assert ("changed", "referrals", "age_question: (none) -> age_group") in changes
    assert ("added", "referral rule young_person", "if minor -> youth") in changes
    assert (
        "added",
        "referral rule older_adult_family",
        'if older_adult and caller == "family" -> older_adult (to the family)',
    ) in changes
    assert (
        "changed",
        "disposition connected_to_care",
        "details: [service] -> [service (from the directory)]",
    ) in changes
    # Read back the other way, the rules are removed.
    assert ("removed", "referral rule young_person", "if minor -> youth") in [
        (c.kind, c.what, c.detail) for c in structural_changes(new, old)
    ]
