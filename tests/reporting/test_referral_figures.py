"""The report counts referrals by kind and names the services calls were connected to."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crisis_triage.engine import Answered, CallEnded, CallStarted
from crisis_triage.engine.referral_views import referral_event
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.reporting.figures import compute_figures
from crisis_triage.reporting.outcome import call_outcome
from crisis_triage.reporting.render import render_html, render_text
from crisis_triage.store.journal import CallMeta

NY = ZoneInfo("America/New_York")
AT = datetime(2026, 3, 10, 12, 0, tzinfo=NY)


def _call(boston, directory, call_id: str, given: list[tuple[str, str]]):
    events = [CallStarted(at=AT, door="family", line="e911", district="B2")]
    events.append(Answered(at=AT + timedelta(seconds=5), question="location", value="1 Main St"))
    for n, (service, to) in enumerate(given):
        events.append(referral_event(directory, service, to, AT + timedelta(seconds=10 + n)))
    events.append(CallEnded(at=AT + timedelta(minutes=3), outcome="advice_only"))
    meta = CallMeta(call_id, "c", "t", boston.id, boston.version, boston.sha256)
    return meta, call_outcome(boston, meta, events)


def test_referral_counts_against_hand_computed_values(boston):
    directory = load_directory_for(boston)
    calls = [
        _call(boston, directory, "a", [("albany_recovery_access", "caller"), ("parent_stress_line", "family")]),
        _call(boston, directory, "b", [("albany_recovery_access", "caller")]),
        _call(boston, directory, "c", []),
        _call(boston, directory, "d", [("mens_shelter_intake", "caller"), ("family_support_line", "family")]),
    ]
    assert calls[0][1].referrals == (
        ("detox_recovery", "Recovery Access Center (walk-in addiction services)", "caller"),
        ("family_support", "Parental Stress Line", "family"),
    )
    figures = compute_figures(calls)
    # By hand: 5 referrals on 3 of 4 calls; detox 2, family support 2, shelter 1.
    assert figures.calls == 4 and figures.referred == 3
    assert dict(figures.referrals_by_kind) == {"detox_recovery": 2, "family_support": 2, "shelter": 1}
    assert figures.referral_services["Recovery Access Center (walk-in addiction services)"] == 2
    assert sum(figures.referral_services.values()) == 5
    text = render_text(figures, title="t")
    assert "calls given a referral" in text and "3 (75.0%), 5 referrals" in text
    assert "referrals given, by kind: detox_recovery 2, family_support 2, shelter 1" in text
    assert "services given as referrals:" in text and "Parental Stress Line" in text
    assert "Referrals given, by kind" in render_html(figures, title="t")


def test_a_call_without_referrals_changes_nothing(boston):
    figures = compute_figures([_call(boston, load_directory_for(boston), "x", [])])
    assert figures.referred == 0 and not figures.referrals_by_kind
    assert "referrals given, by kind" not in render_text(figures, title="t")


def _connected(boston, call_id: str, code: str, details: dict[str, str]):
    from crisis_triage.engine import RecommendationAccepted
    from crisis_triage.engine.events_response import DispositionRecorded

    events = [
        CallStarted(at=AT, door="family", line="e911", district="B2"),
        RecommendationAccepted(at=AT + timedelta(minutes=2), model="co_response", recommended="co_response"),
        CallEnded(at=AT + timedelta(minutes=3), outcome="dispatched"),
        DispositionRecorded(at=AT + timedelta(hours=1), code=code, details=details, recorded_by="dispatcher"),
    ]
    meta = CallMeta(call_id, "c", "t", boston.id, boston.version, boston.sha256)
    return meta, call_outcome(boston, meta, events)


def test_the_services_calls_were_connected_to_come_from_the_dispositions(boston):
    calls = [
        _connected(boston, "a", "connected_to_care", {"service": "albany_recovery_access"}),
        _connected(boston, "b", "connected_to_care", {"service": "albany_recovery_access"}),
        _connected(boston, "c", "connected_to_care", {"service": "other: Bay Cove walk-in"}),
        _connected(boston, "d", "transport_crisis_unit", {"destination": "BEST CSU"}),  # free text, not counted
    ]
    assert calls[0][1].receiving_services == ("albany_recovery_access",)
    figures = compute_figures(calls)
    # By hand: 4 calls with a disposition, 3 connected to care through the directory detail (2 + 1),
    # and the crisis unit (also marked connected to care) names no directory service.
    assert figures.connected == 4
    assert dict(figures.receiving_services) == {"albany_recovery_access": 2, "other: Bay Cove walk-in": 1}
    text = render_text(figures, title="t")
    assert "services calls were connected to (disposition):" in text
    assert "       2  albany_recovery_access" in text
    assert "<h2>Services calls were connected to</h2>" in render_html(figures, title="t")
