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
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.events import AnyEvent, CallEnded
from .journal import OUTSIDE_SEQUENCE, CallMeta, CallSummary, JournalError, StoredEvent
from .rows import COLUMNS, meta_from_row, stored_from_row, to_row, utc_text
from .sqlite_schema import migrate

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


def describe_sqlite_error(exc: BaseException, path: Path | str) -> str:
    """A sentence for a person: what is wrong with the record file and what it means."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        if getattr(exc, "errno", None) == 28:
            return f"the disk holding {path} is full"
        return f"the record store {path} cannot be written: {exc.strerror or exc}"
    if "full" in text:
        return f"the disk holding {path} is full"
    if "locked" in text or "busy" in text:
        return f"the record store {path} is locked by another program"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"the record store {path} is damaged (not a readable database)"
    if "readonly" in text or "read-only" in text:
        return f"the record store {path} is read-only"
    if "unable to open" in text:
        return f"the record store {path} cannot be opened (missing folder or no permission)"
    return f"the record store {path} failed: {exc}"


def _create_private(path: Path) -> None:
    """Create the file (and its folder) readable by this user only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class SqliteJournal:
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
            _create_private(self.path)
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

    # -- reading -------------------------------------------------------------------------------
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

    # -- the outbox to a centre's store ----------------------------------------------------------
    # The shipper thread uses a connection of its own, so it never holds the console's lock: under
    # WAL its reads run beside the console's writes. Its cursor ("shipped up to seq N") lives in a
    # small database file of its own (``<store>.outbox``), attached to that connection: updating it
    # takes that file's write lock, never the journal's, so shipping cannot delay a console's commit
    # nor wait behind a busy console. The cursor is not fsynced: one lost to a power cut only means
    # a batch is sent again, which the centre ignores by event id.
    @property
    def outbox_path(self) -> Path:
        return Path(f"{self.path}.outbox")

    def _outbox(self) -> sqlite3.Connection:
        if self._closing.is_set():
            raise JournalError(f"the record store {self.path} was closed")  # the shipper moves to the reopened one
        if self._outbox_db is None:
            _create_private(self.outbox_path)
            db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=self._busy_timeout_ms / 1000
            )
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            db.execute("ATTACH DATABASE ? AS outbox", (str(self.outbox_path),))
            db.execute("PRAGMA outbox.journal_mode = WAL")
            db.execute("PRAGMA outbox.synchronous = OFF")
            db.execute("CREATE TABLE IF NOT EXISTS outbox.shipped (target TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
            self._outbox_db = db
        return self._outbox_db

    def _outbox_query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._outbox_lock:
            try:
                return self._outbox().execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(describe_sqlite_error(exc, self.outbox_path)) from exc

    def shipped_seq(self, target: str) -> int:
        """The highest local ``seq`` that ``target`` has acknowledged (0 if none)."""
        rows = self._outbox_query("SELECT seq FROM outbox.shipped WHERE target = ?", (target,))
        return rows[0][0] if rows else 0

    def pending(self, target: str, limit: int = 500) -> list[tuple[int, dict[str, Any]]]:
        """Up to ``limit`` rows not yet acknowledged by ``target``, in write order, with their local seq."""
        rows = self._outbox_query(
            f"SELECT seq, {', '.join(COLUMNS)} FROM main.events WHERE seq > "
            "coalesce((SELECT seq FROM outbox.shipped WHERE target = ?), 0) ORDER BY seq LIMIT ?",
            (target, limit),
        )
        return [(r["seq"], {c: r[c] for c in COLUMNS}) for r in rows]

    def backlog(self, target: str) -> int:
        rows = self._outbox_query(
            "SELECT count(*) FROM main.events WHERE seq > "
            "coalesce((SELECT seq FROM outbox.shipped WHERE target = ?), 0)",
            (target,),
        )
        return rows[0][0]

    def mark_shipped(self, target: str, seq: int) -> None:
        self._outbox_query(
            "INSERT INTO outbox.shipped (target, seq) VALUES (?, ?) ON CONFLICT (target) "
            "DO UPDATE SET seq = max(seq, excluded.seq)",
            (target, seq),
        )

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


def _summary(row: sqlite3.Row) -> CallSummary:
    data = dict(row)
    return CallSummary(
        meta=meta_from_row(data),
        started_at=datetime.fromisoformat(data["started_at"]),
        last_at=datetime.fromisoformat(data["last_at"]),
        events=data["events"],
        ended=data["ended"],
    )
