"""Helpers for loader tests: break a copy of the Boston protocol and read the problems back."""

from __future__ import annotations

import pytest

from crisis_triage.protocol import Problem, ProtocolError, parse_protocol


def edit(text: str, *changes: tuple[str, str]) -> str:
    """Apply (old, new) replacements; each ``old`` must occur exactly once, so edits never miss silently."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def problems(text: str, file: str = "boston.yaml") -> list[Problem]:
    """Every problem the loader reports for ``text`` (the text must be invalid)."""
    with pytest.raises(ProtocolError) as info:
        parse_protocol(text, file)
    return list(info.value.problems)


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``snippet``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if snippet in line]
    assert len(found) >= occurrence, f"{snippet!r} not found"
    return found[occurrence - 1]


def column_of(text: str, snippet: str) -> int:
    """1-based column where ``snippet`` starts on its (unique) line."""
    line = text.splitlines()[line_of(text, snippet) - 1]
    return line.index(snippet) + 1


def only(found: list[Problem], code: str) -> Problem:
    """The single problem of ``code`` (and nothing else reported)."""
    assert [p.code for p in found] == [code], [str(p) for p in found]
    return found[0]
