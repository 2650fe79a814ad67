"""A scenario's `expect.referrals_offer`: the kinds of service the protocol's referral rules must offer."""

from __future__ import annotations

from pathlib import Path

from crisis_triage.protocol import load_protocol
from crisis_triage.training.library import load_library
from crisis_triage.training.runner import check_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_a_teen_scenario_expects_youth_services_and_fails_on_the_version_without_the_age_rules():
    current = load_protocol(ROOT / "protocols" / "boston-mh-crisis.yaml")
    before = load_protocol(ROOT / "protocols" / "history" / "boston-mh-crisis-2026.12.yaml")
    library = load_library(ROOT / "protocols" / "scenarios", current)
    teen = next(s for s in library.scenarios if s.id == "autistic_teen_meltdown")
    assert teen.document.expect.referrals_offer == ["youth"]
    assert check_scenario(current, teen).differences == ()
    (difference,) = [d for d in check_scenario(before, teen).differences if d.what == "referrals"]
    assert difference.expected == "offers youth" and "youth" not in difference.got
