"""A practice call's grade as plain, immutable values: what the debrief, reports and history show.

Built by :func:`crisis_triage.training.grading.grade_call`; nothing here computes a grade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Points per part of the grade (out of 100).
WEIGHTS = {"answers": 30, "interrupts": 20, "recommendation": 30, "handoff": 10, "time": 10}
PASS_MARK = 70


@dataclass(frozen=True)
class Step:
    """One moment of the call, as the debrief walks it."""

    seconds: float
    """Seconds since pick-up."""
    kind: str
    """question, revision, skip, interrupt, withdrawn, caller, dispatch, handoff."""
    title: str
    detail: str = ""
    verdict: str = ""
    """right, acceptable, wrong, out_of_order, on_time, slow, unsupported, critical ... or empty."""
    band: str = ""
    """The risk band on the console right after this step (empty for what the caller says)."""
    recommended: str = ""
    """The response the console recommended right after this step."""
    turned: bool = False
    """True when this step changed the recommendation: the moments a debrief dwells on."""


@dataclass(frozen=True)
class AnswerGrade:
    question: str
    ask: str
    caller_said: str
    recorded: str
    """The answer recorded (label), or "not asked" / "skipped"."""
    meant: str
    verdict: str
    """right, acceptable, wrong, missed (never asked though the call needed it)."""
    vague: bool = False
    revised_by_caller: bool = False


@dataclass(frozen=True)
class InterruptGrade:
    statement: str
    expected: str
    """The interrupt the statement called for."""
    said_at: float | None
    """Seconds since pick-up when the caller said it; None when the call never got there."""
    recorded_at: float | None
    delay: float | None
    """Seconds from the statement to the interrupt (0 when it was already recorded)."""
    verdict: str
    """on_time, slow, missed (never recorded, or recorded then withdrawn), not_reached."""


@dataclass(frozen=True)
class RecommendationGrade:
    dispatched: str | None
    expected: str
    acceptable: tuple[str, ...]
    verdict: str
    """right, acceptable, wrong, none (nothing dispatched)."""
    team: tuple[str, ...]
    missing_roles: tuple[str, ...]
    """Roles the true call needs that the dispatch leaves out: any makes the grade CRITICAL."""
    critical_reasons: tuple[str, ...]
    engine_recommended: str | None
    """What the console recommended on the trainee's own answers at dispatch time."""


@dataclass(frozen=True)
class Grade:
    scenario: str
    title: str
    steps: tuple[Step, ...]
    answers: tuple[AnswerGrade, ...]
    interrupts: tuple[InterruptGrade, ...]
    recommendation: RecommendationGrade
    handoff_expected: tuple[str, ...]
    handoff_done: tuple[str, ...]
    seconds_to_dispatch: float | None
    target_seconds: int
    parts: dict[str, float]
    """Points earned per part (see :data:`WEIGHTS`)."""
    unsupported_interrupts: tuple[str, ...] = ()
    """Interrupts recorded for a danger the caller never described (over-triage: worth a word)."""
    out_of_order: tuple[str, ...] = ()

    @property
    def score(self) -> int:
        return round(sum(self.parts.values()))

    @property
    def critical(self) -> bool:
        return bool(self.recommendation.missing_roles)

    @property
    def missed_dangers(self) -> int:
        """Volunteered dangers the caller said and the trainee never recorded."""
        return sum(1 for i in self.interrupts if i.verdict == "missed")

    @property
    def passed(self) -> bool:
        """Pass mark reached, no critical dispatch, and every volunteered danger recorded (principle 5:
        critical information volunteered at any moment must be recorded)."""
        return not self.critical and self.score >= PASS_MARK and self.missed_dangers == 0

    @property
    def handoff_missing(self) -> tuple[str, ...]:
        return tuple(s for s in self.handoff_expected if s not in self.handoff_done)

    @property
    def time_verdict(self) -> str:
        if self.seconds_to_dispatch is None:
            return "none"
        return "on_time" if self.seconds_to_dispatch <= self.target_seconds else "slow"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(score=self.score, critical=self.critical, passed=self.passed, missed_dangers=self.missed_dangers)
        return data


@dataclass(frozen=True)
class ExamResult:
    """An exam: several graded practice calls and the total."""

    grades: tuple[Grade, ...] = field(default_factory=tuple)

    @property
    def score(self) -> int:
        """The mean score, 0-100."""
        return round(sum(g.score for g in self.grades) / len(self.grades)) if self.grades else 0

    @property
    def total(self) -> int:
        return sum(g.score for g in self.grades)

    @property
    def critical(self) -> int:
        return sum(1 for g in self.grades if g.critical)

    @property
    def passed(self) -> bool:
        return bool(self.grades) and self.critical == 0 and self.score >= PASS_MARK


@dataclass(frozen=True)
class SessionRecord:
    """One graded practice call in a trainee's history."""

    at: str
    """When it was graded (ISO 8601, local time of the console)."""
    trainee: str
    scenario: str
    title: str
    score: int
    critical: bool
    passed: bool
    exam: str | None = None
    """The exam's id when the call was part of an exam."""
    report: str | None = None
    """The Markdown report's path."""
