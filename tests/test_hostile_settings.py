"""Hostile configuration, environment and option values (issue 10, reproducer 6): each is one clear
line naming where the value came from, exit 1, never a traceback or exit 70."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.config import config_path


def _write_config(data: bytes) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and result.exit_code != 70
    return result


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (b'console_id = "caf\xe9"\n', "not UTF-8 text"),
        (b"retention_days = " + b"1" * 5000 + b"\n", "config"),
        (b"keys = " + b"[" * 6000 + b"]" * 6000 + b"\n", "config"),
        (b"keys = " + b"{a = " * 6000 + b"1" + b"}" * 6000 + b"\n", "config"),
        (b"retention_days = 999999999\n", "retention_days"),
    ],
)
def test_a_hostile_config_file_is_one_line_naming_the_file(config, expected):
    _write_config(config)
    result = _run("records", "purge", "--dry-run")
    assert result.exit_code == 1
    assert expected in result.stderr and str(config_path()) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_non_utf8_config_names_line_and_column():
    _write_config(b'console_id = "a"\nlanguage = "caf\xe9"\n')
    assert f"{config_path()}:2:" in _run("config").stderr


def test_a_device_as_config_is_refused_without_reading_it(monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_CONFIG", "/dev/zero")
    result = _run("records", "list")
    assert result.exit_code == 1 and "/dev/zero" in result.stderr and "not a regular file" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "[" * 5000 + "]" * 5000,
        '{"a": ' + "1" * 5000 + "}",
        '{"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}',
    ],
)
def test_a_hostile_environment_value_names_the_variable_not_the_config_file(monkeypatch, value):
    monkeypatch.setenv("CRISIS_TRIAGE_KEYS", value)
    result = _run("records", "list")
    assert result.exit_code == 1
    assert "CRISIS_TRIAGE_KEYS" in result.stderr and "config file" not in result.stderr


def test_a_bad_environment_value_is_blamed_on_the_variable(monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_RETENTION_DAYS", "999999999")
    result = _run("records", "purge", "--dry-run")
    assert result.exit_code == 1
    assert "the environment variable CRISIS_TRIAGE_RETENTION_DAYS" in result.stderr
    assert str(config_path()) not in result.stderr


def test_an_unknown_store_refuses_to_start_naming_the_setting():
    _write_config(b'store = "garbage"\n')
    result = _run("records", "list")
    assert result.exit_code == 1
    assert "store (from the config file" in result.stderr and "postgresql://" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("records", "purge", "--dry-run", "--older-than", "999999999"),
        ("records", "list", "--since", "0001-01-01"),
        ("records", "list", "--until", "9999-12-31"),
    ],
)
def test_out_of_range_options_are_usage_errors(args):
    result = _run(*args)
    assert result.exit_code == 2 and "Error" in result.output
