"""Streaming whole calls out of a record store (SQLite or PostgreSQL), one call at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from .journal import CallMeta
from .rows import event_of, meta_from_row


def group_rows(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[CallMeta, list[dict[str, Any]]]]:
    """Consecutive rows of one call (rows come ordered by call, then sequence) as (meta, rows)."""
    current: list[dict[str, Any]] = []
    for row in rows:
        if current and row["call_id"] != current[0]["call_id"]:
            yield meta_from_row(current[0]), current
            current = []
        current.append(row)
    if current:
        yield meta_from_row(current[0]), current


def select_calls(
    rows: Iterable[dict[str, Any]],
    since: datetime | None = None,
    until: datetime | None = None,
    include_practice: bool = False,
) -> Iterator[tuple[CallMeta, list[dict[str, Any]]]]:
    """The calls of ``rows`` that started in [since, until); practice calls only if asked."""
    for meta, call_rows in group_rows(rows):
        if meta.practice and not include_practice:
            continue
        if since is not None or until is not None:
            started = event_of(call_rows[0]).at
            if (since is not None and started < since) or (until is not None and started >= until):
                continue
        yield meta, call_rows
