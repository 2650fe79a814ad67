"""An exam's results: every call's score, the total, and the trainee's progress across sessions."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...keymap import bindings
from ...training.grading import PASS_MARK
from ...training.history import History
from ...training.practice_queue import PracticeQueue
from ...training.tables import bar, sparkline
from ..keylabels import shown_key


class ExamResultsScreen(Screen[int | None]):
    """The exam's results; dismissed with the number of a call to review (1-9), or None when done."""

    BINDINGS = bindings("exam results")

    def __init__(self, run: PracticeQueue) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        result = self.run.result
        text = Text("EXAM RESULTS\n\n", style="bold reverse")
        verdict = ("PASSED", "bold green") if result.passed else ("NOT PASSED", "bold red")
        text.append(f"Exam score {result.score}/100  ", style="bold")
        text.append(f" {verdict[0]} ", style=verdict[1])
        text.append(
            f"   total {result.total}/{100 * len(result.grades)}; {result.critical} critical; pass mark "
            f"{PASS_MARK} with no critical error\n\n"
        )
        width = max(len(g.title) for g in result.grades)
        for number, grade in enumerate(result.grades, 1):
            flag = "CRITICAL" if grade.critical else ("passed" if grade.passed else "not passed")
            text.append(f"{number:>2}. {grade.title:<{width}}  {bar(grade.score)} {grade.score:>3}  ")
            text.append(flag + "\n", style="bold red" if grade.critical else "")
        try:
            history = History.open().sessions(self.run.trainee)
        except OSError:
            history = []
        if history:
            scores = [r.score for r in history]
            text.append(f"\nProgress of {self.run.trainee} over {len(scores)} practice call(s): ", style="bold")
            text.append(sparkline(scores[-60:]) + "\n")
        if self.run.reports:
            text.append(
                f"\nReport saved: {self.run.reports[0].name} (and .html) in the training reports folder\n", style="dim"
            )
        elif self.run.report_error:
            text.append(f"\n{self.run.report_error}\n", style="bold red")
        text.append("\n 1-9 ", style="bold reverse")
        text.append(" review that call's debrief    ")
        text.append(f" {shown_key(self, 'exam_done')} ", style="bold reverse")
        text.append(" done")
        with VerticalScroll(id="exam-results"):
            yield Static(text, id="exam-results-text")
        yield Footer()

    def on_key(self, event: Key) -> None:
        character = event.character or ""
        if character.isdigit() and 1 <= int(character) <= len(self.run.grades):
            event.stop()
            self.dismiss(int(character))

    def action_leave(self) -> None:
        self.dismiss(None)
