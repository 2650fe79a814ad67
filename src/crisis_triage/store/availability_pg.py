"""Shared availability on a centre's PostgreSQL: every console and the board on one truth.

A change commits with ``NOTIFY <schema>_centre``; :meth:`PostgresAvailability.wait_for_change`
listens on its own connection and falls back to polling the version row when LISTEN is not possible
(a pooler in transaction mode drops notifications). The tables sit beside the events in the store's
schema; a trigger on the events table notifies the board when consoles ship new events.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..engine.units import Assignment, OutOfService, UnitStates
from .availability import AvailabilityError, AvailabilityStore, _utc, _utc_at, table_script
from .postgres import CONNECT_TIMEOUT_S, PostgresStore, split_url

STATEMENT_TIMEOUT_MS = 3000
"""A change the server has not made within this is abandoned: the console goes offline and decides locally."""


#: The claim decided on the server in one call, so the store-wide lock is held for microseconds, not
#: for a client's round trips. Same rules as :meth:`AvailabilityStore._claim_in` (the SQLite path).
CLAIM_FUNCTION = """
CREATE OR REPLACE FUNCTION {s}.claim_unit(p_call text, p_units text[], p_expected timestamptz[],
                                          p_at timestamptz, p_console text)
RETURNS TABLE (out_unit text, out_held boolean) LANGUAGE plpgsql AS $$
DECLARE
    v_version bigint;
    v_capacity integer;
    i integer;
BEGIN
    -- The store-wide change lock. An advisory lock, not a row lock: a claim that finds every unit
    -- taken writes nothing, so its commit does not wait for a WAL flush.
    PERFORM pg_advisory_xact_lock(hashtext('{s}_centre'));
    FOR i IN 1 .. coalesce(array_length(p_units, 1), 0) LOOP
        IF EXISTS (SELECT 1 FROM {s}.assignments a
                   WHERE a.call_id = p_call AND a.unit_id = p_units[i] AND a.cleared_at IS NULL) THEN
            RETURN QUERY SELECT p_units[i], true;
            RETURN;
        END IF;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_units, 1), 0) LOOP
        SELECT u.capacity INTO v_capacity FROM {s}.units u WHERE u.unit_id = p_units[i];
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown unit "%": register the centre file first', p_units[i];
        END IF;
        CONTINUE WHEN EXISTS (SELECT 1 FROM {s}.out_of_service o WHERE o.unit_id = p_units[i]);
        CONTINUE WHEN (SELECT count(*) FROM {s}.assignments a
                       WHERE a.unit_id = p_units[i] AND a.cleared_at IS NULL) >= v_capacity;
        UPDATE {s}.centre_state SET version = version + 1 RETURNING version INTO v_version;
        PERFORM pg_notify('{s}_centre', v_version::text);
        INSERT INTO {s}.assignments (call_id, unit_id, status, since, expected_clear, console_id)
        VALUES (p_call, p_units[i], 'dispatched', p_at, p_expected[i], p_console)
        ON CONFLICT (call_id, unit_id) DO UPDATE SET status = 'dispatched', since = excluded.since,
            expected_clear = excluded.expected_clear, console_id = excluded.console_id, cleared_at = NULL;
        RETURN QUERY SELECT p_units[i], false;
        RETURN;
    END LOOP;
    RETURN QUERY SELECT NULL::text, false;
