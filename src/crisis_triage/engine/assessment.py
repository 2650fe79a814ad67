"""What the engine says about a call at a moment: plain, immutable values the screens show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..protocol.compiled import CompiledQuestion
from ..protocol.model_base import localized


def answer_label(question: CompiledQuestion, value: Any, language: str = "en") -> str:
    """An answer as the console shows it: option labels, not ids."""
    if value is None:
        return ""
    if question.type in ("yes_no", "choice"):
        option = question.option(value)
        return localized(option.label, language) if option else str(value)
    if question.type == "multi":
        return ", ".join(localized(o.label, language) for o in question.options if o.id in value) or "none of these"
    if question.type == "number":
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


class AskedQuestion(NamedTuple):
    """A question that applies to this call, in asking order.

    (A named tuple, like the other per-answer values here: a call builds one per question on every
    assessment, and a frozen dataclass costs several times more to build.)
    """

    question: CompiledQuestion
    status: str
    """``answered``, ``skipped`` or ``pending``."""
    value: Any = None
    points: int = 0
    revised: bool = False
    language: str = "en"

    @property
    def label(self) -> str:
        """The answer as shown on screen (option labels joined for multi)."""
        return answer_label(self.question, self.value, self.language)


class DroppedAnswer(NamedTuple):
    """An answer to a question that stopped applying after a revision; kept in the record, not counted."""

    question: CompiledQuestion
    value: Any

    @property
    def label(self) -> str:
        return answer_label(self.question, self.value)


class Contribution(NamedTuple):
    """Risk points one answer added."""

    question: CompiledQuestion
    value: Any
    points: int

    @property
    def answer(self) -> str:
        return answer_label(self.question, self.value)


@dataclass(frozen=True)
class AppliedOverride:
    at_least: str
    reason: dict[str, str]
    condition: str


@dataclass(frozen=True)
class RiskAssessment:
    score: int
    band: str
    points_band: str
    """The band the points alone give, before overrides."""
    contributions: tuple[Contribution, ...]
    overrides: tuple[AppliedOverride, ...]
    """Overrides that lifted (or would have lifted) the band, in protocol order."""
    suicide_level: str | None
    suicide_reason: dict[str, str] | None = None


@dataclass(frozen=True)
class RuledOut:
    model: str
    reason: str


@dataclass(frozen=True)
class FallbackStep:
    from_model: str
    to_model: str
    reason: str


@dataclass(frozen=True)
class Addition:
    role: str
    because: dict[str, str]
    source: str
    """The rule or guarantee id that added it."""


@dataclass(frozen=True)
class GuaranteeApplied:
    guarantee: str
    because: dict[str, str]
    action: str
    """What the engine did: ``added police``, ``switched to co_response``."""


@dataclass(frozen=True)
class Recommendation:
    model: str
    preferred_model: str
    """What the rule chose before availability and guarantees; differs when a fallback was taken."""
    team: tuple[str, ...]
    notify: tuple[str, ...]
    rule: str
    because: dict[str, str]
    condition: str
    """The rule's condition as written (empty for the catch-all rule)."""
    deciding_values: tuple[tuple[str, Any], ...]
    """The values the rule's condition read, e.g. (("weapon_in_use", True),)."""
    additions: tuple[Addition, ...] = ()
    notes: tuple[dict[str, str], ...] = ()
    ruled_out: tuple[RuledOut, ...] = ()
    fallbacks: tuple[FallbackStep, ...] = ()
    guarantees: tuple[GuaranteeApplied, ...] = ()
    required: tuple[Addition, ...] = ()
    """Roles the protocol's safety guarantees require on this call (whether or not the engine had to
    act): what any team sent instead must still include."""
    dedicated: dict[str, str] | None = None
    handoff: bool = False
    """True when the call line's warm handoff is part of the response."""
    provisional: bool = True
    """True while required questions remain unanswered."""

    def has(self, role: str) -> bool:
        return role in self.team


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the console shows about a call, recomputed from its events."""

    next_question: CompiledQuestion | None
    asked: tuple[AskedQuestion, ...]
    dropped: tuple[DroppedAnswer, ...]
    facts: dict[str, tuple[str, ...]]
    """Facts that are true, each with its sources: ``question:<id>``, ``interrupt:<id>`` or ``derived``."""
    risk: RiskAssessment
    recommendation: Recommendation
    active_interrupts: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """Conflicts worth a look: an answer of "no" to a fact an interrupt recorded, for example."""
    context: dict[str, Any] = field(default_factory=dict)
    names: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The walk's namespace at the end, read-only: every name a condition reads (answers, facts, band,
    score, suicide level, door, caller, hour...)."""
    referral_key: tuple[int, str | None, str, Any] | None = field(default=None, repr=False, compare=False)
    """What the referral step looks its offers up by, recorded by the walk as it finished (on its
    namespace while that is at hand): which of the protocol's referral rules hold (bit ``i``: rule
    ``i``), the district, the language and the age question's answer. None when not worked out (an
    assessment built by hand): the referral step then works it out itself."""
    referral_minute: int = field(default=0, repr=False, compare=False)
    """The minute of the week of the call's time on the protocol's clock (0 = Monday 00:00), when a
    referral rule holds: which stretch of the directory's week the referral step reads."""

    @property
    def complete(self) -> bool:
        return self.next_question is None
