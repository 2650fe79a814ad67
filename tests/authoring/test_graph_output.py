"""``graph -o`` (issue 10, reproducer 7): no folders created, and the file's format matches its name."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from crisis_triage.cli import cli

BOSTON = str(Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml")


def test_an_output_in_a_missing_folder_is_an_error_and_creates_nothing(tmp_path):
    out = tmp_path / "nonexistent" / "dir" / "x.mmd"
    result = CliRunner().invoke(cli, ["graph", "-o", str(out), BOSTON])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not (tmp_path / "nonexistent").exists()


def test_the_format_follows_the_suffix(tmp_path):
    out = tmp_path / "flow.dot"
    result = CliRunner().invoke(cli, ["graph", "-o", str(out), BOSTON])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").lstrip().startswith("digraph")


def test_a_suffix_that_contradicts_the_format_is_a_usage_error(tmp_path):
    out = tmp_path / "x.svg"
    result = CliRunner().invoke(cli, ["graph", "--format", "mermaid", "-o", str(out), BOSTON])
    assert result.exit_code == 2 and "does not match" in result.output
    assert not out.exists()


def test_an_unknown_suffix_without_a_format_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["graph", "-o", str(tmp_path / "x.txt"), BOSTON])
    assert result.exit_code == 2 and "--format" in result.output
