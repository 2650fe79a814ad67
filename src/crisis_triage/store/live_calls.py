"""The supervisor's picture of the centre: every live call, every unit, and what needs a supervisor.

Calls are rebuilt from the events the consoles ship (replayed through the engine, as everywhere),
units come from the shared availability. :func:`board_picture` is pure: the reading is done by
:func:`read_live_calls`, so the board, its tests and a wall display all see the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..engine import CallSession
from ..engine.events import AnyEvent, HandoffEnded
from ..engine.events_centre import SupervisorConsulted
from ..engine.units import UnitStates, why_busy
from ..engine.views import model_name
from ..protocol.centre import Centre
from ..protocol.compiled import Protocol
from .journal import CallMeta

LIVE_HOURS = 12
"""Calls started longer ago than this with no end are left to ``records list --unfinished``."""


@dataclass(frozen=True)
class LiveCall:
    """One call in progress, as the board lists it."""

    call_id: str
    console_id: str
    call_taker_id: str
    started_at: datetime
    door: str
    line: str
    language: str
    band: str
    band_rank: int
    recommended: str
    dispatched: str
    state: str
    consulted: bool


@dataclass(frozen=True)
class UnitRow:
    unit_id: str
    name: str
    model: str
    state: str
    """free, dispatched, en route, on scene, out of service, n/N busy."""
    detail: str


@dataclass(frozen=True)
class Alert:
    """Something a supervisor must see: ``kind`` is imminent, contact, departure, time, out_of_service."""

    kind: str
    subject: str
    """The call id or the unit id it is about."""
    text: str


@dataclass(frozen=True)
class BoardPicture:
    calls: tuple[LiveCall, ...]
    units: tuple[UnitRow, ...]
    alerts: tuple[Alert, ...]


def _live_call(
    protocol: Protocol, meta: CallMeta, events: Sequence[AnyEvent], states: UnitStates, consulted: set[str]
) -> LiveCall | None:
    try:
        session = CallSession.replay(protocol, events)
    except Exception:
        return None  # recorded with another protocol version: left to records show
    state = session.state
    if state.ended is not None:
        return None
    assessment = session.assessment
    bands = [b.id for b in protocol.document.risk.bands]
    band = assessment.risk.band
    accepted = state.accepted
    status = "questioning"
    if accepted is not None:
        handoff = protocol.document.handoff
        if handoff is not None and accepted[0] == handoff.model:
            status = "handoff" if not any(isinstance(e, HandoffEnded) for e in events) else "handed off"
        else:
            on_call = states.of_call(meta.call_id)
            status = on_call[0].status.replace("_", " ") if on_call else "dispatched"
    return LiveCall(
        call_id=meta.call_id,
        console_id=meta.console_id,
        call_taker_id=meta.call_taker_id,
        started_at=state.started_at,
        door=state.door or "-",
        line=state.line or "-",
        language=state.language,
        band=band,
        band_rank=bands.index(band) if band in bands else 0,
        # Once dispatched, what was recommended at that moment (a departure is judged against it).
        recommended=accepted[1] if accepted else assessment.recommendation.model,
        dispatched=accepted[0] if accepted else "",
        state=status,
        consulted=meta.call_id in consulted or any(isinstance(e, SupervisorConsulted) for e in events),
    )


def board_picture(
    protocol: Protocol,
    centre: Centre,
    calls: Iterable[tuple[CallMeta, Sequence[AnyEvent]]],
    states: UnitStates,
    consulted: set[str],
    now: datetime,
) -> BoardPicture:
    """Rows and alerts for the board at ``now`` (pure: everything comes in as arguments)."""
    tz = ZoneInfo(protocol.document.protocol.timezone)
    meta_of = centre.document.centre
    live = [c for meta, events in calls if (c := _live_call(protocol, meta, events, states, consulted)) is not None]
    top_band = protocol.document.risk.bands[-1].id
    alerts: list[Alert] = []
    for call in live:
        minutes = int((now - call.started_at).total_seconds() // 60)
        if call.band == top_band and not call.consulted:
            alerts.append(Alert("imminent", call.call_id, f"call {call.call_id}: imminent risk, consult a supervisor"))
        if call.dispatched and call.dispatched != call.recommended:
            alerts.append(
                Alert(
                    "departure",
                    call.call_id,
                    f"call {call.call_id}: sent {model_name(protocol, call.dispatched).split(' (')[0]}, "
                    f"recommended {model_name(protocol, call.recommended).split(' (')[0]}",
                )
            )
        if not call.dispatched and minutes >= meta_of.time_target_minutes:
            alerts.append(
                Alert("time", call.call_id, f"call {call.call_id}: {minutes} min without a dispatch or handoff")
            )
    confirm = timedelta(minutes=meta_of.contact_confirm_minutes)
    for assignment in states.assignments:
        if assignment.status in ("dispatched", "en_route") and now - assignment.since >= confirm:
            unit = centre.units.get(assignment.unit_id)
            name = unit.name if unit else assignment.unit_id
            alerts.append(
                Alert(
                    "contact",
                    assignment.call_id,
                    f"call {assignment.call_id}: {name} not on scene "
                    f"{int((now - assignment.since).total_seconds() // 60)} min after dispatch: confirm contact",
                )
            )
    units = []
    for unit in centre.units.values():
        out = states.out_of_service.get(unit.id)
        on = states.on_unit(unit.id)
        if out is not None:
            state = "out of service"
            alerts.append(Alert("out_of_service", unit.id, why_busy(unit, states, tz)))
        elif unit.capacity > 1:
            state = f"{len(on)}/{unit.capacity} busy" if on else "free"
        else:
            state = on[0].status.replace("_", " ") if on else "free"
        detail = ""
        if out is not None or (on and unit.capacity == 1):
            detail = why_busy(unit, states, tz)
        elif on:
            detail = "calls " + ", ".join(a.call_id for a in on)
        units.append(UnitRow(unit.id, unit.name, unit.model, state, detail))
    return BoardPicture(tuple(live), tuple(units), tuple(alerts))


def read_live_calls(reader, *, now: datetime) -> list[tuple[CallMeta, list[AnyEvent]]]:
    """Every unfinished live call (not practice) started in the last :data:`LIVE_HOURS`, with its events."""
    since = now - timedelta(hours=LIVE_HOURS)
    result = []
    for summary in reader.calls(since=since, newest_first=False):
        if summary.meta.practice or summary.ended is not None:
            continue
        result.append((summary.meta, reader.events(summary.meta.call_id)))
    return result


def consulted_calls(consultations: Iterable) -> set[str]:
    return {c.call_id for c in consultations}


#: How the board sorts calls, by the name its sort key cycles through.
SORTS: dict[str, Callable[[LiveCall], Any]] = {
    "risk": lambda c: (-c.band_rank, c.started_at),
    "time": lambda c: c.started_at,
    "console": lambda c: (c.console_id, c.started_at),
    "state": lambda c: (c.state, c.started_at),
}
