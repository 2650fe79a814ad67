"""Questions no call can ever reach: a condition false for every value its names can hold.

The check is *sound*: it only reports a question when no combination of values makes its ``when``
true, so a question it reports really can never be asked. Each name the condition reads gets the
set of values it can hold at that point of a call (a choice question: its options or unanswered; a
fact: true or false; the band: every band; the door: the doors the question is limited to ...).
Combinations are treated as independent, which can only add combinations that never happen, never
remove one that can; so an over-approximation, never a false alarm. Names with too many values to
list (numbers, free text) or too many combinations make the question count as reachable.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .compiled import CompiledQuestion
from .conditions import ANSWERED, RANK_SUFFIX, Condition, NameType

#: Above this many combinations a condition is not enumerated (and counts as reachable).
MAX_COMBINATIONS = 4096
#: A multiple-choice question with more options than this is not enumerated (2**n subsets).
MAX_MULTI_OPTIONS = 8

# One possible state of a name: its value, and whether it is in answered() (questions only).
_State = tuple[Any, bool]


class Reachability:
    """Works through questions in asking order; a question found unreachable stays unanswered for later ones."""

    def __init__(self, names: Mapping[str, NameType], bands: tuple[str, ...], door_callers: Mapping[str, str]):
        self.names = names
        self.bands = bands
        self.door_callers = dict(door_callers)
        self.never_asked: set[str] = set()

    def unreachable(self, question: CompiledQuestion) -> str | None:
        """Why ``question`` can never be asked, or None when some call may reach it."""
        if question.doors is not None and not question.doors:
            self.never_asked.add(question.id)
            return "its `doors` list is empty, so no call reaches it; list the doors it is for, or remove `doors`"
        if question.when is None:
            return None
        if self._can_hold(question.when, question.doors):
            return None
        self.never_asked.add(question.id)
        names = ", ".join(sorted(question.when.names))
        where = f" on the doors it is limited to ({', '.join(sorted(question.doors))})" if question.doors else ""
        return (
            f"this question can never be asked: its condition ({question.when.source}) is false for every value "
            f"{names} can hold{where}"
        )

    # -- enumeration ---------------------------------------------------------------------------
    def _can_hold(self, condition: Condition, doors: frozenset[str] | None) -> bool:
        domains: list[tuple[str, list[_State]]] = []
        total = 1
        for name in sorted(condition.names):
            domain = self._domain(name, doors)
            if domain is None:
                return True  # a number, free text or a large multi: assume reachable
            total *= len(domain)
            if total > MAX_COMBINATIONS:
                return True
            domains.append((name, domain))
        for namespace in self._namespaces(domains):
            try:
                if condition.evaluate(namespace):
                    return True
            except Exception:
                return True
        return False

    def _namespaces(self, domains: list[tuple[str, list[_State]]]) -> Iterator[dict[str, Any]]:
        keys = [name for name, _ in domains]
        for combination in itertools.product(*(domain for _, domain in domains)):
            namespace: dict[str, Any] = {}
            answered = set()
            for name, (value, is_answered) in zip(keys, combination):
                namespace[name] = value
                if is_answered:
                    answered.add(name)
                if name == "band":
                    namespace["band" + RANK_SUFFIX] = self.bands.index(value)
            namespace[ANSWERED] = frozenset(answered)
            yield namespace

    def _domain(self, name: str, doors: frozenset[str] | None) -> list[_State] | None:
        kind = self.names.get(name)
        if kind is None:
            return None
        if name in self.never_asked:
            empty: frozenset[str] | None = frozenset() if kind.kind == "multi" else None
            return [(empty, False)]
        if name == "door":
            allowed = sorted(doors) if doors is not None else [None, *kind.values]
            return [(d, False) for d in allowed]
        if name == "caller":
            allowed_doors = sorted(doors) if doors is not None else list(self.door_callers)
            callers = {self.door_callers.get(d) for d in allowed_doors}
            if doors is None:
                callers.add(None)
            return [(c, False) for c in sorted(callers, key=lambda c: (c is None, c or ""))]
        if kind.kind == "flag":
            return [(False, False), (True, False)]
        if kind.kind == "band":
            return [(b, False) for b in self.bands]
        if kind.kind == "choice":
            is_question = kind.describe.startswith("question")
            optional = [None] if is_question or name in ("line", "district") else []
            return [(v, v is not None and is_question) for v in optional + list(kind.values)]
        if kind.kind == "multi":
            if len(kind.values) > MAX_MULTI_OPTIONS:
                return None
            # An empty selection may be unanswered or answered with "none of these".
            states: list[_State] = [(frozenset(), False), (frozenset(), True)]
            for size in range(1, len(kind.values) + 1):
                states += [(frozenset(c), True) for c in itertools.combinations(kind.values, size)]
            return states
        return None  # number, text


def door_callers(doors: Iterable[Any]) -> dict[str, str]:
    """Door id -> caller kind, from the document's doors."""
    return {d.id: d.caller for d in doors}
