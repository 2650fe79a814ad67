"""Streaming whole calls out of a record store (SQLite or PostgreSQL), one call at a time."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Protocol as Interface

from .journal import CallMeta, StoredEvent
from .rows import meta_from_row, stored_from_row


class RecordReader(Interface):
    """What export, report and review read; both SqliteJournal and PostgresStore provide it."""

    def iter_rows(self, call_ids: list[str] | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


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


def iter_calls(reader: RecordReader, call_ids: list[str] | None = None,
               include_practice: bool = False) -> Iterator[tuple[CallMeta, list[StoredEvent]]]:
    """Every call in the store as (meta, its events in order); practice calls are left out unless asked."""
    for meta, rows in group_rows(reader.iter_rows(call_ids)):
        if meta.practice and not include_practice:
            continue
        yield meta, [stored_from_row(r) for r in rows]
