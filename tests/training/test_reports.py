"""Saved practice reports and trainee history: under data_dir()/training, never in live records."""

from __future__ import annotations

from datetime import datetime

from crisis_triage.config import data_dir
from crisis_triage.engine.events import RecommendationAccepted
from crisis_triage.training.grading import grade_call
from crisis_triage.training.history import History, format_history, save_reports
from crisis_triage.training.report import progress_svg, render_html
from crisis_triage.training.runner import play_perfect
from crisis_triage.training.tables import sparkline


def graded(boston, scenario, unsafe: bool = False):
    events = list(play_perfect(boston, scenario).events)
    if unsafe:
        events = [
            e.model_copy(update={"model": "call_line"}) if isinstance(e, RecommendationAccepted) else e for e in events
        ]
    return grade_call(boston, scenario, events)


def test_a_session_saves_markdown_and_html_under_the_training_folder(boston, scenario):
    grade = graded(boston, scenario("knife_in_kitchen"), unsafe=True)
    markdown, html = save_reports([grade], "Sam T", datetime(2026, 3, 10, 9, 30))
    training = data_dir() / "training"
    assert markdown.parent == html.parent == training / "reports"
    assert markdown.name == "20260310-093000-Sam_T-knife_in_kitchen.md"
    text = markdown.read_text(encoding="utf-8")
    assert "CRITICAL" in text and "no police" in text and "| time | what | detail | verdict |" in text
    assert "<svg" in html.read_text(encoding="utf-8") and "CRITICAL" in html.read_text(encoding="utf-8")
    assert oct(markdown.stat().st_mode & 0o777) == "0o600"
    # Nothing else was written under the data directory: no live record store was touched.
    assert {p.relative_to(data_dir()).parts[0] for p in data_dir().rglob("*") if p.is_file()} == {"training"}
    (record,) = History.open().sessions("Sam T")
    assert (record.scenario, record.critical, record.report) == ("knife_in_kitchen", True, str(markdown))


def test_history_shows_progress_across_sessions(boston, scenario):
    knife = scenario("knife_in_kitchen")
    for day, unsafe in ((10, True), (11, False), (12, False)):
        save_reports([graded(boston, knife, unsafe)], "ana", datetime(2026, 3, day, 9))
    save_reports([graded(boston, knife)], "someone else", datetime(2026, 3, 12, 10))
    records = History.open().sessions("ana")
    assert [r.score for r in records] == [graded(boston, knife, True).score, 100, 100]
    text = format_history(records, "ana")
    assert sparkline([r.score for r in records]) in text and "3 call(s)" in text and "CRITICAL" in text


def test_an_exam_report_totals_the_calls(boston, scenario):
    grades = [
        graded(boston, scenario("knife_in_kitchen")),
        graded(boston, scenario("panic_wants_to_talk"), unsafe=True),
    ]
    markdown, _ = save_reports(grades, "ana", datetime(2026, 3, 10, 9), exam="exam-1")
    text = markdown.read_text(encoding="utf-8")
    assert f"Exam score: {round((grades[0].score + grades[1].score) / 2)}/100" in text
    assert markdown.name.endswith("-ana-exam-2.md")
    assert {r.exam for r in History.open().sessions("ana")} == {"exam-1"}


def test_html_escapes_names_and_caller_words(boston, scenario):
    grade = graded(boston, scenario("knife_in_kitchen"))
    html = render_html([grade], "<script>alert(1)</script>", datetime(2026, 3, 10), [])
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_a_damaged_history_line_is_skipped(tmp_path):
    history = History(tmp_path / "history.jsonl")
    history.path.write_text(
        '{"at": "2026-03-10T09:00", "trainee": "a", "scenario": "s", "title": "t", '
        '"score": 80, "critical": false, "passed": true}\n{"at": "2026-03\n',
        encoding="utf-8",
    )
    assert [r.score for r in history.sessions("a")] == [80]


def test_sparkline_and_svg_scale_scores():
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert progress_svg([]) == ""


def test_the_trainer_overview_lists_every_trainee(boston, scenario):
    from click.testing import CliRunner

    from crisis_triage.cli import cli

    knife = scenario("knife_in_kitchen")
    save_reports([graded(boston, knife, unsafe=True)], "bo", datetime(2026, 3, 10, 9))
    save_reports([graded(boston, knife)], "al", datetime(2026, 3, 10, 10))
    save_reports([graded(boston, knife)], "bo", datetime(2026, 3, 11, 9))
    result = CliRunner().invoke(cli, ["train", "--history", "--everyone"])
    assert result.exit_code == 0
    rows = [line.split() for line in result.output.splitlines()[2:]]
    assert [row[:3] for row in rows] == [
        ["al", "1", "100"],
        ["bo", "2", str(round((graded(boston, knife, True).score + 100) / 2))],
    ]
    assert rows[1][4] == "1"  # one critical call
    result = CliRunner().invoke(cli, ["train", "--history", "--trainee", "bo"])
    assert "Practice history for bo: 2 call(s)" in result.output
