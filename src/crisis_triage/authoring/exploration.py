"""What the path walk found: where each class of paths ends, and what it asked on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..protocol.compiled import Protocol
from .answers import AnswerClass


@dataclass(frozen=True)
class Outcome:
    """Where a path ends: what the engine recommends for it."""

    band: str
    rule: str
    preferred_model: str
    model: str
    team: tuple[str, ...]
    guarantees: tuple[str, ...]


@dataclass
class EndClass:
    """End states with the same door and outcome, merged: one row of the coverage table."""

    door: str
    outcome: Outcome
    paths: int
    """How many distinct paths (sequences of answer classes) end here."""
    example: dict[str, Any]
    """The answers of one such path, question id -> answer (as an engine would take it)."""
    example_context: dict[str, Any]
    states: int = 1
    skipped: tuple[str, ...] = ()
    """Optional questions the example path skips."""
    noise: int = 0
    """Answers on the example other than the plain one (the plainest path is kept)."""


@dataclass
class Exploration:
    protocol: Protocol
    doors: tuple[str, ...]
    ends: list[EndClass]
    asked: dict[str, set[str]]
    """Question id -> doors on which some path asks it."""
    classes_taken: dict[str, set[int]]
    """Question id -> indexes of the answer classes some path took."""
    classes: dict[str, list[AnswerClass]]
    exact: bool
    notes: list[str] = field(default_factory=list)
    peak_states: int = 0
    hour: float = 12.0
    district: str | None = None
    budget: int = 0
    """Partial paths kept per step (per door group) before sampling starts."""

    @property
    def bands_reached(self) -> set[str]:
        return {e.outcome.band for e in self.ends}

    @property
    def rules_fired(self) -> set[str]:
        return {e.outcome.rule for e in self.ends}

    def total_paths(self, door: str | None = None) -> int:
        return sum(e.paths for e in self.ends if door is None or e.door == door)
