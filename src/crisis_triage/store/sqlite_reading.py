"""The embedded store's queries: a call's events and summary, the call lists, the follow-up rows.

A mixin of :class:`~crisis_triage.store.sqlite.SqliteJournal`, which owns the connection and its lock;
nothing here writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.events import AnyEvent
from .journal import OUTSIDE_SEQUENCE, CallMeta, CallSummary, JournalError, StoredEvent
from .rows import COLUMNS, meta_from_row, stored_from_row, utc_text
from .sqlite_files import describe_sqlite_error


class SqliteReading:
    """The read side of the embedded store (the journal's connection, under its lock)."""

    path: Path
    _db: sqlite3.Connection
    _lock: threading.RLock
    _meta: dict[str, CallMeta]

    def _query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(describe_sqlite_error(exc, self.path)) from exc

    def last_sequence(self, call_id: str) -> int:
        """The call's last sequence number in the console's own range (events recorded from outside
        the console are numbered from OUTSIDE_SEQUENCE, so the two writers never clash)."""
        rows = self._query(
            "SELECT max(sequence) FROM events WHERE call_id = ? AND sequence < ?", (call_id, OUTSIDE_SEQUENCE)
        )
        return rows[0][0] or 0

    def followup_rows(self) -> list[tuple[Any, ...]]:
        """The follow-up queue's rows (store/followups.py): (call_id, console_id, kind, rule, at, due,
        outcome), in call order, from the table the triggers of schema 4 keep beside the events: plain
        columns read in their key's order, no JSON decoded, no sort."""
        self._db.row_factory = None
        try:
            with self._lock:
                return self._db.execute(
                    "SELECT call_id, console_id, kind, rule, at, due, outcome FROM followup_rows ORDER BY call_id, sequence"
                ).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(describe_sqlite_error(exc, self.path)) from exc
        finally:
            self._db.row_factory = sqlite3.Row

    def meta(self, call_id: str) -> CallMeta:
        with self._lock:
            meta = self._meta.get(call_id)
            if meta is None:
                rows = self._query("SELECT * FROM calls WHERE call_id = ?", (call_id,))
                if not rows:
                    raise KeyError(call_id)
                meta = self._meta[call_id] = meta_from_row(dict(rows[0]))
            return meta

    def has_call(self, call_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM calls WHERE call_id = ?", (call_id,)))

    def stored_events(self, call_id: str) -> list[StoredEvent]:
        rows = self._query(
            "SELECT event_id, call_id, sequence, event FROM events WHERE call_id = ? ORDER BY sequence", (call_id,)
        )
        return [stored_from_row(dict(r)) for r in rows]

    def events(self, call_id: str) -> list[AnyEvent]:
        return [s.event for s in self.stored_events(call_id)]

    def unfinished_calls(self, console_id: str | None = None) -> list[CallSummary]:
        sql = "SELECT * FROM calls WHERE ended IS NULL"
        params: tuple = ()
        if console_id is not None:
            sql += " AND console_id = ?"
            params = (console_id,)
        return [_summary(r) for r in self._query(sql + " ORDER BY started_at", params)]

    def calls(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        console_id: str | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[CallSummary]:
        """Calls started in [since, until), newest first by default."""
        clauses, params = [], []
        if since is not None:
            clauses.append("started_at >= ?")
            params.append(utc_text(since))
        if until is not None:
            clauses.append("started_at < ?")
            params.append(utc_text(until))
        if console_id is not None:
            clauses.append("console_id = ?")
            params.append(console_id)
        sql = "SELECT * FROM calls" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += f" ORDER BY started_at {'DESC' if newest_first else 'ASC'}, call_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_summary(r) for r in self._query(sql, params)]

    def count(self) -> tuple[int, int]:
        """(calls, events) in the store."""
        rows = self._query("SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM events)")
        return rows[0][0], rows[0][1]

    def iter_rows(self, call_ids: list[str] | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Every event row in (call start, sequence) order, streamed in batches so memory stays flat."""
        if call_ids is not None:
            for call_id in call_ids:
                yield from (
                    dict(r)
                    for r in self._query(
                        f"SELECT {', '.join(COLUMNS)} FROM events WHERE call_id = ? ORDER BY sequence", (call_id,)
                    )
                )
            return
        last = ("", "")
        while True:
            calls = self._query(
                "SELECT started_at, call_id FROM calls WHERE (started_at, call_id) > (?, ?) "
                "ORDER BY started_at, call_id LIMIT ?",
                (*last, max(1, batch // 16)),
            )
            if not calls:
                return
            ids = [c["call_id"] for c in calls]
            rows = self._query(
                f"SELECT e.{', e.'.join(COLUMNS)} FROM events e JOIN calls c USING (call_id) "
                f"WHERE e.call_id IN ({', '.join('?' * len(ids))}) ORDER BY c.started_at, c.call_id, e.sequence",
                ids,
            )
            yield from (dict(r) for r in rows)
            last = (calls[-1]["started_at"], calls[-1]["call_id"])


def _summary(row: sqlite3.Row) -> CallSummary:
    data = dict(row)
    return CallSummary(
        meta=meta_from_row(data),
        started_at=datetime.fromisoformat(data["started_at"]),
        last_at=datetime.fromisoformat(data["last_at"]),
        events=data["events"],
        ended=data["ended"],
    )
