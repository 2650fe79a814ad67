"""Every figure of section 6 (issue 12) against values worked out by hand on the fixed set of calls
in after_calls.py: undispatched calls, a departure, each disposition, late and overdue follow-ups."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from after_calls import CALLS, NOW, fixed_calls
from click.testing import CliRunner

from crisis_triage.reporting.figures import compute_figures, percentile, roles_from_protocol
from crisis_triage.reporting.outcome import call_outcome
from crisis_triage.reporting.render import render_html, render_text, report_data


@pytest.fixture(scope="module")
def outcomes(boston):
    return [(meta, call_outcome(boston, meta, events, NOW)) for meta, events in fixed_calls(boston)]


@pytest.fixture(scope="module")
def figures(boston, outcomes):
    return compute_figures(outcomes, roles=roles_from_protocol(boston), zone=NOW.tzinfo)


def test_the_set_is_what_it_says(outcomes):
    recommended = {meta.call_id: o.recommended for meta, o in outcomes}
    assert recommended == {
        "c01": "call_line", "c02": "call_line", "c03": "community_led", "c04": "alternative_response",
        "c05": "co_response", "c06": "co_response", "c07": "alternative_response", "c08": "community_led",
        "c09": "emergency_medical", "c10": "community_led", "c11": "call_line", "c12": "co_response",
    }  # fmt: skip
    assert len(CALLS) == 12


def test_counts(figures):
    f = figures
    assert (f.calls, f.dispatched, f.unfinished) == (12, 10, 0)
    assert f.not_dispatched == Counter({"caller_disconnected": 1, "advice_only": 1})
    assert f.per_model == Counter(
        {"community_led": 3, "alternative_response": 2, "co_response": 2, "call_line": 1, "police_emergency": 1,
         "emergency_medical": 1}
    )  # fmt: skip
    assert "call_line" not in set(f.not_dispatched)  # undispatched calls never count under a model
    assert (f.police, f.clinician, f.mental_health) == (3, 2, 5)
    assert f.roles.clinician == ("clinician",) and f.roles.mental_health == ("clinician", "mh_worker")
    assert (f.call_line_dispatched, f.call_line_beside) == (1, 2)
    assert (f.handoffs, f.handoff_outcomes, f.landed) == (1, Counter(accepted=1), Counter(follow_up_booked=1))
    assert f.departures == 1 and f.departure_models == Counter({("co_response", "police_emergency"): 1})
    assert f.per_band == Counter(none=6, high=6)
    assert percentile(f.seconds_to_dispatch, 50) == 180


def test_outcomes(figures):
    f = figures
    assert f.with_disposition == 8
    assert set(f.dispositions) == {
        "resolved_on_scene", "connected_to_care", "arrest", "section_12", "not_found", "transport_crisis_unit",
        "transport_emergency_room", "refused",
    } and set(f.dispositions.values()) == {1}  # fmt: skip
    assert (f.resolved_without, f.connected) == (4, 2)  # c03 c04 c08 c12; c04 c08
    assert dict(f.by_model["co_response"]) == {"dispatched": 2, "disposition": 2, "arrest": 1,
                                               "involuntary_hold": 0, "emergency_room": 0}  # fmt: skip
    assert dict(f.by_model["police_emergency"]) == {"dispatched": 1, "disposition": 1, "arrest": 0,
                                                    "involuntary_hold": 1, "emergency_room": 1}  # fmt: skip
    assert f.by_model["emergency_medical"]["emergency_room"] == 1
    assert f.by_model["community_led"]["dispatched"] == 3 and f.by_model["community_led"]["disposition"] == 2
    assert f.on_scene_by_model == {
        "community_led": [1020, 900], "alternative_response": [1800, 2400], "co_response": [600, 720],
        "police_emergency": [300], "emergency_medical": [480],
    }  # fmt: skip
    everything = [s for v in f.on_scene_by_model.values() for s in v]
    assert percentile(everything, 50) == 810 and percentile(everything, 90) == pytest.approx(1980)
    assert f.on_scene_by_district == {"B2": [1020, 1800, 600, 300, 2400, 900, 480, 720]}
    assert f.contact == Counter(in_time=5, late=3, missed=1)  # c10 never reported; c05 c07 c09 late
    assert f.followups == Counter(on_time=1, late=1, overdue=2)
    assert f.followups_by_rule == {
        "caring_contact": Counter(on_time=1, late=1, overdue=1),
        "not_found_recheck": Counter(overdue=1),
    }


def test_no_wrong_door_and_no_police(figures):
    f = figures
    assert f.strata_compared() == {"door": 4, "line": 1, "language": 1}
    assert f.wrong_door() == [
        ("door", ("high", ("safety_risk", "weapon_present")),
         {"self": Counter(police_emergency=1), "family": Counter(co_response=1)})
    ]  # fmt: skip
    assert (f.no_police_requests, f.no_police_honoured) == (2, 1)
    assert f.no_police_overrides == Counter(police_when_danger=1)


def test_trends_by_week(figures):
    week = figures.weeks["2026-W11"]
    assert list(figures.weeks) == ["2026-W11"]
    assert (week.calls, week.dispatched, week.police, week.with_disposition, week.resolved_without) == (12, 10, 3, 8, 4)


def test_text_json_and_html_say_the_same(figures):
    text = render_text(figures, title="t", zone=NOW.tzinfo)
    assert "dispatched                " in text and "10 of 12 (83.3%)" in text
    assert "police involved (police)" in text and "3 of 10 (30.0%) of dispatched" in text
    assert "with a clinician (clinician)" in text and "2 of 10 (20.0%)" in text
    assert "resolved without arrest, ER, hold or not found" in text and "4 of 8 (50.0%)" in text
    assert "contact confirmed in time" in text and "5 of 9 (55.6%)" in text
    assert "follow-ups done on time" in text and "1 of 4 (25.0%)" in text
    assert "2026-03-10 12:00 EDT" in text  # centre time, labelled
    data = report_data(figures)
    assert data["not_dispatched"] == {"caller_disconnected": 1, "advice_only": 1}
    assert data["outcomes"]["contact_confirmation"] == {"in_time": 5, "late": 3, "missed": 1, "open": 0}
    assert data["outcomes"]["seconds_to_on_scene"] == {"p50": 810, "p90": pytest.approx(1980), "calls": 8}
    assert data["no_police_requested"] == {"facts": ["fears_police", "no_police_requested"], "calls": 2, "honoured": 1,
                                           "overridden_by": {"police_when_danger": 1}}  # fmt: skip
    assert json.loads(json.dumps(data)) == json.loads(json.dumps(data))  # plain JSON
    html = render_html(figures, title="t", zone=NOW.tzinfo)
    assert "4 of 8 (50.0%)" in html and "no wrong door" in html and "2026-W11" in html


def _store_the_fixed_calls(tmp_path, boston, monkeypatch) -> None:
    """The twelve calls in the SQLite store the commands open by default."""
    from crisis_triage.store.journal import StoredEvent
    from crisis_triage.store.opening import sqlite_path
    from crisis_triage.store.sqlite import SqliteJournal

    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(tmp_path))
    journal = SqliteJournal(sqlite_path())
    for meta, events in fixed_calls(boston):
        journal.insert_many(
            [(meta, StoredEvent(f"{meta.call_id}-{n}", meta.call_id, n, e)) for n, e in enumerate(events, 1)]
        )
    journal.close()


def test_report_and_deidentified_export_from_a_store(tmp_path, boston, monkeypatch):
    from crisis_triage.cli import cli

    _store_the_fixed_calls(tmp_path, boston, monkeypatch)
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dispatched"] == 10 and data["outcomes"]["with_disposition"] == 8
    assert data["outcomes"]["followups"]["overdue"] == 2  # the report's now is later still
    exported = runner.invoke(cli, ["records", "export", "--level", "calls", "--deidentify"])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in exported.output.splitlines() if line.startswith("{")]
    assert sorted(r["disposition"] or "-" for r in rows) == sorted(
        ["-", "-", "-", "-", "resolved_on_scene", "connected_to_care", "arrest", "section_12", "not_found",
         "transport_crisis_unit", "transport_emergency_room", "refused"]
    )  # fmt: skip
    assert Counter(r["contact_confirmation"] for r in rows) == Counter({"in_time": 5, "late": 3, "missed": 1, None: 3})
    assert all(r["call_id"] not in {c[0] for c in CALLS} for r in rows)  # pseudonyms


def test_the_no_police_column_of_the_call_export(tmp_path, boston, monkeypatch):
    """By hand (Boston's evaluation counts fears_police and no_police_requested as a no-police wish; the
    fixed calls carry only fears_police): c05 feared police but had
    a weapon, so police went with the clinician (not honoured); c08 feared police and got the peer team
    (honoured); no other call carries the fact, so their column is empty."""
    from crisis_triage.cli import cli

    assert list(roles_from_protocol(boston).no_police_facts) == ["fears_police", "no_police_requested"]
    _store_the_fixed_calls(tmp_path, boston, monkeypatch)
    runner = CliRunner()
    plain = runner.invoke(cli, ["records", "export", "--level", "calls"])
    assert plain.exit_code == 0, plain.output
    by_call = {r["call_id"]: r for r in map(json.loads, filter(None, plain.stdout.splitlines()))}
    assert {c: r["no_police_honoured"] for c, r in by_call.items() if r["no_police_honoured"] is not None} == {
        "c05": False,
        "c08": True,
    }
    assert by_call["c05"]["police_guarantees"] == ["police_when_danger"]
    deidentified = runner.invoke(cli, ["records", "export", "--level", "calls", "--deidentify", "--format", "csv"])
    assert deidentified.exit_code == 0, deidentified.output
    rows = list(csv.DictReader(io.StringIO(deidentified.stdout)))
    assert Counter(r["no_police_honoured"] for r in rows) == Counter({"": 10, "true": 1, "false": 1})
