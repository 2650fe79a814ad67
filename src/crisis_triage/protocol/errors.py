"""Protocol problems as values: where they are, what was expected, how to fix them.

A protocol author reads these, not a developer, so every problem carries the file, line and column,
the path inside the document (``questions[3].risk``) and a sentence that says what was expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Path = tuple[str | int, ...]

#: Most problems listed for one file: past this the rest are counted in one last problem (a hostile
#: file can otherwise produce millions of lines).
MAX_PROBLEMS = 200


def format_path(path: Path) -> str:
    """Render a document path the way an author reads it: ``sections[1].questions[0].ask``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' suffix for a near-miss, or an empty string."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a look) in a protocol file."""

    code: str
    """A stable code, e.g. ``yaml-syntax``, ``unknown-name``, ``cycle``: lets tools and docs refer to it."""
    message: str
    """What is wrong and what was expected, for the person who can fix it."""
    file: str = "<protocol>"
    line: int = 0
    """1-based line, 0 when the location is unknown."""
    column: int = 0
    """1-based column, 0 when unknown."""
    path: Path = ()
    severity: str = "error"
    """``error`` (the protocol cannot be used), ``warning`` or ``info`` (lint findings)."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        at = f" at {format_path(self.path)}" if self.path else ""
        return f"{where}: {self.severity}[{self.code}]{at}: {self.message}"


@dataclass
class ProtocolError(Exception):
    """Raised when a protocol cannot be loaded; carries every problem found, not just the first."""

    problems: Sequence[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def capped(problems: Sequence[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems, then one that counts the rest (located at the first left out)."""
    if len(problems) <= limit:
        return list(problems)
    rest = problems[limit]
    more = len(problems) - limit
    summary = Problem(
        "too-many-problems",
        f"... and {more:,} more problem{'s' if more != 1 else ''} not listed; fix the ones above first",
        rest.file,
        rest.line,
        rest.column,
    )
    return [*problems[:limit], summary]
