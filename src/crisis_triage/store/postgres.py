"""A centre's shared record store in PostgreSQL: every console's events, idempotent by event id.

Consoles never write here directly during a call: they journal locally and a background
:class:`~crisis_triage.store.shipper.Shipper` sends batches with ``ON CONFLICT (event_id) DO
NOTHING``, so re-sending after a timeout or a crash never duplicates an event. Supervisors, quality
review and the evaluator read from here (``records list/show/export``, ``report``).

Tables live in their own schema (``crisis_triage`` unless the URL says ``?schema=name``), with a
versioned migration table, so the store can share a database with other systems (and tests can
use a throwaway schema each).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .journal import CallMeta, CallSummary, JournalError, StoredEvent
from .rows import COLUMNS, meta_from_row, stored_from_row, to_row

DEFAULT_SCHEMA = "crisis_triage"
CONNECT_TIMEOUT_S = 3

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: (version reached, SQL with {schema} for the schema name). Append only.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE {schema}.events (
            event_id text PRIMARY KEY,
            call_id text NOT NULL,
            sequence integer NOT NULL,
            at timestamptz NOT NULL,
            console_id text NOT NULL,
            call_taker_id text NOT NULL,
            protocol_id text NOT NULL,
            protocol_version text NOT NULL,
            protocol_sha256 text NOT NULL,
            protocol_file text NOT NULL DEFAULT '',
            practice boolean NOT NULL DEFAULT false,
            kind text NOT NULL,
            event jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (call_id, sequence)
        );
        CREATE INDEX events_at ON {schema}.events (at);
        -- An event that clashes with a different stored event (same call and sequence, another id)
        -- is a bug somewhere; it is kept here for a person to look at, never dropped.
        CREATE TABLE {schema}.rejected_events (
            event_id text PRIMARY KEY,
            row jsonb NOT NULL,
            error text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE VIEW {schema}.calls AS
            SELECT call_id,
                   (array_agg(console_id ORDER BY sequence))[1] AS console_id,
                   (array_agg(call_taker_id ORDER BY sequence))[1] AS call_taker_id,
                   (array_agg(protocol_id ORDER BY sequence))[1] AS protocol_id,
                   (array_agg(protocol_version ORDER BY sequence))[1] AS protocol_version,
                   (array_agg(protocol_sha256 ORDER BY sequence))[1] AS protocol_sha256,
                   (array_agg(protocol_file ORDER BY sequence))[1] AS protocol_file,
                   bool_or(practice) AS practice,
                   min(at) AS started_at,
                   max(at) AS last_at,
                   count(*) AS events,
                   max(event->>'outcome') FILTER (WHERE kind = 'call_ended') AS ended
            FROM {schema}.events GROUP BY call_id;
    """,
    ),
    (
        2,
        """
        -- The follow-up queue and the active responses read these few kinds of event on their own.
        CREATE INDEX events_by_kind ON {schema}.events (kind);
    """,
    ),
    (
        3,
        """
        -- The follow-up queue's rows, in the order it reads them, with what it reads.
        CREATE INDEX events_followups ON {schema}.events (call_id, sequence) INCLUDE (console_id, kind, event)
            WHERE kind IN ('follow_up_scheduled', 'follow_up_attempt') AND NOT practice;
    """,
    ),
)
LATEST = MIGRATIONS[-1][0]


def split_url(url: str) -> tuple[str, str]:
    """(connection URL for libpq, schema name): ``?schema=`` is ours, not libpq's, so it is taken out."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = DEFAULT_SCHEMA
    kept = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    if not _IDENT.match(schema):
        raise JournalError(f'schema "{schema}" in the store URL must be lower-case letters, digits and _')
    return urlunsplit(parts._replace(query=urlencode(kept))), schema


def events_channel(schema: str) -> str:
    """The channel notified with a call's id whenever events of that call are stored (``eido serve``
    listens: store/event_feed.py). Cut to PostgreSQL's 63-byte names, as LISTEN cuts it."""
    return f"{schema}_event_calls"[:63]


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def connect(conninfo: str, *, timeout_s: float, autocommit: bool, application_name: str, idle_s: int = 5) -> Any:
    """A psycopg connection with TCP keepalives, so a server that vanished without closing the
    connection is noticed within about ``idle_s`` + 6 seconds (every store, watcher and listener
    opens its connections here)."""
    import psycopg

    return psycopg.connect(
        conninfo,
        connect_timeout=max(1, int(timeout_s)),
        autocommit=autocommit,
        application_name=application_name,
        keepalives=1,
        keepalives_idle=idle_s,
        keepalives_interval=2 if idle_s <= 5 else 3,
        keepalives_count=2 if idle_s <= 5 else 3,
    )


