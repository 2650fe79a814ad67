"""`records update --disposition connected_to_care` checks the receiving service against the directory."""

from __future__ import annotations

from click.testing import CliRunner

from crisis_triage.cli import cli
from tests.store.test_followups import _sqlite_with_calls


def test_a_near_miss_service_is_refused_with_did_you_mean_and_an_id_is_recorded(tmp_path, shipped, monkeypatch):
    from crisis_triage.store.opening import sqlite_path

    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(tmp_path / "data"))
    journal, (call_id,) = _sqlite_with_calls(tmp_path, shipped, 1)
    journal.close()
    sqlite_path().parent.mkdir(parents=True)
    (tmp_path / "calls.sqlite").rename(sqlite_path())
    runner = CliRunner()
    update = ["records", "update", call_id, "--disposition", "connected_to_care", "--at", "2026-06-01T11:00"]
    refused = runner.invoke(cli, [*update, "--detail", "service=albany_recovery"])
    assert refused.exit_code == 1
    assert 'not recorded: "albany_recovery" is not a service of the directory' in refused.output
    assert 'did you mean "albany_recovery_access"' in refused.output
    named = runner.invoke(cli, [*update, "--detail", "service=albany_recovery_access"])
    assert named.exit_code == 0, named.output
    shown = runner.invoke(cli, ["records", "show", call_id]).output
    assert "albany_recovery_access" in shown
