"""Shared unit availability: who is on which call, who is out of service, one transaction per change.

The same SQL runs on PostgreSQL (a centre: every console and the board share it) and on SQLite (one
console on its own). Every change happens in one transaction that first bumps the store's version
row: that row lock makes changes one at a time, so two consoles racing for the last free unit never
both get it: the second sees the first's assignment and is told who holds the unit. Readers take a
:class:`~crisis_triage.engine.units.UnitStates` snapshot; the engine decides from it.

Backends: :mod:`.availability_pg` (LISTEN/NOTIFY) and :mod:`.availability_sqlite` (polling).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..engine.units import ACTIVE_STATUSES, Assignment, OutOfService, UnitStates
from ..protocol.centre import Centre

#: Statuses a unit's assignment may be moved to; ``cleared`` ends it.
STATUSES = (*ACTIVE_STATUSES, "cleared")

#: A response status reported for a call (engine/events_response.py) as the state of its units.
UNIT_STATUS = {
    "en_route": "en_route",
    "on_scene": "on_scene",
    "contact_made": "on_scene",
    "unable_to_locate": "on_scene",
    "cleared": "cleared",
}


class AvailabilityError(Exception):
    """A request the store refuses (unknown unit, unknown status); the message says why."""


@dataclass(frozen=True)
class Claim:
    """What the transaction decided for one dispatch."""

    unit_id: str | None
    """The unit this call now holds, or None when every candidate was taken."""
    states: UnitStates | None
    """For a claim that found no free unit: the units just after, to say who holds them."""
    already_held: bool = False
    """The call held this unit already (accepting twice is never two dispatches)."""


@dataclass(frozen=True)
class Consultation:
    call_id: str
    supervisor: str
    at: datetime


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc_at(value: Any) -> datetime:
    """A NOT NULL time column (since, at) as an aware UTC datetime."""
    moment = _utc(value)
    if moment is None:
        raise AvailabilityError("a required time is missing in the centre's availability tables")
    return moment


class AvailabilityStore(abc.ABC):
    """Operations on shared availability; a backend supplies the connection and the SQL dialect."""

    #: The prefix before table names (``schema.`` on PostgreSQL, nothing on SQLite).
    prefix = ""

    # -- backend hooks -------------------------------------------------------------------------
    @abc.abstractmethod
    def _transaction(self) -> AbstractContextManager[Any]:
        """A context manager yielding a cursor inside one transaction (committed on exit)."""

    def _reading(self) -> AbstractContextManager[Any]:
        """A transaction for reading only (a backend may take a lighter lock)."""
        return self._transaction()

    @abc.abstractmethod
    def _notify(self, cursor: Any, version: int) -> None:
        """Tell listeners the version moved (inside the transaction: sent on commit)."""

    @abc.abstractmethod
    def _sql(self, text: str) -> str:
        """``text`` with ``{p}`` table prefixes and ``%s`` placeholders in this backend's dialect."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def wait_for_change(self, seen_version: int, timeout_s: float, *, events: bool = False) -> int:
        """Block until the version moves past ``seen_version`` or ``timeout_s`` passes; the version now."""

    # -- helpers -------------------------------------------------------------------------------
    def _run(self, cursor: Any, text: str, params: Sequence[Any] = ()) -> Any:
        cursor.execute(self._sql(text), tuple(params))
        return cursor

    def _bump(self, cursor: Any) -> int:
        """Take the store-wide change lock and move the version; every writer starts here."""
        version = self._run(cursor, "UPDATE {p}centre_state SET version = version + 1 RETURNING version").fetchone()[0]
        self._notify(cursor, version)
        return version

    def _states(self, cursor: Any) -> UnitStates:
        version = self._run(cursor, "SELECT version FROM {p}centre_state").fetchone()[0]
        assignments = tuple(
            Assignment(r[0], r[1], r[2], _utc_at(r[3]), _utc(r[4]), r[5] or "")
            for r in self._run(
                cursor,
                "SELECT call_id, unit_id, status, since, expected_clear, console_id FROM {p}assignments "
                "WHERE cleared_at IS NULL ORDER BY since, call_id",
            ).fetchall()
        )
        out = {
            r[0]: OutOfService(r[0], r[1], _utc_at(r[2]), _utc(r[3]), r[4] or "")
            for r in self._run(
                cursor, "SELECT unit_id, reason, since, expected_return, marked_by FROM {p}out_of_service"
            ).fetchall()
        }
        return UnitStates(assignments, out, version)

    # -- reading -------------------------------------------------------------------------------
    def snapshot(self) -> UnitStates:
        """Every unit's state now, with the version it was read at."""
        with self._reading() as cursor:
            return self._states(cursor)

    def version(self) -> int:
        with self._reading() as cursor:
            return self._run(cursor, "SELECT version FROM {p}centre_state").fetchone()[0]

    def consultations(self) -> list[Consultation]:
        with self._reading() as cursor:
            rows = self._run(cursor, "SELECT call_id, supervisor, at FROM {p}consultations ORDER BY at").fetchall()
        return [Consultation(r[0], r[1], _utc_at(r[2])) for r in rows]

    # -- writing -------------------------------------------------------------------------------
    def register_units(self, centre: Centre) -> None:
        """Make the store know every unit of ``centre`` (idempotent: every console does it at start)."""
        with self._transaction() as cursor:
            self._bump(cursor)
            for unit in centre.units.values():
                self._run(
                    cursor,
                    "INSERT INTO {p}units (unit_id, model, name, capacity) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (unit_id) DO UPDATE SET model = excluded.model, name = excluded.name, "
                    "capacity = excluded.capacity",
                    (unit.id, unit.model, unit.name, unit.capacity),
                )

    def claim(
        self,
        call_id: str,
        candidates: Sequence[tuple[str, datetime | None]],
        *,
        at: datetime,
        console_id: str = "",
        explain: bool = True,
    ) -> Claim:
        """Give ``call_id`` the first free unit of ``candidates`` ((unit id, expected clear), preferred first).

        One transaction decides: a unit already at capacity or out of service is skipped; if the call
        holds one of the candidates already, that one is returned and nothing new is written. When
        none is free, the claim carries the states read just after, to say who holds them (unless
        ``explain`` is False: a caller that reads the states itself saves the round trip).
        """
        with self._transaction() as cursor:
            unit_id, held = self._claim_in(cursor, call_id, list(candidates), at, console_id)
        if unit_id is None:
            return Claim(None, self.snapshot() if explain else None)
        return Claim(unit_id, None, already_held=held)

    def _claim_in(
        self, cursor: Any, call_id: str, candidates: list[tuple[str, datetime | None]], at: datetime, console_id: str
    ) -> tuple[str | None, bool]:
        """The decision, inside the transaction (PostgreSQL does it in one server-side call)."""
        self._bump(cursor)  # BEGIN IMMEDIATE has the write lock already; the bump tells watchers
        ids = [unit_id for unit_id, _ in candidates]
        held = {
            row[0]
            for row in self._run(
                cursor, "SELECT unit_id FROM {p}assignments WHERE call_id = %s AND cleared_at IS NULL", (call_id,)
            ).fetchall()
        }
        for unit_id in ids:  # the preferred one first, as the server-side function does
            if unit_id in held:
                return unit_id, True
        for unit_id, expected in candidates:
            row = self._run(
                cursor,
                "SELECT u.capacity, (SELECT count(*) FROM {p}assignments a "
                "WHERE a.unit_id = u.unit_id AND a.cleared_at IS NULL), "
                "(SELECT count(*) FROM {p}out_of_service o WHERE o.unit_id = u.unit_id) "
                "FROM {p}units u WHERE u.unit_id = %s",
                (unit_id,),
            ).fetchone()
            if row is None:
                raise AvailabilityError(f'unknown unit "{unit_id}": register the centre file first')
            capacity, busy, out = row
            if out or busy >= capacity:
                continue
            self._run(cursor, ASSIGN, (call_id, unit_id, self._time(at), self._time(expected), console_id))
            return unit_id, False
        return None, False

    def set_status(self, call_id: str, unit_id: str, status: str, *, at: datetime) -> bool:
        """Move a unit on a call to ``status`` (en_route, on_scene, cleared); False if it is not on that call."""
        if status not in STATUSES:
            raise AvailabilityError(f'unknown unit status "{status}"; expected one of {", ".join(STATUSES)}')
        with self._transaction() as cursor:
            self._bump(cursor)
            if status == "cleared":
                sql = "UPDATE {p}assignments SET cleared_at = %s WHERE call_id = %s AND unit_id = %s"
                params: tuple = (self._time(at), call_id, unit_id)
            else:
                sql = "UPDATE {p}assignments SET status = %s WHERE call_id = %s AND unit_id = %s"
                params = (status, call_id, unit_id)
            return self._run(cursor, sql + " AND cleared_at IS NULL", params).rowcount > 0

    def follow_response(self, call_id: str, status: str, *, at: datetime, except_models: Sequence[str] = ()) -> int:
        """Move the units on ``call_id`` as a response status reported for the call says (a dispatcher's
        system through ``records update``, as the console does for its own); return how many moved.

        ``except_models``: units of these models stay as they are (the call line's seat is freed by
        the handoff's end, not by the field team's status). A status with no unit meaning moves none.
        """
        unit_status = UNIT_STATUS.get(status)
        if unit_status is None:
            return 0
        with self._transaction() as cursor:
            self._bump(cursor)
            if unit_status == "cleared":
                change, params = "cleared_at = %s", [self._time(at)]
            else:
                change, params = "status = %s", [unit_status]
            skip = "".join(", %s" for _ in except_models)
            return self._run(
                cursor,
                f"UPDATE {{p}}assignments SET {change} WHERE call_id = %s AND cleared_at IS NULL "
                f"AND unit_id NOT IN (SELECT unit_id FROM {{p}}units WHERE model IN (''{skip}))",
                [*params, call_id, *except_models],
            ).rowcount

    def release_call(self, call_id: str, *, at: datetime) -> int:
        """Clear every unit on ``call_id`` (a handoff ended, a dispatch withdrawn); return how many."""
        with self._transaction() as cursor:
            self._bump(cursor)
            return self._run(
                cursor,
                "UPDATE {p}assignments SET cleared_at = %s WHERE call_id = %s AND cleared_at IS NULL",
                (self._time(at), call_id),
            ).rowcount

    def set_out_of_service(
        self, unit_id: str, reason: str, *, at: datetime, expected_return: datetime | None = None, by: str = ""
    ) -> None:
        """Take a unit out of service with why and until when (shown on every console and the board)."""
        if not reason.strip():
            raise AvailabilityError("say why the unit is out of service")
        with self._transaction() as cursor:
            self._bump(cursor)
            if not self._run(cursor, "SELECT 1 FROM {p}units WHERE unit_id = %s", (unit_id,)).fetchone():
                raise AvailabilityError(f'unknown unit "{unit_id}"')
            self._run(
                cursor,
                "INSERT INTO {p}out_of_service (unit_id, reason, since, expected_return, marked_by) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (unit_id) DO UPDATE SET reason = excluded.reason, "
                "since = excluded.since, expected_return = excluded.expected_return, marked_by = excluded.marked_by",
                (unit_id, reason.strip(), self._time(at), self._time(expected_return), by),
            )

    def return_to_service(self, unit_id: str) -> bool:
        with self._transaction() as cursor:
            self._bump(cursor)
            return self._run(cursor, "DELETE FROM {p}out_of_service WHERE unit_id = %s", (unit_id,)).rowcount > 0

    def record_consultation(self, call_id: str, supervisor: str, *, at: datetime) -> None:
        """A supervisor consulted on a call (the console holding the call journals it)."""
        with self._transaction() as cursor:
            self._bump(cursor)
            self._run(
                cursor,
                "INSERT INTO {p}consultations (call_id, supervisor, at) VALUES (%s, %s, %s) "
                "ON CONFLICT (call_id, supervisor) DO NOTHING",
                (call_id, supervisor, self._time(at)),
            )

    def _time(self, value: datetime | None) -> Any:
        return value


