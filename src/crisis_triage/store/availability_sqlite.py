"""Shared availability on one console's own SQLite file: the same rules with no centre server.

One console (or a console and a board on the same machine) share ``<data dir>/centre.sqlite3``.
Writers take SQLite's write lock with ``BEGIN IMMEDIATE`` before bumping the version, so a claim is
decided by one transaction as on PostgreSQL; watchers poll the version row.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .availability import AvailabilityStore, table_script

BUSY_TIMEOUT_S = 5.0


class SqliteAvailability(AvailabilityStore):
    """Availability in a local SQLite file (created with its tables on first use)."""

    prefix = ""

    def __init__(self, path: str | Path, *, poll_s: float = 0.2):
        self.path = Path(path)
        self.poll_s = poll_s
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # Availability is rebuilt from the centre or by the next change; a power cut may lose the last one.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        with self._transaction() as cursor:
            for statement in table_script("", "text"):
                cursor.execute(statement)
            cursor.execute("INSERT INTO centre_state (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM centre_state)")

    def _reading(self):
        return self._transaction(immediate=False)

    @contextmanager
    def _transaction(self, immediate: bool = True) -> Iterator[Any]:
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield cursor
            except BaseException:
                self._conn.rollback()
                raise
            else:
                self._conn.commit()
            finally:
                cursor.close()

    def _notify(self, cursor: Any, version: int) -> None:
        """Nothing to send: watchers poll the version row."""

    def _sql(self, text: str) -> str:
        return text.replace("{p}", "").replace("%s", "?")

    def _time(self, value: datetime | None) -> Any:
        return value.isoformat() if value is not None else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def wait_for_change(self, seen_version: int, timeout_s: float, *, events: bool = False) -> int:
        """Poll the version row until it moves past ``seen_version`` or ``timeout_s`` passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            version = self.version()
            if version != seen_version or time.monotonic() >= deadline:
                return version
            time.sleep(min(self.poll_s, max(0.0, deadline - time.monotonic())))
