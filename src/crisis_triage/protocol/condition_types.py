"""What the condition language's parts share: the size limits, what a name holds, the error, and the
private names a compiled condition reads. Kept apart so the checker (:mod:`.condition_checker`)
and the compiler of conditions (:mod:`.conditions`) import it without importing each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_DEPTH = 24
MAX_STRING = 200
MAX_LIST = 64
MAX_NUMBER = 1e9

#: Value a number question holds until it is answered: every comparison with NaN is false.
UNANSWERED_NUMBER = math.nan


@dataclass(frozen=True)
class NameType:
    """What a name in a condition holds."""

    kind: str
    """``flag`` (true/false), ``choice`` (one of ``values``), ``multi`` (a set of ``values``),
    ``number``, ``text`` or ``band`` (one of ``values``, ordered lowest first)."""
    values: tuple[str, ...] = ()
    describe: str = ""
    """What the name is, for error messages (``question "weapon"``)."""


class ConditionError(ValueError):
    """A condition that cannot be used; ``offset`` is the 0-based column in the condition text."""

    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


# Private names the compiled function reads; author names never start with "_", so no clash.
NS = "_ns"
ANSWERED = "_answered"
RANK_SUFFIX = "_rank"