ASSIGN = (
    "INSERT INTO {p}assignments (call_id, unit_id, status, since, expected_clear, console_id) "
    "VALUES (%s, %s, 'dispatched', %s, %s, %s) "
    "ON CONFLICT (call_id, unit_id) DO UPDATE SET status = 'dispatched', since = excluded.since, "
    "expected_clear = excluded.expected_clear, console_id = excluded.console_id, cleared_at = NULL"
)


def table_script(prefix: str, timestamp: str) -> Iterator[str]:
    """The tables, for either backend (``timestamp`` is its type for a moment in time)."""
    yield f"CREATE TABLE IF NOT EXISTS {prefix}centre_state (version bigint NOT NULL)"
    yield (
        f"CREATE TABLE IF NOT EXISTS {prefix}units (unit_id text PRIMARY KEY, model text NOT NULL, "
        "name text NOT NULL, capacity integer NOT NULL DEFAULT 1)"
    )
    yield (
        f"CREATE TABLE IF NOT EXISTS {prefix}assignments (call_id text NOT NULL, unit_id text NOT NULL "
        f"REFERENCES {prefix}units (unit_id), status text NOT NULL, since {timestamp} NOT NULL, "
        f"expected_clear {timestamp}, console_id text NOT NULL DEFAULT '', cleared_at {timestamp}, "
        "PRIMARY KEY (call_id, unit_id))"
    )
    yield f"CREATE INDEX IF NOT EXISTS assignments_active ON {prefix}assignments (unit_id) WHERE cleared_at IS NULL"
    yield (
        f"CREATE TABLE IF NOT EXISTS {prefix}out_of_service (unit_id text PRIMARY KEY REFERENCES "
        f"{prefix}units (unit_id), reason text NOT NULL, since {timestamp} NOT NULL, expected_return {timestamp}, "
        "marked_by text NOT NULL DEFAULT '')"
    )
    yield (
        f"CREATE TABLE IF NOT EXISTS {prefix}consultations (call_id text NOT NULL, supervisor text NOT NULL, "
        f"at {timestamp} NOT NULL, PRIMARY KEY (call_id, supervisor))"
    )
