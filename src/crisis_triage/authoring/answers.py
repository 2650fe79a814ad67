"""Answer equivalence classes: the answers to one question that behave alike, tried once by the walk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.compiled_walk import AnswerEffects, build_answers
from ..protocol.compiled import CompiledQuestion
from ..protocol.conditions import ANSWERED
from .domains import (
    NameUse,
    multi_subsets,
    number_representatives,
    reads_other_names,
    text_representatives,
    value_class,
)


@dataclass(frozen=True)
class AnswerClass:
    """Answers to one question that behave alike: one branch of the walk."""

    value: Any
    """The representative answer (None when the class is "skipped")."""
    members: tuple[Any, ...]
    """Every answer in the class (option ids, subsets, numbers)."""
    points: int
    facts: frozenset[str]
    """Facts the answer sets on its own (when the question's ``sets`` read only the answer)."""
    skipped: bool = False

    @property
    def weight(self) -> int:
        return len(self.members)

    @property
    def plain(self) -> bool:
        """A skip, "no", no option picked or free text nobody reads: nothing to point out in an example."""
        return self.skipped or self.value in ("no", (), "(any text)") or "no" in self.members


def answer_classes(
    question: CompiledQuestion, use: NameUse | None, effects: AnswerEffects | None = None
) -> tuple[list[AnswerClass], bool]:
    """The answer classes of one question, and whether they cover every possible answer.

    ``effects`` is the engine's own way of recording an answer to ``question`` (its points and the
    facts it sets: :func:`crisis_triage.engine.compiled_walk.build_answers`); built here when not given.
    """
    if effects is None:
        effects = build_answers((question,))[question.id]
    complete = True
    if question.type in ("yes_no", "choice"):
        values: list[Any] = [o.id for o in question.options]
    elif question.type == "multi":
        subsets, complete = multi_subsets([o.id for o in question.options])
        values = [tuple(s) for s in subsets]
    elif question.type == "number":
        values = number_representatives(question, use)
    else:
        values = text_representatives(use)
    context_free = not reads_other_names(question)
    groups: dict[Any, list[Any]] = {}
    details: dict[Any, tuple[int, frozenset[str]]] = {}
    for value in values:
        points, facts = _effects(effects, value, context_free)
        signature = (points, facts, value_class(question, value, use)) if context_free else ("value", repr(value))
        groups.setdefault(signature, []).append(value)
        details[signature] = (points, facts)
    classes = [AnswerClass(members[0], tuple(members), *details[sig]) for sig, members in groups.items()]
    if not question.spec.required:
        classes.append(AnswerClass(None, ("(skipped)",), 0, frozenset(), skipped=True))
    return classes, complete


def _effects(effects: AnswerEffects, value: Any, context_free: bool) -> tuple[int, frozenset[str]]:
    """The points ``value`` adds and, when the question's ``sets`` read only its answer, the facts it sets."""
    if not context_free:  # the facts depend on the rest of the path: the walk works them out per path
        return effects.points(value), frozenset()
    answered: set[str] = set()
    points, facts = effects.record({ANSWERED: answered}, answered, value)
    return points, frozenset(facts)
