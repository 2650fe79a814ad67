"""The embedded store's outbox to a centre's store: what is shipped, what is pending.

A mixin of :class:`~crisis_triage.store.sqlite.SqliteJournal`; the shipper thread
(``store/shipper.py``) is its only caller.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from .journal import JournalError
from .rows import COLUMNS
from .sqlite_files import create_private, describe_sqlite_error


class SqliteOutbox:
    """The shipping cursor and the rows a target has not yet acknowledged."""

    path: Path
    _busy_timeout_ms: int
    _closing: threading.Event
    _outbox_lock: threading.Lock
    _outbox_db: sqlite3.Connection | None

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
            create_private(self.outbox_path)
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
