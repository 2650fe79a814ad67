"""The debrief after a practice call: the grade, then the call walked step by step.

Up/Down move through the steps; the panel below explains the highlighted one (what the caller said,
what was recorded, what they meant). Enter goes on (next exam call, or leave), R retries the scenario.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...engine.views import model_name
from ...keymap import bindings
from ...protocol.compiled import Protocol
from ...training.grading import WEIGHTS, Grade
from ...training.practice_queue import PracticeQueue
from ...training.report import verdict_word
from ...training.tables import bar
from ..keylabels import shown_key

DebriefChoice = Literal["next", "retry", "leave"]
"""After the debrief: go on (next call, results or done), practise the scenario again, or leave."""

_STYLE = {
    "right": "green",
    "on_time": "green",
    "acceptable": "yellow",
    "out_of_order": "yellow",
    "wrong": "bold red",
    "missed": "bold red",
    "slow": "bold red",
    "critical": "bold white on red",
    "none": "bold red",
}


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def grade_text(grade: Grade, protocol: Protocol | None = None) -> Text:
    """The grade at a glance: score, verdict, parts as bars, the dispatch and the dangers."""
    rec = grade.recommendation

    def name(model_id: str | None) -> str:
        if model_id is None:
            return "nothing"
        return model_name(protocol, model_id) if protocol is not None and model_id in protocol.models else model_id

    def interrupt_label(interrupt_id: str) -> str:
        found = protocol.interrupts.get(interrupt_id) if protocol is not None else None
        return found.label.get("en", interrupt_id) if found else interrupt_id

    text = Text()
    if grade.critical:
        verdict = ("CRITICAL", "bold white on red")
    elif grade.passed:
        verdict = ("PASSED", "bold green")
    else:
        verdict = ("NOT PASSED", "bold yellow")
    text.append(f"DEBRIEF  {grade.title}\n", style="bold")
    text.append(f"Score {grade.score}/100  ", style="bold")
    text.append(f" {verdict[0]} ", style=verdict[1])
    text.append("\n")
    for reason in rec.critical_reasons:
        text.append(f"CRITICAL: {reason}\n", style="bold red")
    if grade.missed_dangers:
        text.append(f"{grade.missed_dangers} volunteered danger(s) never recorded\n", style="bold red")
    for part, points in grade.parts.items():
        text.append(f"  {part:<15}{bar(points, 20, WEIGHTS[part])} {points:>4g}/{WEIGHTS[part]}\n")
    rec_verdict = "critical" if rec.missing_roles else rec.verdict
    text.append(f"Dispatched {name(rec.dispatched)}; expected {name(rec.expected)}")
    if rec.acceptable:
        text.append(f" (acceptable: {', '.join(name(m) for m in rec.acceptable)})")
    text.append(": ")
    text.append(verdict_word(rec_verdict), style=_STYLE.get(rec_verdict, ""))
    text.append(f"\nTime to dispatch {_clock(grade.seconds_to_dispatch)} (target {_clock(grade.target_seconds)}): ")
    text.append(verdict_word(grade.time_verdict), style=_STYLE.get(grade.time_verdict, ""))
    for interrupt in grade.interrupts:
        delay = f" after {interrupt.delay:g}s" if interrupt.delay is not None else ""
        text.append(f"\nVolunteered danger -> {interrupt_label(interrupt.expected)}: ")
        text.append(verdict_word(interrupt.verdict) + delay, style=_STYLE.get(interrupt.verdict, ""))
    if grade.unsupported_interrupts:
        labels = ", ".join(interrupt_label(i) for i in grade.unsupported_interrupts)
        text.append(f"\nInterrupts the caller gave no ground for: {labels}", style="yellow")
    if grade.handoff_expected:
        text.append(
            f"\nHandoff steps {len(grade.handoff_expected) - len(grade.handoff_missing)}/{len(grade.handoff_expected)}"
        )
        if grade.handoff_missing:
            text.append(f" (missing: {', '.join(grade.handoff_missing)})", style="bold red")
    return text


def _progress(trainee: str) -> str:
    """The trainee's scores over past sessions as a sparkline (empty when history cannot be read)."""
    from ...training.history import History
    from ...training.tables import sparkline

    try:
        scores = [r.score for r in History.open().sessions(trainee)]
    except OSError:
        return ""
    if len(scores) < 2:
        return ""
    return f"{sparkline(scores[-40:])}  {len(scores)} calls, mean {sum(scores) / len(scores):.0f}, latest {scores[-1]}"


