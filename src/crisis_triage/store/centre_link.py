"""A console's live link to the centre's shared availability, and how it goes on when the centre is down.

A background thread keeps :attr:`CentreLink.states` current (LISTEN/NOTIFY or polling, see the
store) and calls ``on_change`` from that thread whenever the picture moves, the centre goes offline
or comes back. The console decides nothing here: it hands the states to :mod:`engine.units`.

When the store cannot be reached the console goes on: :attr:`offline_since` is set, claims are
decided against the last picture plus this console's own changes, and queued. When the store is
back the queue is replayed in order, each claim in its own transaction: a unit another console took
in the meantime is never given twice; the claim is reported in :attr:`conflicts` instead, for the
call-taker to confirm by radio.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ..engine.units import Assignment, OutOfService, UnitStates
from ..protocol.centre import Centre
from .availability import AvailabilityError, AvailabilityStore, Claim, Consultation

log = logging.getLogger("crisis_triage.centre")

WATCH_TIMEOUT_S = 1.0
RETRY_S = (0.2, 5.0)


@dataclass(frozen=True)
class Conflict:
    """A claim made while the centre was offline that another console won first."""

    call_id: str
    unit_id: str
    holder: str
    """The call that holds the unit now."""


@dataclass(frozen=True)
class _Pending:
    """One change made while offline, replayed on the store when it is back."""

    operation: str
    arguments: dict[str, Any]


class CentreLink:
    """Shared availability for one console (or the board): the picture, and the ways to change it."""

    def __init__(
        self,
        open_store: Callable[[], AvailabilityStore],
        centre: Centre,
        *,
        console_id: str,
        clock: Callable[[], datetime],
        on_change: Callable[[], None] | None = None,
        watch_events: bool = False,
        watch_timeout_s: float = WATCH_TIMEOUT_S,
    ):
        self.open_store = open_store
        self.centre = centre
        self.console_id = console_id
        self.clock = clock
        self.on_change = on_change or (lambda: None)
        self.watch_events = watch_events
        self.watch_timeout_s = watch_timeout_s
        """The picture is read again at least this often even if no notification comes."""
        self.states = UnitStates()
        self.offline_since: datetime | None = None
        self.conflicts: list[Conflict] = []
        self.consultations: list[Consultation] = []
        self._store: AvailabilityStore | None = None
        self._pending: list[_Pending] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crisis-triage-centre", daemon=True)
        self._registered = False

    # -- running -----------------------------------------------------------------------------------
    def start(self) -> CentreLink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=self.watch_timeout_s + 5)
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def _connected(self) -> AvailabilityStore:
        with self._lock:
            if self._store is None:
                self._store = self.open_store()
            if not self._registered:
                self._store.register_units(self.centre)
                self._registered = True
            return self._store

    def refresh(self) -> None:
        """Read the picture now (and replay what was queued offline); raises when the store is down."""
        store = self._connected()
        with self._lock:
            if self._pending:
                self._replay(store)
            states = store.snapshot()
            consultations = store.consultations()
            changed = (
                states.version != self.states.version
                or self.offline_since is not None
                or consultations != self.consultations
            )
            self.states, self.consultations = states, consultations
            was_offline, self.offline_since = self.offline_since, None
        if was_offline is not None:
            log.info("centre store reachable again")
        if changed:
            self.on_change()

    def _run(self) -> None:
        delay = RETRY_S[0]
        while not self._stopping.is_set():
            try:
                self.refresh()
                delay = RETRY_S[0]
                store = self._store
                if store is not None:
                    store.wait_for_change(self.states.version, self.watch_timeout_s, events=self.watch_events)
            except Exception as exc:
                self._went_offline(exc)
                self._stopping.wait(delay)
                delay = min(RETRY_S[1], delay * 2)

    def _went_offline(self, exc: BaseException) -> None:
        with self._lock:
            store, self._store = self._store, None
            if store is not None:
                try:
                    store.close()
                except Exception:
                    pass
            first = self.offline_since is None
            if first:
                self.offline_since = self.clock()
        if first:
            log.warning("centre store unreachable (%s): deciding availability locally", exc)
            self.on_change()

    # -- changing ----------------------------------------------------------------------------------
    def _attempt(self, operation: str, **arguments: Any) -> Any:
        """Do one change on the store; offline, apply it to the local picture and queue it."""
        if self.offline_since is None:
            try:
                result = getattr(self._connected(), operation)(**arguments)
            except AvailabilityError:
                raise
            except Exception as exc:
                self._went_offline(exc)
            else:
                self._thread_safe_refresh()
                return result
        with self._lock:
            result = self._apply_locally(operation, arguments)
            if operation == "claim":
                if result.unit_id is None or result.already_held:
                    return result  # nothing to send: the call-taker sees the fallback
                # Replayed for the unit the call-taker was told, not for the first free one then.
                expected = dict(arguments["candidates"])[result.unit_id]
                arguments = dict(arguments, candidates=[(result.unit_id, expected)])
            self._pending.append(_Pending(operation, arguments))
        self.on_change()
        return result

    def _thread_safe_refresh(self) -> None:
        try:
            self.refresh()
        except Exception as exc:
            self._went_offline(exc)

    def claim(self, call_id: str, candidates: list[tuple[str, datetime | None]], *, at: datetime) -> Claim:
        """The transaction's decision (or, offline, this console's best knowledge, queued)."""
        return self._attempt("claim", call_id=call_id, candidates=candidates, at=at, console_id=self.console_id)

    def set_status(self, call_id: str, unit_id: str, status: str, *, at: datetime) -> bool:
        return self._attempt("set_status", call_id=call_id, unit_id=unit_id, status=status, at=at)

    def release_call(self, call_id: str, *, at: datetime) -> int:
        return self._attempt("release_call", call_id=call_id, at=at)

    def set_out_of_service(
        self, unit_id: str, reason: str, *, at: datetime, expected_return: datetime | None = None, by: str = ""
    ) -> None:
        if unit_id not in self.centre.units:
            raise AvailabilityError(f'unknown unit "{unit_id}"')
        if not reason.strip():
            raise AvailabilityError("say why the unit is out of service")
        self._attempt(
            "set_out_of_service", unit_id=unit_id, reason=reason, at=at, expected_return=expected_return, by=by
        )

    def return_to_service(self, unit_id: str) -> bool:
        return self._attempt("return_to_service", unit_id=unit_id)

    def record_consultation(self, call_id: str, supervisor: str, *, at: datetime) -> None:
        self._attempt("record_consultation", call_id=call_id, supervisor=supervisor, at=at)

    # -- offline ------------------------------------------------------------------------------------
    def _apply_locally(self, operation: str, a: dict[str, Any]) -> Any:
        """The same change on the local picture, by the same rules as the store's transaction."""
        states = self.states
        assignments = list(states.assignments)
        out = dict(states.out_of_service)
        result: Any = None
        if operation == "claim":
            ids = [u for u, _ in a["candidates"]]
            holds = {x.unit_id for x in states.of_call(a["call_id"])}
            held = next((unit_id for unit_id in ids if unit_id in holds), None)  # the preferred one first
            if held is not None:
                return Claim(held, None, already_held=True)
            result = Claim(None, states)
            for unit_id, expected in a["candidates"]:
                unit = self.centre.units[unit_id]
                if unit_id not in out and len(states.on_unit(unit_id)) < unit.capacity:
                    assignments.append(
                        Assignment(a["call_id"], unit_id, "dispatched", a["at"], expected, self.console_id)
                    )
                    result = Claim(unit_id, None)
                    break
        elif operation == "set_status":
            match = [x for x in assignments if x.call_id == a["call_id"] and x.unit_id == a["unit_id"]]
            for x in match:
                assignments.remove(x)
                if a["status"] != "cleared":
                    assignments.append(replace(x, status=a["status"]))
            result = bool(match)
        elif operation == "release_call":
            result = len([x for x in assignments if x.call_id == a["call_id"]])
            assignments = [x for x in assignments if x.call_id != a["call_id"]]
        elif operation == "set_out_of_service":
            out[a["unit_id"]] = OutOfService(a["unit_id"], a["reason"], a["at"], a["expected_return"], a["by"])
        elif operation == "return_to_service":
            result = out.pop(a["unit_id"], None) is not None
        self.states = UnitStates(tuple(assignments), out, states.version)
        return result

    def _replay(self, store: AvailabilityStore) -> None:
        """Send what was done offline, in order; a claim another console won meanwhile is a conflict."""
        while self._pending:
            pending = self._pending[0]
            result = getattr(store, pending.operation)(**pending.arguments)
            if pending.operation == "claim" and result.unit_id is None:
                unit_id = pending.arguments["candidates"][0][0]
                holders = result.states.on_unit(unit_id) if result.states else []
                self.conflicts.append(
                    Conflict(pending.arguments["call_id"], unit_id, holders[0].call_id if holders else "?")
                )
            self._pending.pop(0)

    @property
    def pending(self) -> int:
        """Changes made offline, not yet in the centre store."""
        return len(self._pending)


def availability_opener(store_setting: str | None, folder: Any = None) -> Callable[[], AvailabilityStore]:
    """How to open the shared availability a console's ``store`` setting points at.

    A ``postgresql://`` URL: the centre's tables beside its records. Anything else: the embedded
    ``centre.sqlite3`` in the data folder (one console, or a console and a board on one machine).
    """
    from .opening import is_postgres_url

    if is_postgres_url(store_setting):
        from .availability_pg import PostgresAvailability

        return lambda: PostgresAvailability(store_setting)
    from pathlib import Path

    from ..config import data_dir
    from .availability_sqlite import SqliteAvailability

    path = Path(folder or data_dir()) / "centre.sqlite3"
    return lambda: SqliteAvailability(path)
