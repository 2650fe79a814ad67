"""Which calls gained events in the record store, told as soon as the events are stored.

``crisis-triage eido serve`` sends CAD systems every change of every call; a change recorded on
another console must reach them within milliseconds, not at the next look at the whole store.

* PostgreSQL: every write of events notifies ``<schema>_event_calls`` with the call's id on commit
  (:meth:`~crisis_triage.store.postgres.PostgresStore.insert_rows`); :class:`PostgresChanges`
  LISTENs on a connection of its own. When LISTEN is not possible (the server is down, or a pooler
  in transaction mode drops notifications) it says so and the caller looks at the whole store every
  poll, as before; it tries LISTEN again every :data:`LISTEN_AGAIN_S`.
* SQLite: no notifications between processes, but the events table's write order (``seq``) makes a
  look cheap: :class:`SqliteChanges` reads ``max(seq)`` every :data:`SQLITE_LOOK_S` on a read-only
  connection of its own, and lists the calls of the events past the last one it saw.

Both answer :meth:`wait` with the ids of the calls that changed, an empty set when nothing did,
or None when changes may have gone unheard (the first wait; LISTEN lost or re-established): then
the caller looks at every call.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Protocol

from .postgres import CONNECT_TIMEOUT_S, PostgresStore, events_channel, split_url
from .sqlite import SqliteJournal

log = logging.getLogger("crisis_triage.store")

SQLITE_LOOK_S = 0.02
"""Seconds between two looks at a SQLite store's last event (one indexed read of the primary key)."""


LISTEN_AGAIN_S = 5.0
"""Seconds between attempts to LISTEN again while it is not possible (the caller polls meanwhile)."""


class CallChanges(Protocol):
    @property
    def pushing(self) -> bool:
        """True while changes are being told (the caller need not look at the whole store meanwhile)."""

    def wait(self, timeout_s: float) -> set[str] | None: ...

    def close(self) -> None: ...


class PostgresChanges:
    """The calls that gained events in a centre's PostgreSQL store, heard by LISTEN."""

    def __init__(self, url: str, *, connect_timeout: float = CONNECT_TIMEOUT_S):
        self.conninfo, schema = split_url(url)
        self.channel = events_channel(schema)
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._next_try = 0.0
        self.problem: str | None = None
        """Why LISTEN is not up (None while it is)."""

    @property
    def pushing(self) -> bool:
        return self._conn is not None

    def wait(self, timeout_s: float) -> set[str] | None:
        """The ids of the calls notified within ``timeout_s`` (returning at the first, with any that
        came with it); None when LISTEN has just been (re-)established or is not possible (after
        waiting ``timeout_s``), i.e. when changes may have gone unheard."""
        if self._conn is None:
            if time.monotonic() >= self._next_try and self._listen():
                return None  # what was stored before LISTEN took effect was not heard
            time.sleep(timeout_s)
            return None
        try:
            changed = {n.payload for n in self._conn.notifies(timeout=timeout_s, stop_after=1)}
            if changed:
                # Whatever else has arrived already comes in the same answer (one look per burst).
                changed.update(n.payload for n in self._conn.notifies(timeout=0))
        except Exception as exc:  # psycopg.Error: the server went away; poll until it is back
            self._lost(f"{type(exc).__name__}: {str(exc).strip()}")
            return None
        return {c for c in changed if c}

    def _listen(self) -> bool:
        from .postgres import connect

        try:
            conn = connect(
                self.conninfo, timeout_s=self.connect_timeout, autocommit=True, application_name="crisis-triage eido"
            )
            conn.execute(f'LISTEN "{self.channel}"')
        except Exception as exc:
            self._lost(f"{type(exc).__name__}: {str(exc).strip()}")
            return False
        self._conn = conn
        if self.problem is not None:
            log.info("listening for new events again on %s", self.channel)
        self.problem = None
        return True

    def _lost(self, problem: str) -> None:
        self._next_try = time.monotonic() + LISTEN_AGAIN_S
        if self.problem is None:
            log.warning("not notified of new events (%s); looking at the store every poll instead", problem)
        self.problem = problem
        self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass


class SqliteChanges:
    """The calls that gained events in a SQLite store (written by any process), by its write order."""

    def __init__(self, path: Path | str, *, look_s: float = SQLITE_LOOK_S):
        self.path = Path(path)
        self.look_s = look_s
        # Read-only, so this watcher can never hold a write lock a console is waiting for.
        self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        self._seen: int | None = None

    @property
    def pushing(self) -> bool:
        return True

    def _last(self) -> int:
        return self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    def wait(self, timeout_s: float) -> set[str] | None:
        try:
            return self._wait(timeout_s)
        except sqlite3.Error as exc:  # the caller's look at the whole store says what is wrong, if it lasts
            log.warning("cannot watch %s for new events: %s", self.path, exc)
            self._seen = None
            time.sleep(timeout_s)
            return None

    def _wait(self, timeout_s: float) -> set[str] | None:
        if self._seen is None:
            self._seen = self._last()
            return None
        deadline = time.monotonic() + timeout_s
        while True:
            last = self._last()
            if last != self._seen:
                rows = self._db.execute("SELECT DISTINCT call_id FROM events WHERE seq > ?", (self._seen,)).fetchall()
                # A purge can lower max(seq) only by deleting the newest calls' events: nothing to send.
                self._seen = last
                return {r[0] for r in rows}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return set()
            time.sleep(min(self.look_s, remaining))

    def close(self) -> None:
        self._db.close()


def open_changes(reader: Any) -> CallChanges | None:
    """How to hear of changes in the store ``reader`` reads; None when it cannot say (poll it)."""
    if isinstance(reader, PostgresStore):
        return PostgresChanges(reader.url, connect_timeout=reader.connect_timeout)
    if isinstance(reader, SqliteJournal):
        try:
            return SqliteChanges(reader.path)
        except sqlite3.Error as exc:
            log.warning("cannot watch %s for new events (%s); looking at it every poll instead", reader.path, exc)
    return None