class DebriefScreen(Screen[DebriefChoice]):
    BINDINGS = bindings("debrief")

    DEFAULT_CSS = """
    DebriefScreen #debrief-grade { height: auto; max-height: 50%; padding: 0 1; }
    DebriefScreen #debrief-steps { height: 1fr; }
    DebriefScreen #debrief-detail { height: auto; min-height: 3; border: round $secondary; padding: 0 1; }
    """

    def __init__(self, run: PracticeQueue, grade: Grade) -> None:
        super().__init__()
        self.run = run
        self.grade = grade

    def compose(self) -> ComposeResult:
        with Vertical(id="debrief"):
            yield Static(grade_text(self.grade, self.run.protocol), id="debrief-grade")
            yield DataTable(id="debrief-steps", cursor_type="row", zebra_stripes=True)
            yield Static(id="debrief-detail")
            yield Static(self._footer_text(), id="debrief-help")
        yield Footer()

    def _footer_text(self) -> Text:
        run = self.run
        text = Text()
        if run.reports:
            # The name only: the full path is printed when practice ends (and a screen stays stable).
            text.append(
                f"Report saved: {run.reports[0].name} (and .html) in the training reports folder\n", style="dim"
            )
            progress = _progress(run.trainee)
            if progress:
                text.append(f"Progress of {run.trainee}: ", style="bold")
                text.append(progress + "\n")
        elif run.report_error:
            text.append(run.report_error + "\n", style="bold red")
        following = "next call" if not run.finished else ("exam results" if run.exam else "done")
        text.append(f" {shown_key(self, 'debrief_next')} ", style="bold reverse")
        text.append(f" {following}   ")
        if not run.exam:
            text.append(f" {shown_key(self, 'debrief_retry')} ", style="bold reverse")
            text.append(" retry   ")
        text.append(" Up/Down ", style="bold reverse")
        text.append(" walk the call (» the recommendation changed)")
        return text

    def on_mount(self) -> None:
        self.app.clear_notifications()  # the call's toasts ("risk band raised") belong to the call, not the debrief
        table = self.query_one(DataTable)
        table.add_columns("time", "verdict", "step", "detail")
        for index, step in enumerate(self.grade.steps):
            verdict = Text(verdict_word(step.verdict), style=_STYLE.get(step.verdict, "")) if step.verdict else Text("")
            # The verdict comes second so a narrow terminal cuts the detail, never the verdict.
            title = Text(("» " if step.turned else "") + step.title[:64], style="bold" if step.turned else "")
            table.add_row(_clock(step.seconds), verdict, title, step.detail[:60], key=str(index))
        table.focus()
        self._show_step(0)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._show_step(message.cursor_row)

    def _show_step(self, index: int) -> None:
        steps = self.grade.steps
        detail = self.query_one("#debrief-detail", Static)
        if not steps or index >= len(steps):
            detail.update("")
            return
        step = steps[index]
        text = Text(f"{_clock(step.seconds)}  {step.title}\n", style="bold")
        if step.detail:
            text.append(step.detail + "\n")
        if step.recommended:
            text.append(
                f"console after this: {step.band} risk, recommends {step.recommended}",
                style="bold" if step.turned else "dim",
            )
            text.append("  (the recommendation changed here)\n" if step.turned else "\n", style="bold")
        answer = None
        if step.kind == "door":
            answer = next((a for a in self.grade.answers if a.question == "door"), None)
        elif step.kind in ("question", "revision", "skip"):
            answer = next((a for a in self.grade.answers if a.ask == step.title), None)
        if answer is not None:
            text.append(f"caller meant: {answer.meant}; finally recorded: {answer.recorded} -> ")
            text.append(verdict_word(answer.verdict), style=_STYLE.get(answer.verdict, ""))
            if answer.vague:
                text.append("  (a vague reply: worth discussing)", style="italic")
        detail.update(text)

    def action_next(self) -> None:
        self.dismiss("next")

    def action_retry(self) -> None:
        if self.run.exam:
            self.notify("No retries during an exam.")
            return
        self.dismiss("retry")

    def action_leave(self) -> None:
        self.dismiss("leave")
