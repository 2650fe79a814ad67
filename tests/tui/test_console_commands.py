"""The console's other commands, as a new call-taker or trainer first meets them."""

from __future__ import annotations

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.training.history import History, SessionRecord


def test_records_list_unfinished_with_none_says_so_not_no_calls():
    result = CliRunner().invoke(cli, ["records", "list", "--unfinished"])
    assert result.exit_code == 0, result.output
    assert "no unfinished calls" in result.output and "no calls recorded" not in result.output


def test_train_list_fits_100_columns():
    result = CliRunner().invoke(cli, ["train", "--list"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 100
    assert "knife_in_kitchen" in result.output and "tags:" in result.output


def test_train_history_names_the_trainee_asked_for():
    history = History.open()
    for trainee, score in (("bob", 80), ("ann", 60)):
        history.add(SessionRecord("2026-03-10T09:00:00", trainee, "knife", "Knife", score, False, True, None, "x.md"))
    result = CliRunner().invoke(cli, ["train", "--history", "--trainee", "bob"])
    assert result.output.startswith("Practice history for bob: 1 call(s)") and "ann" not in result.output
