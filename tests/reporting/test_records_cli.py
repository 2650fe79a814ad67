"""``crisis-triage records`` and ``crisis-triage report`` end to end on a store of imported calls."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from records_helpers import eventful_call

from crisis_triage.cli import cli
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import sqlite_path
from crisis_triage.store.sqlite import SqliteJournal

CALLS = 120
EVENTFUL = "eventful-call-0001"


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """These tests pin exact questions and paths: the frozen 2026.11.1 protocol."""
    return boston_2026_11


def _run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


@pytest.fixture
def store(boston):
    """A local store with CALLS imported synthetic calls and one eventful hand-made call."""
    lines = "".join(json.dumps(c) + "\n" for c in generate_calls(boston, CALLS, seed=7))
    result = _run("records", "import-calls", "-", input=lines)
    assert result.exit_code == 0, result.output
    assert f"imported {CALLS} calls" in result.stderr
    journal = SqliteJournal(sqlite_path())
    events = eventful_call(boston, datetime(2026, 3, 10, 14, 23, 17, tzinfo=ZoneInfo("America/New_York")))
    meta = CallMeta(EVENTFUL, "console-3", "taker-42", boston.id, boston.version, boston.sha256, boston.file)
    journal.start_call(meta, events[0])
    for event in events[1:]:
        journal.append(EVENTFUL, event)
    journal.close()
    return events


def test_import_twice_stores_nothing_twice(store, boston):
    lines = "".join(json.dumps(c) + "\n" for c in generate_calls(boston, CALLS, seed=7))
    result = _run("records", "import-calls", "-", input=lines)
    assert ", 0 new)" in result.stderr
    journal = SqliteJournal(sqlite_path())
    assert journal.count()[0] == CALLS + 1
    journal.close()


def test_import_reports_bad_lines_and_goes_on(boston):
    good = json.dumps(next(generate_calls(boston, 1)))
    bad = json.dumps({"id": "x", "answers": {"weapon": "maybe"}})
    result = _run("records", "import-calls", "-", input=f"{good}\nnot json\n{bad}\n")
    assert result.exit_code == 0
    assert "line 2" in result.stderr and "line 3" in result.stderr and '"maybe" is not an answer' in result.stderr
    assert "imported 1 calls" in result.stderr


def test_list_shows_newest_first_and_unfinished(store):
    result = _run("records", "list", "-n", "5")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("started") and len(lines) == 6
    assert _run("records", "list", "--unfinished").stdout.strip() == "no unfinished calls"
    listed = [json.loads(x) for x in _run("records", "list", "-n", "500", "--json").stdout.splitlines()]
    assert len(listed) == CALLS + 1
    assert listed == sorted(listed, key=lambda c: c["started_at"], reverse=True)


def test_show_by_prefix_and_json(store):
    result = _run("records", "show", EVENTFUL[:12])
    assert result.exit_code == 0
    assert "console console-3, call-taker taker-42" in result.stdout
    assert "INTERRUPT weapon_seen" in result.stdout
    assert "dispatched co_response instead of police_emergency" in result.stdout
    assert "recommendation: police_emergency" in result.stdout
    raw = [json.loads(x) for x in _run("records", "show", EVENTFUL, "--json").stdout.splitlines()]
    assert [r["sequence"] for r in raw] == list(range(1, len(store) + 1))
    missing = _run("records", "show", "nope")
    assert missing.exit_code == 1 and 'no call "nope"' in missing.stderr and "Traceback" not in missing.output


def test_review_shows_order_skips_interrupts_timing_and_departure(store):
    result = _run("records", "review", EVENTFUL)
    out = result.stdout
    assert result.exit_code == 0
    assert "answered weapon: Yes   <- out of order: the protocol asked with_person" in out
    assert "questions skipped (1): provider" in out
    assert "interrupts: weapon_seen at +0:55" in out
    assert "revised threats" in out and "revisions: 1" in out
    assert re.search(r"\+ 0:30\s+30s  answered location", out)
    assert (
        "departures from the recommendation: dispatched co_response instead of police_emergency: "
        "Caller Rosa at 617 555 0134 asked for a clinician; a team freed up"
    ) in out
    assert "MISMATCH" not in out


def test_export_events_jsonl_and_csv_agree(store):
    jsonl = _run("records", "export").stdout.splitlines()
    rows = [json.loads(x) for x in jsonl]
    table = list(csv.DictReader(io.StringIO(_run("records", "export", "--format", "csv").stdout)))
    assert len(rows) == len(table) > CALLS * 15
    assert [r["event_id"] for r in rows] == [r["event_id"] for r in table]
    mine = [r for r in rows if r["call_id"] == EVENTFUL]
    assert [r["sequence"] for r in mine] == list(range(1, len(store) + 1))
    assert mine[1]["question"] == "location" and mine[1]["value"] == "12 Dudley St, apt 3"
    assert {
        "event_id",
        "call_id",
        "sequence",
        "at",
        "console_id",
        "call_taker_id",
        "protocol_id",
        "protocol_version",
        "protocol_sha256",
        "kind",
        "event",
    } <= set(table[0])


def test_deidentified_export_leaves_nothing_that_points_to_a_person(store):
    text = _run("records", "export", "--deidentify").stdout
    for secret in ("Rosa", "Luis", "Dudley", "617", "555", "0134", EVENTFUL, "taker-42"):
        assert not re.search(rf"\b{secret}\b", text), secret
    rows = [json.loads(x) for x in text.splitlines()]
    on_the_hour = re.compile(r"T\d\d:00:00(\+|-)")
    assert all(on_the_hour.search(r["at"]) and on_the_hour.search(r["event"]["at"]) for r in rows)
    notes = [r for r in rows if r["kind"] == "note"]
    assert notes and all(r["event"]["text"] == "[removed]" for r in notes)
    answers = {r["event"]["question"]: r["event"]["value"] for r in rows if r["kind"] == "answered"}
    assert answers["caller_name"] == answers["location"] == "[removed]"
    assert any(r["event"].get("value") == "yes" for r in rows if r["kind"] == "answered")  # choices stay
    # The same call keeps one pseudonym across its events, so the evaluator can follow a call.
    calls = {r["call_id"] for r in rows}
    assert len(calls) == CALLS + 1


def test_deidentified_calls_csv_has_outcomes(store):
    result = _run("records", "export", "--level", "calls", "--format", "csv", "--deidentify")
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == CALLS + 1 and all(r["problem"] == "" for r in table)
    # generated calls depart now and then too; the eventful call's departure is the one at 14:00
    departed = [r for r in table if r["departed"] == "true" and r["started_at"].startswith("2026-03-10T14:00:00")]
    assert len(departed) == 1 and departed[0]["dispatched"] == "co_response"
    assert all(r["band"] and r["recommended"] for r in table)
    assert "exported" in result.stderr and "de-identified" in result.stderr


def test_report_prints_the_pilot_figures_and_writes_html(store, tmp_path):
    html = tmp_path / "report.html"
    result = _run("report", "--html", str(html))
    out = result.stdout
    assert result.exit_code == 0
    for label in (
        "police involved",
        "with a clinician",
        "handoffs accepted",
        "preferred model unavailable",
        "time to recommendation p50 / p90",
        "response model (dispatched calls)",
        "district",
        "risk band",
        "door (who called)",
    ):
        assert label in out
    assert re.search(rf"\ncalls +{CALLS + 1}\n", out)
    assert "█" in out
    page = html.read_text()
    assert page.count("<svg") >= 5 and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    figures = json.loads(_run("report", "--json").stdout)
    assert figures["calls"] == CALLS + 1
    assert sum(figures["per_model"].values()) + sum(figures["not_dispatched"].values()) == CALLS + 1
    assert figures["departures"] >= 1  # the eventful call's, and any of the generated calls' own
    assert figures["seconds_to_recommendation"]["p50"] <= figures["seconds_to_recommendation"]["p90"]


def test_report_on_an_empty_store_and_a_missing_protocol(tmp_path, boston):
    assert "no calls in the records" in _run("report").stderr
    journal = SqliteJournal(sqlite_path())
    events = eventful_call(boston, datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("America/New_York")))
    meta = CallMeta("lost-protocol", "c", "t", boston.id, "old", "0" * 64, str(tmp_path / "gone.yaml"))
    journal.start_call(meta, events[0])
    for n in range(3):  # three calls taken with a text of the shipped file that has since been edited
        edited = CallMeta(f"edited-{n}", "c", "t", boston.id, boston.version, "1" * 64, boston.file)
        journal.start_call(edited, events[0])
    journal.close()
    out = _run("report").stdout
    assert "4 calls could not be replayed" in out and "--protocol FILE" in out
    assert re.search(r"\n\s+3  protocol boston_mh_crisis .* has changed since \(sha256 now", out)
    assert re.search(r"\n\s+1  protocol boston_mh_crisis old .*gone.yaml cannot be read", out)


def test_purge_respects_retention_and_asks(store):
    result = _run("records", "purge", "--older-than", "1", "--dry-run")
    assert f"{CALLS + 1} finished calls" in result.stdout
    refused = _run("records", "purge", "--older-than", "1", input="n\n")
    assert "nothing removed" in refused.stdout
    kept = _run("records", "purge", "--older-than", "36500", "--yes")
    assert kept.stdout.startswith("0 finished calls")
    done = _run("records", "purge", "--older-than", "1", "--yes")
    assert f"removed {CALLS + 1} calls" in done.stdout
    assert _run("records", "list").stdout.strip() == "no calls recorded"


def test_unreachable_centre_store_is_one_clear_line(store):
    result = _run("records", "list", "--store", "postgresql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 1
    assert "cannot read the centre store postgresql://nobody@127.0.0.1:1/none" in result.stderr
    assert "Traceback" not in result.output
    local = _run("records", "list", "--store", "postgresql://nobody@127.0.0.1:1/none", "--local", "-n", "1")
    assert local.exit_code == 0 and "started" in local.stdout


def test_a_broken_config_file_is_one_clear_line(tmp_path, monkeypatch):
    config = tmp_path / "broken.toml"
    config.write_text("retention_days = [not toml\n")
    monkeypatch.setenv("CRISIS_TRIAGE_CONFIG", str(config))
    result = _run("records", "list")
    assert result.exit_code == 1 and "cannot read the settings" in result.stderr and "Traceback" not in result.output


def test_export_to_a_file_is_private_and_csv_is_clean(store, tmp_path):
    target = tmp_path / "calls.csv"
    target.write_text("old")
    target.chmod(0o644)
    result = _run("records", "export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(target.open(newline="")))
    assert len(rows) > CALLS * 15 and "\r" not in target.read_text()
    bad = _run("records", "export", "-o", str(tmp_path / "missing" / "x.jsonl"))
    assert bad.exit_code == 1 and "cannot write" in bad.stderr


def test_a_damaged_store_says_so_and_points_at_the_fallback_files(boston):
    from crisis_triage.config import Settings
    from crisis_triage.store.opening import open_journal

    path = sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database " * 300)
    journal = open_journal(Settings())
    events = eventful_call(boston, datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("America/New_York")))
    journal.start_call(CallMeta("during-outage", "c", "t", boston.id, boston.version, boston.sha256), events[0])
    journal.close()
    result = _run("records", "list")
    assert result.exit_code == 1 and "is damaged" in result.stderr
    assert "1 fallback journal file(s) hold events recorded meanwhile" in result.stderr


def test_period_filters(store):
    figures = json.loads(_run("report", "--json", "--since", "2026-03-01").stdout)
    assert figures["calls"] == 1 and figures["departures"] == 1
    early = json.loads(_run("report", "--json", "--until", "2026-03-01").stdout)
    assert early["calls"] == CALLS
    listed = _run("records", "list", "--since", "2026-03-01", "--json").stdout.splitlines()
    assert [json.loads(x)["call_id"] for x in listed] == [EVENTFUL]
    exported = _run(
        "records",
        "export",
        "--level",
        "calls",
        "--since",
        "2026-03-10T14:00-04:00",
        "--until",
        "2026-03-10T15:00-04:00",
    )
    assert len(exported.stdout.splitlines()) == 1
    bad = _run("report", "--since", "last tuesday")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr
