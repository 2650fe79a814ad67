"""`records update --status` moves the call's units in the centre's shared availability (issue 14):
a unit a dispatcher's CAD cleared is free for every console, not only the one that took the call."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_sqlite import SqliteAvailability
from tests.conftest import ROOT
from tests.store.test_followups import _sqlite_with_calls

FIXTURE_CENTRE = ROOT / "tests" / "fixtures" / "centre.yaml"


def _records_with_a_dispatched_call(tmp_path, shipped, monkeypatch) -> str:
    from crisis_triage.store.opening import sqlite_path

    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(tmp_path / "data"))
    journal, (call_id,) = _sqlite_with_calls(tmp_path, shipped, 1)
    journal.close()
    sqlite_path().parent.mkdir(parents=True)
    (tmp_path / "calls.sqlite").rename(sqlite_path())
    return call_id


def test_a_status_from_outside_moves_and_frees_the_calls_units_for_every_console(tmp_path, shipped, monkeypatch):
    call_id = _records_with_a_dispatched_call(tmp_path, shipped, monkeypatch)
    monkeypatch.setenv("CRISIS_TRIAGE_CENTRE", str(FIXTURE_CENTRE))
    centre = load_centre(FIXTURE_CENTRE, shipped)
    path = tmp_path / "data" / "centre.sqlite3"
    at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    with closing(SqliteAvailability(path)) as store:
        store.register_units(centre)
        store.claim(call_id, [("call_line", None)], at=at)  # the call line beside the team
        store.claim(call_id, [("alt_1", None)], at=at)
    runner = CliRunner()
    update = ["records", "update", call_id, "--source", "cad"]
    on_scene = runner.invoke(cli, [*update, "--status", "on_scene", "--at", "2026-06-01T10:20"])
    assert on_scene.exit_code == 0, on_scene.output
    assert "1 unit of the call now on scene in the centre store" in on_scene.output
    with closing(SqliteAvailability(path)) as store:
        assert {a.unit_id: a.status for a in store.snapshot().of_call(call_id)} == {
            "call_line": "dispatched",  # the seat is freed by the handoff's end, not the team's status
            "alt_1": "on_scene",
        }
    cleared = runner.invoke(cli, [*update, "--status", "cleared", "--at", "2026-06-01T10:50"])
    assert cleared.exit_code == 0, cleared.output
    with closing(SqliteAvailability(path)) as store:
        assert [a.unit_id for a in store.snapshot().of_call(call_id)] == ["call_line"]  # alt_1 is free


def test_without_a_centre_file_the_status_is_recorded_and_no_units_are_touched(tmp_path, shipped, monkeypatch):
    call_id = _records_with_a_dispatched_call(tmp_path, shipped, monkeypatch)
    monkeypatch.delenv("CRISIS_TRIAGE_CENTRE", raising=False)
    result = CliRunner().invoke(cli, ["records", "update", call_id, "--status", "en_route", "--at", "2026-06-01T10:05"])
    assert result.exit_code == 0, result.output
    assert "centre store" not in result.output
    assert not (tmp_path / "data" / "centre.sqlite3").exists()


def test_on_a_centres_postgresql_store_the_status_frees_the_unit_there(tmp_path, shipped, monkeypatch, pg_url):
    from crisis_triage.store.availability_pg import PostgresAvailability
    from crisis_triage.store.postgres import PostgresStore

    journal, (call_id,) = _sqlite_with_calls(tmp_path, shipped, 1)
    rows = list(journal.iter_rows())
    journal.close()
    records = PostgresStore(pg_url)
    try:
        records.insert_rows(rows)
    finally:
        records.close()
    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CRISIS_TRIAGE_STORE", pg_url)
    monkeypatch.setenv("CRISIS_TRIAGE_CENTRE", str(FIXTURE_CENTRE))
    at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    with closing(PostgresAvailability(pg_url)) as store:
        store.register_units(load_centre(FIXTURE_CENTRE, shipped))
        store.claim(call_id, [("a1_car", None)], at=at)
    result = CliRunner().invoke(
        cli, ["records", "update", call_id, "--status", "cleared", "--source", "cad", "--at", "2026-06-01T10:40"]
    )
    assert result.exit_code == 0, result.output
    assert "1 unit of the call now cleared in the centre store" in result.output
    with closing(PostgresAvailability(pg_url)) as store:
        assert list(store.snapshot().of_call(call_id)) == []  # the A1 car is free for every console
