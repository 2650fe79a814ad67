"""Streaming whole calls out of a record store (SQLite or PostgreSQL), one call at a time."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from .journal import CallMeta
from .rows import meta_from_row


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