END $$
"""


class PostgresAvailability(AvailabilityStore):
    """Availability in the centre store at ``url`` (``?schema=`` as for the record store)."""

    def __init__(
        self, url: str, *, connect_timeout: float = CONNECT_TIMEOUT_S, poll_s: float = 0.25, listen: bool = True
    ):
        self.url = url
        self.conninfo, self.schema = split_url(url)
        self.prefix = f"{self.schema}."
        self.channel = f"{self.schema}_centre"
        self.connect_timeout = connect_timeout
        self.poll_s = poll_s
        self.listen = listen
        """False: never LISTEN, poll the version row (as behind a pooler that drops notifications)."""
        self._conn: Any = None
        self._listener = None
        self._lock = threading.RLock()
        self._ready = False

    # -- connections -----------------------------------------------------------------------------
    def _connect(self, *, autocommit: bool):
        from .postgres import connect

        conn = connect(
            self.conninfo,
            timeout_s=self.connect_timeout,
            autocommit=autocommit,
            application_name="crisis-triage centre",
        )
        conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
        if not autocommit:
            conn.commit()
        return conn

    def connection(self):
        """The open connection (creating the tables on first use); raises psycopg.Error."""
        if self._conn is None or self._conn.closed:
            self._conn = self._connect(autocommit=False)
            if not self._ready:
                self._migrate()
                self._ready = True
        return self._conn

    def _migrate(self) -> None:
        conn = self._conn
        s = self.schema
        with conn.transaction():
            signature = f"{s}.claim_unit(text, text[], timestamptz[], timestamptz, text)"
            if conn.execute("SELECT to_regprocedure(%s)", (signature,)).fetchone()[0] is not None:
                return  # made already (and a console's role may not create anything: store/roles.py)
        # The record store's own tables first: the notify trigger hangs on its events table.
        records = PostgresStore(self.url, connect_timeout=self.connect_timeout)
        try:
            records.connection()
        finally:
            records.close()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"crisis_triage_centre:{s}",))
            for statement in table_script(self.prefix, "timestamptz"):
                conn.execute(statement)
            conn.execute(
                f"INSERT INTO {s}.centre_state (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM {s}.centre_state)"
            )
            conn.execute(
                f"CREATE OR REPLACE FUNCTION {s}.notify_events() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN PERFORM pg_notify('{s}_events', ''); RETURN NULL; END $$"
            )
            conn.execute(CLAIM_FUNCTION.replace("{s}", s))
            conn.execute(f"DROP TRIGGER IF EXISTS events_notify ON {s}.events")
            conn.execute(
                f"CREATE TRIGGER events_notify AFTER INSERT ON {s}.events "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.notify_events()"
            )

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            conn = self.connection()
            try:
                with conn.transaction(), conn.cursor() as cursor:
                    yield cursor
            except Exception:
                if conn.broken or conn.closed:
                    self._drop()
                raise

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def _claim_in(self, cursor, call_id, candidates, at, console_id):
        import psycopg

        try:
            row = cursor.execute(
                f"SELECT * FROM {self.schema}.claim_unit(%s, %s, %s, %s, %s)",
                (call_id, [u for u, _ in candidates], [e for _, e in candidates], at, console_id),
            ).fetchone()
        except psycopg.errors.RaiseException as exc:
            raise AvailabilityError(exc.diag.message_primary or str(exc)) from None
        return row[0], bool(row[1])

    def _states(self, cursor: Any) -> UnitStates:
        """The whole picture in one round trip (every console reads it after every change)."""
        s = self.schema
        version, assignments, out = cursor.execute(
            f"SELECT (SELECT version FROM {s}.centre_state), "
            f"(SELECT coalesce(json_agg(json_build_array(call_id, unit_id, status, since, expected_clear, console_id) "
            f"ORDER BY since, call_id), '[]') FROM {s}.assignments WHERE cleared_at IS NULL), "
            f"(SELECT coalesce(json_agg(json_build_array(unit_id, reason, since, expected_return, marked_by)), '[]') "
            f"FROM {s}.out_of_service)"
        ).fetchone()
        return UnitStates(
            tuple(Assignment(a[0], a[1], a[2], _utc_at(a[3]), _utc(a[4]), a[5] or "") for a in assignments),
            {o[0]: OutOfService(o[0], o[1], _utc_at(o[2]), _utc(o[3]), o[4] or "") for o in out},
            version,
        )

    def _bump(self, cursor: Any) -> int:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.channel,))
        return super()._bump(cursor)

    def _notify(self, cursor: Any, version: int) -> None:
        cursor.execute("SELECT pg_notify(%s, %s)", (self.channel, str(version)))

    def _sql(self, text: str) -> str:
        return text.replace("{p}", self.prefix)

    def close(self) -> None:
        with self._lock:
            self._drop()
        self._close_listener()

    # -- watching ----------------------------------------------------------------------------------
    def wait_for_change(self, seen_version: int, timeout_s: float, *, events: bool = False) -> int:
        """Block until something changes after ``seen_version`` (or ``timeout_s``); return the version now.

        Listens on ``<schema>_centre`` (and on ``<schema>_events`` with ``events=True``: the board
        wakes for new call events too); when LISTEN is not possible the version row is polled every
        ``poll_s``. Raises psycopg.Error when the server is unreachable.
        """
        deadline = time.monotonic() + timeout_s
        version = self.version()
        if version != seen_version:
            return version
        listener = self._listening(events)
        if listener is not None:
            # A change committed before LISTEN took effect sends nothing this listener hears: look again.
            version = self.version()
            if version != seen_version:
                return version
            try:
                for _ in listener.notifies(timeout=timeout_s, stop_after=1):
                    break
                return self.version()
            except Exception:
                self._close_listener()
        while time.monotonic() < deadline:
            time.sleep(min(self.poll_s, max(0.0, deadline - time.monotonic())))
            version = self.version()
            if version != seen_version:
                return version
        return version

    def _listening(self, events: bool):
        """The LISTEN connection, or None when it cannot be had (then the caller polls)."""
        if not self.listen:
            return None
        if self._listener is None or self._listener.closed:
            try:
                listener = self._connect(autocommit=True)
                listener.execute(f"LISTEN {self.channel}")
                if events:
                    listener.execute(f"LISTEN {self.schema}_events")
            except Exception:
                return None
            self._listener = listener
        return self._listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception:
                pass
