"""The state of a partial path in the walk, and the namespace its conditions see.

Kept apart from the walk itself: :class:`Values` keeps an order-free hash up to date so merging
paths costs O(changes); :class:`Namespace` answers a condition's reads from the path's values, the
call's base values, and derived facts and the band worked out on first read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..protocol.conditions import RANK_SUFFIX

if TYPE_CHECKING:  # pragma: no cover
    from .answers import AnswerClass

COMPUTED = ("band", "band" + RANK_SUFFIX, "score", "suicide_level")
"""Names worked out from the others (by the walker's ``compute_band``: the engine's own refresh)."""


class Namespace(MutableMapping[str, Any]):
    """The engine's namespace for one partial path: base values, the path's values, and derived
    facts, band and suicide level worked out on first read (most conditions read few of them).

    What the engine's compiled code writes (the band, an answer recorded) goes to ``memo``; the
    path's own values are never changed through the namespace.
    """

    __slots__ = ("base", "memo", "score", "values", "walker")
    # The path's values: this slot shadows Mapping.values() on purpose (nothing calls that on a Namespace)
    values: Mapping[str, Any]  # type: ignore[assignment]

    def __init__(self, base: Mapping[str, Any], values: Mapping[str, Any], score: int, walker: Any):
        self.base = base
        self.values = values
        self.score = score
        self.walker = walker
        self.memo: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        value = self.values.get(name, _MISSING)
        if value is not _MISSING:
            return value
        memo = self.memo
        if name in memo:
            return memo[name]
        walker = self.walker
        if name in walker.derived:
            memo[name] = result = walker.derived[name].evaluate(self)
            return result
        if name in COMPUTED:
            walker.compute_band(self)
            return memo[name]
        return self.base[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self.memo[name] = value

    def __delitem__(self, name: str) -> None:
        del self.memo[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


_MISSING = object()

SUMMARY_OVERRIDE = "\x01override"
SUMMARY_LEVEL = "\x01level"


class BandOverlay(Mapping):
    """A namespace with the band set to one value: works out a condition's truth per band."""

    __slots__ = ("band", "ns", "rank")

    def __init__(self, ns: Mapping[str, Any], band: str, rank: int):
        self.ns, self.band, self.rank = ns, band, rank

    def __getitem__(self, name: str) -> Any:
        if name == "band":
            return self.band
        if name == "band" + RANK_SUFFIX:
            return self.rank
        return self.ns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.ns)

    def __len__(self) -> int:
        return len(self.ns)


class Values(dict):
    """A path's values with an order-free hash kept up to date on every change, so that merging
    paths costs O(changes), not O(live names) (large protocols keep hundreds of names live)."""

    __slots__ = ("h",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.h = 0
        for item in dict.items(self):
            self.h ^= hash(item)

    def __setitem__(self, key: Any, value: Any) -> None:
        old = dict.get(self, key, _MISSING)
        if old is not _MISSING:
            if old == value and type(old) is type(value):
                return
            self.h ^= hash((key, old))
        dict.__setitem__(self, key, value)
        self.h ^= hash((key, value))

    def pop(self, key: Any, default: Any = None) -> Any:
        old = dict.pop(self, key, _MISSING)
        if old is _MISSING:
            return default
        self.h ^= hash((key, old))
        return old

    def __delitem__(self, key: Any) -> None:
        self.pop(key)

    def copy(self) -> "Values":
        clone = Values.__new__(Values)
        dict.update(clone, self)
        clone.h = self.h
        return clone


@dataclass(eq=False)
class State:
    values: Values
    score: int
    count: int
    trail: tuple | None
    """The path so far as a linked list: (question id, class, parent trail)."""
    noise: int = 0
    """How many answers on the trail are not the plain one (no, skipped): merged paths keep the
    plainest trail, so each row's example shows only the answers that matter."""
    ns: Namespace | None = None


def trail_answers(trail: tuple | None) -> list[tuple[str, AnswerClass]]:
    steps = []
    while trail is not None:
        qid, cls, trail = trail
        steps.append((qid, cls))
    steps.reverse()
    return steps
