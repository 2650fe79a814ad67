"""Generated dispositions name services of the protocol's directory (so the report can count them)."""

from __future__ import annotations

import random

from crisis_triage.engine.receiving_services import receiving_service_problem
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.replay.generate_after import after_plan


def test_connected_to_care_names_a_care_service_of_the_directory(shipped):
    directory = load_directory_for(shipped)
    services = []
    for seed in range(400):
        plan = after_plan(shipped, random.Random(seed), "co_response", [])
        if plan.get("disposition") == "connected_to_care":
            services.append(plan["details"]["service"])
    assert len(services) > 10
    assert all(receiving_service_problem(directory, s) is None for s in services)
    assert {directory.by_id[s].kind for s in services} <= {
        "urgent_care",
        "crisis_stabilisation",
        "detox_recovery",
        "peer_respite",
        "youth",
        "older_adult",
    }
    assert len(set(services)) > 3  # spread over the directory, not one service


def test_a_service_detail_not_marked_from_the_directory_keeps_the_free_text_names():
    # 2026.12 had the directory but its connected_to_care service was free text.
    from pathlib import Path

    from crisis_triage.protocol import load_protocol
    from crisis_triage.replay.generate_after import SERVICES

    root = Path(__file__).resolve().parents[2]
    before = load_protocol(root / "protocols" / "history" / "boston-mh-crisis-2026.12.yaml")
    services = []
    for seed in range(400):
        plan = after_plan(before, random.Random(seed), "co_response", [])
        if plan.get("disposition") == "connected_to_care":
            services.append(plan["details"]["service"])
    assert len(services) > 10 and set(services) <= set(SERVICES)
