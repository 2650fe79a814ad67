"""``crisis-triage config`` and the settings' sources: file, environment, then CLI values on top."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.config import Settings, config_path


def _write_config(text: str) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_config_shows_the_file_and_where_each_value_came_from(monkeypatch):
    _write_config('console_id = "console-12"\ntheme = "crisis-high-contrast"\n[keys]\ninterrupt = "f12"\n')
    monkeypatch.setenv("CRISIS_TRIAGE_CALL_TAKER_ID", "ct-env")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"config file: {config_path()}"
    row = {line.split()[0]: line for line in lines if line and not line.startswith(" ") and "  (" in line}
    assert "console-12" in row["console_id"] and row["console_id"].endswith("(config file)")
    assert "ct-env" in row["call_taker_id"] and row["call_taker_id"].endswith("(env CRISIS_TRIAGE_CALL_TAKER_ID)")
    assert row["language"].endswith("(default)")
    assert '{"interrupt": "f12"}' in row["keys"]
    assert "Key remapping by binding id" in result.output  # each value's documentation


def test_config_json_and_precedence(monkeypatch):
    _write_config('district = "A1"\nlanguage = "es"\n')
    monkeypatch.setenv("CRISIS_TRIAGE_LANGUAGE", "en")
    monkeypatch.setenv("CRISIS_TRIAGE_KEYS", '{"accept": "ctrl+a"}')
    data = json.loads(CliRunner().invoke(cli, ["config", "--json"]).output)
    assert data["settings"]["district"] == "A1" and data["settings"]["language"] == "en"
    assert data["settings"]["keys"] == {"accept": "ctrl+a"}
    assert Settings(district="B2").district == "B2"  # values given in code win over file and env


def test_a_broken_config_is_one_clear_line_not_a_traceback():
    _write_config("console_id = [unclosed\n")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 1
    assert "the config cannot be read" in result.output and str(config_path()) in result.output
    assert "Traceback" not in result.output
    _write_config("retention_days = 0\n")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 1 and "retention_days" in result.output


def test_every_setting_is_documented():
    from crisis_triage.config import field_docs

    docs = field_docs()
    assert set(docs) == set(Settings.model_fields)
    assert all(len(text) > 10 for text in docs.values())


def test_config_shows_where_calls_are_recorded():
    from crisis_triage.store.opening import sqlite_path

    result = CliRunner().invoke(cli, ["config"])
    assert f"records:     {sqlite_path()}" in result.output.splitlines()
    data = json.loads(CliRunner().invoke(cli, ["config", "--json"]).output)
    assert data["records"] == str(sqlite_path())


def test_an_unknown_binding_id_is_named_with_the_nearest_id(monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_KEYS", '{"accpet": "ctrl+a"}')
    result = CliRunner().invoke(cli, ["config"])
    assert 'unknown binding id "accpet"; did you mean "accept"?' in result.output
    result = CliRunner().invoke(cli, ["call"])
    assert result.exit_code == 1 and 'did you mean "accept"?' in result.output


def test_config_never_prints_a_credential(monkeypatch):
    """Its output is pasted into tickets: tokens say only that they are set, a store URL loses its password."""
    monkeypatch.setenv("CRISIS_TRIAGE_EIDO_TOKEN", "cad-secret-123")
    monkeypatch.setenv("CRISIS_TRIAGE_EIDO_INBOX_TOKEN", "inbox-secret-456")
    monkeypatch.setenv("CRISIS_TRIAGE_STORE", "postgresql://crisis:pg-secret-789@db.example:5432/calls")
    for args in (["config"], ["config", "--json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        for secret in ("cad-secret-123", "inbox-secret-456", "pg-secret-789"):
            assert secret not in result.output
        assert "db.example" in result.output  # where the store is stays visible
    data = json.loads(CliRunner().invoke(cli, ["config", "--json"]).output)
    assert data["settings"]["eido_token"] == "(set, hidden)"
    assert data["settings"]["eido_inbox_token"] == "(set, hidden)"
