"""The embedded record store: one SQLite file, WAL, synchronous=FULL, mode 0600.

When :meth:`SqliteJournal.append` returns, the event's transaction has committed with
``synchronous=FULL``: the WAL frame is fsynced, so a crash or power cut after that loses nothing.
Every error is turned into :class:`JournalError` with a message that says what is wrong with which
file (corrupt, locked, disk full), so the caller can switch to the fallback journal and say why.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.events import AnyEvent, CallEnded
from .journal import CallMeta, JournalError, StoredEvent
from .rows import COLUMNS, to_row, utc_text
from .sqlite_files import create_private, describe_sqlite_error
from .sqlite_outbox import SqliteOutbox
from .sqlite_reading import SqliteReading
from .sqlite_schema import migrate

__all__ = ["CHECKPOINT_INTERVAL_S", "DEFAULT_BUSY_TIMEOUT_MS", "SqliteJournal", "describe_sqlite_error"]

CHECKPOINT_INTERVAL_S = 2.0
"""How often the background checkpointer copies the WAL into the database file."""

DEFAULT_BUSY_TIMEOUT_MS = 2000
"""How long a write waits for another writer (an import, a purge) before giving up: short, since a
console that gives up switches to its fallback journal rather than stall the call."""

# Idempotent by event id only: a different event at a taken (call, sequence) is an error, never dropped.
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    "ON CONFLICT (event_id) DO NOTHING"
)
_QUARANTINE = "INSERT INTO rejected_events (event_id, row, error) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
_UPSERT_CALL = """
    INSERT INTO calls (call_id, console_id, call_taker_id, protocol_id, protocol_version, protocol_sha256,
                       protocol_file, practice, started_at, last_at, events, ended)
    VALUES (:call_id, :console_id, :call_taker_id, :protocol_id, :protocol_version, :protocol_sha256,
            :protocol_file, :practice, :at, :at, 1, :ended)
    ON CONFLICT (call_id) DO UPDATE SET
        started_at = min(started_at, excluded.started_at),
        last_at = max(last_at, excluded.last_at),
        events = events + 1,
        ended = coalesce(excluded.ended, ended)