class PostgresStore:
    """Reads and idempotent batch writes on a centre's PostgreSQL store. One connection, not thread-safe."""

    def __init__(
        self, url: str, *, connect_timeout: float = CONNECT_TIMEOUT_S, statement_timeout_s: float | None = None
    ):
        """``statement_timeout_s`` bounds every statement (the shipper sets it, so a server that
        accepts a connection and then hangs cannot hold a batch forever); readers leave it unset."""
        self.url = url
        self.conninfo, self.schema = split_url(url)
        self.connect_timeout = connect_timeout
        self.statement_timeout_s = statement_timeout_s
        self._conn: Any = None
        self._migrated = False

    # -- connection ----------------------------------------------------------------------------
    def connection(self) -> Any:
        """The open connection (opening and migrating on first use); raises psycopg.Error."""
        if self._conn is None or self._conn.closed:
            self._conn = conn = connect(
                self.conninfo,
                timeout_s=self.connect_timeout,
                autocommit=False,
                application_name="crisis-triage",
                idle_s=10,
            )
            if self.statement_timeout_s:
                conn.execute(f"SET statement_timeout = {int(self.statement_timeout_s * 1000)}")
                conn.commit()
            if not self._migrated:
                self._migrate(self._conn)
                self._migrated = True
        return self._conn

    def _migrate(self, conn) -> None:
        s = self.schema
        if self._up_to_date(conn):
            return  # a console's role may not create anything (see store/roles.py): nothing to create
        with conn.transaction():
            # One migrator at a time across every console starting at once.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"crisis_triage_migrate:{s}",))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {s}.schema_version (version integer NOT NULL)")
            row = conn.execute(f"SELECT max(version) FROM {s}.schema_version").fetchone()
            current = row[0] or 0
            if current > LATEST:
                raise JournalError(
                    f"the centre store schema {s} is at version {current}, newer than this "
                    f"crisis-triage knows ({LATEST}); upgrade crisis-triage"
                )
            for version, script in MIGRATIONS:
                if version > current:
                    conn.execute(script.format(schema=s))
                    conn.execute(f"INSERT INTO {s}.schema_version (version) VALUES (%s)", (version,))

    def _up_to_date(self, conn) -> bool:
        s = self.schema
        with conn.transaction():
            if conn.execute("SELECT to_regclass(%s)", (f"{s}.schema_version",)).fetchone()[0] is None:
                return False
            return conn.execute(f"SELECT max(version) FROM {s}.schema_version").fetchone()[0] == LATEST

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    # -- writing -------------------------------------------------------------------------------
    def insert_rows(self, rows: list[dict[str, Any]]) -> int:
        """Store rows (see :mod:`rows`) idempotently in one transaction; return how many were new.

        Raises psycopg.Error when the server cannot be reached; the caller retries later.
        """
        import psycopg

        if not rows:
            return 0
        conn = self.connection()
        columns = ", ".join(COLUMNS)
        sql = (
            f"INSERT INTO {self.schema}.events ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
            "ON CONFLICT (event_id) DO NOTHING"
        )
        values = [[bool(r[c]) if c == "practice" else r[c] for c in COLUMNS] for r in rows]
        try:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(sql, values)
                added = max(cursor.rowcount, 0)
                if added:
                    self._notify_calls(cursor, {r["call_id"] for r in rows})
                return added
        except psycopg.errors.IntegrityError:
            return self._insert_one_by_one(sql, rows, values)

    def _notify_calls(self, cursor: Any, call_ids: set[str]) -> None:
        """Tell listeners which calls gained events (sent on commit, one per call however many events)."""
        cursor.execute(
            "SELECT pg_notify(%s, call_id) FROM unnest(%s::text[]) AS call_id",
            (events_channel(self.schema), sorted(call_ids)),
        )

    def insert_if_free(self, meta: CallMeta, record: StoredEvent) -> bool:
        """Store ``record`` unless its id or its (call, sequence) is taken; False if taken (the caller
        picks the next sequence and tries again). Used by writers outside the call's console."""
        row = to_row(meta, record)
        sql = (
            f"INSERT INTO {self.schema}.events ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
            "ON CONFLICT DO NOTHING"
        )
        conn = self.connection()
        with conn.transaction(), conn.cursor() as cursor:
            stored = cursor.execute(sql, [row[c] for c in COLUMNS]).rowcount == 1
            if stored:
                self._notify_calls(cursor, {meta.call_id})
            return stored

    def followup_rows(self) -> list[tuple[Any, ...]]:
        """The follow-up queue's rows (store/followups.py): (call_id, console_id, kind, rule, at, due,
        outcome), the fields taken out of the events' JSON by the server, found through the partial
        index on the follow-up events (schema 3); plain tuples (no dict per row: ten thousand rows)."""
        conn = self.connection()
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute(
                f"SELECT call_id, console_id, kind, event->>'rule', event->>'at', event->>'due', event->>'outcome' "
                f"FROM {self.schema}.events "
                "WHERE kind IN ('follow_up_scheduled', 'follow_up_attempt') AND NOT practice ORDER BY call_id, sequence"
            )
            return cursor.fetchall()

    def _insert_one_by_one(self, sql: str, rows: list[dict[str, Any]], values: list[list[Any]]) -> int:
        """Slow path after a clash: store every row that fits, quarantine the ones that clash."""
        import psycopg

        conn = self.connection()
        added = 0
        for row, value in zip(rows, values):
            try:
                with conn.transaction(), conn.cursor() as cursor:
                    if cursor.execute(sql, value).rowcount:
                        added += 1
                        self._notify_calls(cursor, {row["call_id"]})
            except psycopg.errors.IntegrityError as exc:
                with conn.transaction():
                    conn.execute(
                        f"INSERT INTO {self.schema}.rejected_events (event_id, row, error) VALUES (%s, %s, %s) "
                        "ON CONFLICT (event_id) DO NOTHING",
                        (row["event_id"], json.dumps(row), str(exc)),
                    )
        return added

    # -- reading (supervisors, review, export, report) -----------------------------------------
    def _rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        conn = self.connection()
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self) -> tuple[int, int]:
        row = self._rows(f"SELECT count(DISTINCT call_id) AS calls, count(*) AS events FROM {self.schema}.events")[0]
        return row["calls"], row["events"]

    def has_call(self, call_id: str) -> bool:
        return bool(self._rows(f"SELECT 1 FROM {self.schema}.events WHERE call_id = %s LIMIT 1", (call_id,)))

    def meta(self, call_id: str) -> CallMeta:
        rows = self._rows(
            f"SELECT * FROM {self.schema}.events WHERE call_id = %s ORDER BY sequence LIMIT 1", (call_id,)
        )
        if not rows:
            raise KeyError(call_id)
        return meta_from_row(rows[0])

    def stored_events(self, call_id: str) -> list[StoredEvent]:
        rows = self._rows(
            f"SELECT event_id, call_id, sequence, event FROM {self.schema}.events WHERE call_id = %s ORDER BY sequence",
            (call_id,),
        )
        return [stored_from_row(r) for r in rows]

    def events(self, call_id: str):
        return [s.event for s in self.stored_events(call_id)]

    def calls(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        console_id: str | None = None,
        limit: int | None = None,
        newest_first: bool = True,
        unfinished: bool = False,
    ) -> list[CallSummary]:
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("started_at >= %s")
            params.append(since)
        if until is not None:
            clauses.append("started_at < %s")
            params.append(until)
        if console_id is not None:
            clauses.append("console_id = %s")
            params.append(console_id)
        if unfinished:
            clauses.append("ended IS NULL")
        sql = f"SELECT * FROM {self.schema}.calls" + (" WHERE " + " AND ".join(clauses) if clauses else "")
        sql += f" ORDER BY started_at {'DESC' if newest_first else 'ASC'}, call_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [
            CallSummary(meta_from_row(r), r["started_at"], r["last_at"], r["events"], r["ended"])
            for r in self._rows(sql, params)
        ]

    def unfinished_calls(self, console_id: str | None = None) -> list[CallSummary]:
        return self.calls(console_id=console_id, unfinished=True, newest_first=False)

    def iter_rows(self, call_ids: list[str] | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Every event row, by call start then sequence, streamed with a server-side cursor."""
        from psycopg.rows import dict_row

        conn = self.connection()
        columns = ", ".join(f"e.{c}" for c in COLUMNS)
        where = "WHERE e.call_id = ANY(%s)" if call_ids is not None else ""
        sql = (
            f"SELECT {columns}, e.event::text AS event_text FROM {self.schema}.events e "
            f"JOIN (SELECT call_id, min(at) AS started FROM {self.schema}.events GROUP BY call_id) c USING (call_id) "
            f"{where} ORDER BY c.started, e.call_id, e.sequence"
        )
        with conn.transaction(), conn.cursor(name="crisis_triage_export", row_factory=dict_row) as cursor:
            cursor.itersize = batch
            cursor.execute(sql, (call_ids,) if call_ids is not None else ())
            for row in cursor:
                row["event"] = row.pop("event_text")
                row["at"] = row["at"].isoformat()
                yield row

    def purge(self, before: datetime) -> tuple[int, int]:
        """Delete finished calls whose last event is before ``before``; return (calls, events)."""
        conn = self.connection()
        with conn.transaction():
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT call_id FROM {self.schema}.calls WHERE ended IS NOT NULL AND last_at < %s", (before,)
                )
            ]
            deleted = conn.execute(f"DELETE FROM {self.schema}.events WHERE call_id = ANY(%s)", (ids,)).rowcount
        return len(ids), deleted

    def drop_schema(self) -> None:
        """Remove the whole schema (tests clean up their throwaway schema with this)."""
        conn = self.connection()
        with conn.transaction():
            conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self._migrated = False
