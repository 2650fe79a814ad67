"""A practice session as workflow: the scenarios to play in order, the grades so far, retries, saving.

Headless: the console's practice screens show a :class:`PracticeQueue` and tell it what the trainee
chose; which screen comes next is the console's business (``tui/practice_flow.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..engine.events import AnyEvent
from ..protocol.compiled import Protocol
from .grading import ExamResult, Grade, grade_call
from .library import Scenario


@dataclass
class PracticeQueue:
    """One practice session: the scenarios to play in order, the trainee, and the grades so far."""

    protocol: Protocol
    scenarios: Sequence[Scenario]
    trainee: str
    exam: bool = False
    grades: list[Grade] = field(default_factory=list)
    """One grade per call played so far, in order."""
    index: int = 0
    """The scenario being played (or just played)."""
    reports: tuple[Path, Path] | None = None
    """The saved report (text, HTML) once the session is saved."""
    report_error: str | None = None
    """Why the report could not be saved (a full disk must not lose the debrief on screen)."""
    started: datetime | None = None
    """When the first call was picked up (names an exam's report)."""

    @property
    def scenario(self) -> Scenario:
        return self.scenarios[self.index]

    @property
    def finished(self) -> bool:
        return len(self.grades) >= len(self.scenarios)

    @property
    def result(self) -> ExamResult:
        return ExamResult(tuple(self.grades))

    @property
    def saved(self) -> bool:
        """True once a save was attempted (saved, or failed with a reason)."""
        return self.reports is not None or self.report_error is not None

    def picked_up(self, now: datetime) -> None:
        """A call of the session was picked up (the first one dates the session)."""
        if self.started is None:
            self.started = now

    def grade(self, events: Sequence[AnyEvent]) -> Grade:
        """Grade the current scenario's call and keep the grade. Raises what the grader raises."""
        grade = grade_call(self.protocol, self.scenario, list(events))
        self.grades.append(grade)
        return grade

    def drop_current(self) -> None:
        """Leave the current scenario out (its call could not be graded); the rest of the queue stays."""
        self.scenarios = [s for i, s in enumerate(self.scenarios) if i != self.index]
        self.index -= 1

    def advance(self) -> bool:
        """Move to the next scenario; False when the queue is done."""
        if self.finished:
            return False
        self.index += 1
        return True

    def again(self) -> PracticeQueue:
        """A new session: the same scenario again, then the rest of the queue (the calls graded so far
        stay with this session, so each graded call is in the history exactly once)."""
        return PracticeQueue(self.protocol, [self.scenario, *self.scenarios[self.index + 1 :]], self.trainee)

    def save(self, now: datetime, folder: Path | None = None) -> None:
        """Save the report and history of the calls graded so far (once); a failure is kept as text."""
        from .history import save_reports

        if self.saved or not self.grades:
            return
        try:
            self.reports = save_reports(
                self.grades,
                self.trainee,
                now,
                exam=f"exam-{self.started:%Y%m%d-%H%M%S}" if self.exam and self.started else None,
                folder=folder,
            )
        except OSError as exc:
            self.report_error = f"The report could not be saved: {exc}"