"""


class SqliteJournal(SqliteReading, SqliteOutbox):
    """A :class:`~crisis_triage.store.journal.Journal` in one SQLite file (thread-safe)."""

    problem: str | None = None

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        max_pages: int | None = None,
        background_checkpoints: bool = False,
    ):
        """Open (creating and migrating as needed) the file at ``path``.

        ``background_checkpoints`` (the console's journal) moves WAL checkpoints to a thread of
        their own instead of the commit that crosses SQLite's threshold.

        ``max_pages`` caps the file's size in pages: tests use it to make SQLite hit a genuinely
        full database (SQLITE_FULL), the same error a full disk gives.
        """
        self.path = Path(path)
        self._lock = threading.RLock()
        self._outbox_lock = threading.Lock()
        self._outbox_db: sqlite3.Connection | None = None
        self._busy_timeout_ms = busy_timeout_ms
        self._closing = threading.Event()
        self._meta: dict[str, CallMeta] = {}
        try:
            create_private(self.path)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise JournalError(f"the record store {self.path} cannot use write-ahead logging (mode {mode})")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            if background_checkpoints:
                self._db.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                migrate(self._db, str(self.path))
            except sqlite3.Error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            if max_pages is not None:
                self._db.execute(f"PRAGMA max_page_count = {int(max_pages)}")
            # Fail now, not mid-call, if the file is damaged beyond its header.
            self._db.execute("SELECT count(*) FROM calls").fetchone()
        except JournalError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(describe_sqlite_error(exc, self.path)) from exc
        for suffix in ("-wal", "-shm"):
            sidecar = Path(f"{self.path}{suffix}")
            if sidecar.exists():
                os.chmod(sidecar, 0o600)
        if background_checkpoints:
            threading.Thread(target=self._checkpoint_loop, name="crisis-triage-checkpoint", daemon=True).start()

    # -- writing -------------------------------------------------------------------------------
    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        with self._lock:
            self._meta[meta.call_id] = meta
            return self.append(meta.call_id, first)

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        """Commit ``event`` as the call's next event (fsynced before this returns)."""
        with self._lock:
            meta = self.meta(call_id)
            record = StoredEvent(uuid.uuid4().hex, call_id, self.last_sequence(call_id) + 1, event)
            self.insert(meta, record)
            return record

    def insert(self, meta: CallMeta, record: StoredEvent) -> bool:
        """Store ``record`` with its id and sequence as given; False if that event id is already stored.

        Idempotent by event id. Raises JournalError if another event holds that call's sequence.
        """
        return self.insert_many([(meta, record)], quarantine=False) == 1

    def insert_many(self, records: list[tuple[CallMeta, StoredEvent]], *, quarantine: bool = True) -> int:
        """Store many records in one transaction (imports, fallback merges); return how many were new.

        With ``quarantine``, a record that clashes with a different stored event (same call and
        sequence) is kept in ``rejected_events`` for a person to look at, so one bad record cannot
        block a merge and nothing is dropped.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                added = 0
                for meta, record in records:
                    row = to_row(meta, record)
                    row["practice"] = int(row["practice"])
                    try:
                        cursor = self._db.execute(_INSERT_EVENT, [row[c] for c in COLUMNS])
                    except sqlite3.IntegrityError as exc:
                        if not quarantine:
                            raise
                        self._db.execute(_QUARANTINE, (record.event_id, json.dumps(row), str(exc)))
                        continue
                    if cursor.rowcount == 1:
                        added += 1
                        row["ended"] = record.event.outcome if isinstance(record.event, CallEnded) else None
                        self._db.execute(_UPSERT_CALL, row)
                    self._meta.setdefault(meta.call_id, meta)
                self._db.execute("COMMIT")
                return added
            except sqlite3.IntegrityError as exc:
                self._rollback()
                raise JournalError(f"event clashes with one already stored in {self.path}: {exc}") from exc
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise JournalError(describe_sqlite_error(exc, self.path)) from exc

    def _rollback(self) -> None:
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the connection is already unusable; the caller reports the first error

    def insert_if_free(self, meta: CallMeta, record: StoredEvent) -> bool:
        """Store ``record`` unless its id or its (call, sequence) is taken; False if taken (the caller
        picks the next sequence and tries again). Used by writers outside the call's console."""
        with self._lock:
            row = to_row(meta, record)
            row["practice"] = int(row["practice"])
            sql = _INSERT_EVENT.replace("ON CONFLICT (event_id) DO NOTHING", "ON CONFLICT DO NOTHING")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                added = self._db.execute(sql, [row[c] for c in COLUMNS]).rowcount == 1
                if added:
                    row["ended"] = None
                    self._db.execute(_UPSERT_CALL, row)
                self._db.execute("COMMIT")
                return added
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise JournalError(describe_sqlite_error(exc, self.path)) from exc

    # -- checkpoints off the call's path -------------------------------------------------------
    def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database file in the background (its own connection, PASSIVE: it
        never blocks a write), so no console append pays for a checkpoint's fsyncs."""
        db = None
        while not self._closing.wait(CHECKPOINT_INTERVAL_S):
            try:
                if db is None:
                    db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0.1)
                    db.execute("PRAGMA synchronous = FULL")
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                pass  # a busy or failing file: the next round tries again; writes report their own errors
        if db is not None:
            db.close()

    # -- retention -----------------------------------------------------------------------------
    def purge(self, before: datetime, *, shipped_to: str | None = None) -> tuple[int, int]:
        """Delete finished calls whose last event is before ``before``; return (calls, events) removed.

        Unfinished calls are kept (they may still be resumed). With ``shipped_to``, only calls whose
        every event that target has acknowledged are removed: nothing leaves the console unshipped.
        """
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                where = "ended IS NOT NULL AND last_at < ?"
                params: list[Any] = [utc_text(before)]
                if shipped_to is not None:
                    where += " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.call_id = calls.call_id AND e.seq > ?)"
                    params.append(self.shipped_seq(shipped_to))
                ids = [r[0] for r in self._db.execute(f"SELECT call_id FROM calls WHERE {where}", params)]
                events = 0
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join("?" * len(chunk))
                    events += self._db.execute(f"DELETE FROM events WHERE call_id IN ({marks})", chunk).rowcount
                    self._db.execute(f"DELETE FROM calls WHERE call_id IN ({marks})", chunk)
                self._db.execute("COMMIT")
                for call_id in ids:
                    self._meta.pop(call_id, None)
                return len(ids), events
            except sqlite3.Error as exc:
                self._rollback()
                raise JournalError(describe_sqlite_error(exc, self.path)) from exc

    def close(self) -> None:
        self._closing.set()
        with self._lock, self._outbox_lock:
            for db in (self._db, self._outbox_db):
                if db is None:
                    continue
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._outbox_db = None
