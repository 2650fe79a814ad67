"""Figures, outcomes, de-identification and chart pieces, below the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from records_helpers import eventful_call

from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.reporting.deidentify import REMOVED, Deidentifier, hour
from crisis_triage.reporting.figures import compute_figures, percentile
from crisis_triage.reporting.outcome import call_outcome
from crisis_triage.reporting.outcomes import call_outcomes
from crisis_triage.reporting.render import bar, render_html, render_text
from crisis_triage.store.import_calls import imported_records
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.sqlite import SqliteJournal


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """These tests pin the engine's mechanics to exact questions: the frozen 2026.11.1 protocol."""
    return boston_2026_11


NY = ZoneInfo("America/New_York")


def test_percentile_interpolates_and_handles_empty():
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9.1


def test_outcome_of_the_eventful_call(boston):
    events = eventful_call(boston, datetime(2026, 3, 10, 14, 23, 17, tzinfo=NY))
    meta = CallMeta("x", "c", "t", boston.id, boston.version, boston.sha256)
    outcome = call_outcome(boston, meta, events)
    assert outcome.recommended == "police_emergency" and outcome.preferred == "co_response"
    assert outcome.fallbacks and outcome.fallbacks[0][:2] == ("co_response", "police_emergency")
    assert outcome.dispatched == "co_response" and outcome.departed
    assert outcome.team == tuple(boston.models["co_response"].team)  # who went, on a departure
    assert outcome.interrupts == 1 and outcome.ended == "completed"
    assert 0 < outcome.seconds_to_recommendation < outcome.seconds_to_dispatch < outcome.seconds_total


def test_parallel_replay_gives_the_same_figures_as_one_process(tmp_path, boston):
    store = SqliteJournal(tmp_path / "r.sqlite3")
    lines = (json.dumps(c) for c in generate_calls(boston, 450, seed=11))
    store.insert_many([r for call in imported_records(boston, lines) for r in call])
    one = compute_figures(call_outcomes(store.iter_rows(), [boston.file], jobs=1))
    two = compute_figures(call_outcomes(store.iter_rows(), [boston.file], jobs=2))
    store.close()
    assert one.calls == two.calls == 450
    assert one == two
    assert (
        sum(one.per_model.values()) + sum(one.not_dispatched.values()) == 450
        and one.handoffs >= one.handoffs_accepted > 0
    )
    assert one.preferred_unavailable > 0 and sum(one.unavailable_reasons.values()) >= one.preferred_unavailable
    text = render_text(one, title="t")
    assert "time to recommendation p50 / p90" in text and "█" in text
    page = render_html(one, title="t <&>")
    assert "t &lt;&amp;&gt;" in page and "<script" not in page


def test_calls_without_their_protocol_are_listed_not_dropped(boston):
    events = eventful_call(boston, datetime(2026, 3, 10, 14, 0, tzinfo=NY))
    meta = CallMeta("orphan", "c", "t", "other_protocol", "1", "f" * 64, "/nowhere/other.yaml")
    from crisis_triage.store.journal import StoredEvent
    from crisis_triage.store.rows import to_row

    rows = [to_row(meta, StoredEvent(f"{n:032x}", "orphan", n, e)) for n, e in enumerate(events, 1)]
    figures = compute_figures(call_outcomes(rows, [boston.file], jobs=1))
    assert figures.calls == 0 and sum(figures.unreadable.values()) == 1
    (reason,) = figures.unreadable
    assert (
        "other_protocol 1" in reason and "/nowhere/other.yaml cannot be read" in reason and "--protocol FILE" in reason
    )


def test_deidentifier_without_a_protocol_keeps_no_answer_and_says_so():
    # Fails closed (issue 10): without the protocol a one-word name ("Rosa") cannot be told from an
    # option id ("past_3_months"), so no answer is kept, and the export counts what it removed.
    d = Deidentifier(b"k" * 32)
    event = {"at": "2026-03-10T14:23:17-04:00", "kind": "answered", "question": "q", "value": "Rosa Diaz"}
    assert d.event(event, None)["value"] == REMOVED
    assert d.event({**event, "value": "Rosa"}, None)["value"] == REMOVED
    assert d.event({**event, "value": "past_3_months"}, None)["value"] == REMOVED
    assert d.event({**event, "value": ["voices", "Main St 5"]}, None)["value"] == REMOVED
    assert d.event(event, None)["at"] == "2026-03-10T14:00:00-04:00"
    assert "answers of calls whose protocol file was not found" in d.report()
    note = d.event({"at": event["at"], "kind": "note", "text": "call 617-555-0134"}, None)
    assert note["text"] == REMOVED
    context = d.event({"at": event["at"], "kind": "context_changed", "district": "B2", "line": "617 555 0134"}, None)
    assert context["line"] == REMOVED and context["district"] == "B2"
    unknown = d.event({"at": event["at"], "kind": "future_kind", "caller": "Rosa Diaz"}, None)
    assert unknown["caller"] == REMOVED and 'the field "caller" of future_kind events' in d.report()
    assert (
        d.pseudonym("call", "a")
        == Deidentifier(b"k" * 32).pseudonym("call", "a")
        != Deidentifier().pseudonym("call", "a")
    )


def test_hour_and_bar():
    assert hour(datetime(2026, 1, 1, 9, 59, 59, 999, tzinfo=NY)) == datetime(2026, 1, 1, 9, tzinfo=NY)
    assert bar(10, 10, 4) == "████" and bar(0, 10, 4) == "" and bar(5, 10, 4) == "██"
    assert bar(1, 16, 2) == "▏" and bar(3, 0, 5) == ""


def _naive_time_to_recommendation(protocol, events):
    """The definition, evaluated after every event: first moment the recommendation is not provisional."""
    from crisis_triage.engine.session import CallSession

    session = CallSession(protocol, events[0])
    if not session.assessment.recommendation.provisional:
        return 0.0
    for event in events[1:]:
        session.apply(event)
        if event.kind == "accepted" or not session.assessment.recommendation.provisional:
            return (event.at - events[0].at).total_seconds()
    return None


def test_time_to_recommendation_shortcut_matches_the_definition(boston):
    from crisis_triage.replay.calls import CallRecord
    from crisis_triage.store.import_calls import call_events

    calls = [call_events(boston, CallRecord(**c)) for c in generate_calls(boston, 300, seed=23)]
    calls.append(eventful_call(boston, datetime(2026, 3, 10, 14, 0, tzinfo=NY)))
    meta = CallMeta("x", "c", "t", boston.id, boston.version, boston.sha256)
    for events in calls:
        assert call_outcome(boston, meta, events).seconds_to_recommendation == _naive_time_to_recommendation(
            boston, events
        )
