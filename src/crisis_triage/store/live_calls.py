"""The supervisor's picture of the centre: every live call, every unit, and what needs a supervisor.

Calls are rebuilt from the events the consoles ship (replayed through the engine, as everywhere),
units come from the shared availability. A call's state comes from its own events first: the
response statuses, the contact-confirmation window and the follow-ups owed (issue 12), so a status a
dispatcher's system reported reaches the board as well as the unit's. :func:`board_picture` is pure: the reading is done by
:func:`read_live_calls`, so the board, its tests and a wall display all see the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..engine import CallSession
from ..engine.aftercare import contact_window, is_field_response, response_resolved
from ..engine.events import AnyEvent, HandoffEnded
from ..engine.events_centre import SupervisorConsulted
from ..engine.events_response import CONTACT_SETTLING
from ..engine.state import CallState
from ..engine.units import Assignment, UnitStates, why_busy
from ..engine.views import model_name
from ..protocol.centre import Centre
from ..protocol.centre_models import Unit
from ..protocol.compiled import Protocol
from .followups import queue_from_rows
from .journal import CallMeta

LIVE_HOURS = 12
"""Calls started longer ago than this with no end are left to ``records list --unfinished``."""


#: A response status (engine/events_response.py) as the board says it.
RESPONSE_WORDS = {
    "assigned": "dispatched",
    "en_route": "en route",
    "on_scene": "on scene",
    "contact_made": "contact made",
    "unable_to_locate": "unable to locate",
    "cleared": "cleared",
}


@dataclass(frozen=True)
class LiveCall:
    """One call in progress (or a response or follow-up still owed after it), as the board lists it."""

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
    """questioning, dispatched, en route, on scene, contact made, unable to locate, cleared, handoff,
    handed off, follow-up due."""
    consulted: bool
    imminent: bool = False
    """In the protocol's top risk band: 988's policy expects a supervisor consulted."""
    phone_ended: bool = False
    dispatched_at: datetime | None = None
    contact_deadline: datetime | None = None
    """When contact must be confirmed by (the protocol's window, else the centre file's minutes)."""
    contact_settled: bool = False
    follow_up_due: datetime | None = None
    """The earliest open follow-up's due time (None: none owed)."""

    @property
    def needs_consultation(self) -> bool:
        """Flagged for a supervisor: imminent risk (the top band) on a phone call not yet consulted on."""
        return self.imminent and not self.consulted

    def contact_overdue(self, now: datetime) -> bool:
        return self.contact_deadline is not None and not self.contact_settled and now > self.contact_deadline


@dataclass(frozen=True)
class UnitRow:
    unit_id: str
    name: str
    model: str
    state: str
    """free, dispatched, en route, on scene, contact made, out of service, n/N busy."""
    detail: str


#: Alert kinds, most pressing first (the board lists them in this order).
ALERT_ORDER = ("imminent", "contact", "follow_up", "time", "departure", "out_of_service")


@dataclass(frozen=True)
class Alert:
    """Something a supervisor must see: ``kind`` is imminent, contact, follow_up, departure, time, out_of_service."""

    kind: str
    subject: str
    """The call id or the unit id it is about."""
    text: str


@dataclass(frozen=True)
class BoardPicture:
    calls: tuple[LiveCall, ...]
    units: tuple[UnitRow, ...]
    alerts: tuple[Alert, ...]


def _open_follow_ups(state: CallState) -> list[datetime]:
    after = state.after
    return [due for rule, due in after.scheduled.items() if after.followup_done(rule) is None]


def _call_state(protocol: Protocol, state: CallState, events: Sequence[AnyEvent], on_call: list[Assignment]) -> str:
    """The call's state in words, from its own events first (issue 12's response statuses), then the unit's."""
    accepted = state.accepted
    owed = bool(_open_follow_ups(state))
    if accepted is None:
        return "follow-up due" if owed and state.ended is not None else "questioning"
    handoff = protocol.document.handoff
    if handoff is not None and accepted[0] == handoff.model:
        if owed and state.after.handoff_ended_at is not None:
            return "follow-up due"
        return "handoff" if not any(isinstance(e, HandoffEnded) for e in events) else "handed off"
    status = state.after.status
    if owed and (response_resolved(protocol, state) or status == "cleared"):
        return "follow-up due"
    if status is not None:
        return RESPONSE_WORDS.get(status, status.replace("_", " "))
    return on_call[0].status.replace("_", " ") if on_call else "dispatched"


def _contact(protocol: Protocol, state: CallState, confirm_minutes: int) -> tuple[datetime | None, bool]:
    """(deadline, settled) of the dispatched team's contact confirmation: the protocol's window for its
    model (engine/aftercare.py), else the centre file's minutes; no deadline for the call line."""
    window = contact_window(protocol, state)
    if window is not None:
        return window.deadline, window.settled_at is not None
    after = state.after
    if after.dispatched_at is None or not is_field_response(protocol, state):
        return None, False
    settled = after.disposition is not None or any(s in CONTACT_SETTLING for _, s, _ in after.statuses)
    return after.dispatched_at + timedelta(minutes=confirm_minutes), settled


def _live_call(
    protocol: Protocol,
    meta: CallMeta,
    events: Sequence[AnyEvent],
    states: UnitStates,
    consulted: set[str],
    confirm_minutes: int,
) -> LiveCall | None:
    try:
        session = CallSession.replay(protocol, events)
    except Exception:
        return None  # recorded with another protocol version: left to records show
    state = session.state
    on_call = states.of_call(meta.call_id)
    owed = _open_follow_ups(state)
    if state.ended is not None and not owed and not on_call and response_resolved(protocol, state):
        return None  # nothing left for a supervisor to watch
    assessment = session.assessment
    bands = [b.id for b in protocol.document.risk.bands]
    band = assessment.risk.band
    accepted = state.accepted
    deadline, settled = _contact(protocol, state, confirm_minutes)
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
        imminent=band == bands[-1],
        # Once dispatched, what was recommended at that moment (a departure is judged against it).
        recommended=accepted[1] if accepted else assessment.recommendation.model,
        dispatched=accepted[0] if accepted else "",
        state=_call_state(protocol, state, events, on_call),
        consulted=meta.call_id in consulted or any(isinstance(e, SupervisorConsulted) for e in events),
        phone_ended=state.ended is not None,
        dispatched_at=state.after.dispatched_at,
        contact_deadline=deadline,
        contact_settled=settled,
        follow_up_due=min(owed, default=None),
    )


def _clock(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%H:%M}"


def call_alerts(protocol: Protocol, centre: Centre, call: LiveCall, now: datetime, tz: ZoneInfo) -> list[Alert]:
    """What needs a supervisor on one call at ``now``."""
    alerts = []
    minutes = int((now - call.started_at).total_seconds() // 60)
    if call.needs_consultation and not call.phone_ended:
        alerts.append(Alert("imminent", call.call_id, f"call {call.call_id}: imminent risk, consult a supervisor"))
    if call.contact_overdue(now) and call.contact_deadline is not None:
        late = int((now - call.contact_deadline).total_seconds() // 60)
        sent = model_name(protocol, call.dispatched).split(" (")[0]
        at = f" at {_clock(call.dispatched_at, tz)}" if call.dispatched_at else ""
        alerts.append(
            Alert(
                "contact",
                call.call_id,
                f"call {call.call_id}: contact not confirmed, {late} min past its window "
                f"(due {_clock(call.contact_deadline, tz)}; {sent} sent{at})",
            )
        )
    if call.follow_up_due is not None and now > call.follow_up_due:
        alerts.append(
            Alert(
                "follow_up",
                call.call_id,
                f"call {call.call_id}: follow-up overdue since {_clock(call.follow_up_due, tz)}",
            )
        )
    if call.dispatched and call.dispatched != call.recommended:
        alerts.append(
            Alert(
                "departure",
                call.call_id,
                f"call {call.call_id}: sent {model_name(protocol, call.dispatched).split(' (')[0]}, "
                f"recommended {model_name(protocol, call.recommended).split(' (')[0]}",
            )
        )
    if not call.dispatched and not call.phone_ended and minutes >= centre.document.centre.time_target_minutes:
        alerts.append(Alert("time", call.call_id, f"call {call.call_id}: {minutes} min without a dispatch or handoff"))
    return alerts


def _unit_row(unit: Unit, states: UnitStates, calls: dict[str, LiveCall], tz: ZoneInfo) -> UnitRow:
    """A unit's state: out of service, or its call's own response status (a dispatcher's update moves it
    too), else the status the consoles set on the unit."""
    out = states.out_of_service.get(unit.id)
    on = states.on_unit(unit.id)
    if out is not None:
        return UnitRow(unit.id, unit.name, unit.model, "out of service", why_busy(unit, states, tz))
    if unit.capacity > 1:
        detail = "calls " + ", ".join(a.call_id for a in on) if on else ""
        return UnitRow(unit.id, unit.name, unit.model, f"{len(on)}/{unit.capacity} busy" if on else "free", detail)
    if not on:
        return UnitRow(unit.id, unit.name, unit.model, "free", "")
    call = calls.get(on[0].call_id)
    state = on[0].status.replace("_", " ")
    if call is not None and call.state in RESPONSE_WORDS.values() and call.state != "cleared":
        state = call.state
    return UnitRow(unit.id, unit.name, unit.model, state, why_busy(unit, states, tz))


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
    confirm = centre.document.centre.contact_confirm_minutes
    live = [
        c for meta, events in calls if (c := _live_call(protocol, meta, events, states, consulted, confirm)) is not None
    ]
    alerts = [alert for call in live for alert in call_alerts(protocol, centre, call, now, tz)]
    by_id = {c.call_id: c for c in live}
    units = [_unit_row(unit, states, by_id, tz) for unit in centre.units.values()]
    alerts += [Alert("out_of_service", u.unit_id, u.detail) for u in units if u.state == "out of service"]
    alerts.sort(key=lambda a: ALERT_ORDER.index(a.kind))  # stable: calls keep their order within a kind
    return BoardPicture(tuple(live), tuple(units), tuple(alerts))


def read_live_calls(reader, *, now: datetime, keep: Iterable[str] = ()) -> list[tuple[CallMeta, list[AnyEvent]]]:
    """Every live call (not practice) started in the last :data:`LIVE_HOURS`, with its events: the
    unfinished ones, and the ended ones still owing something (an open follow-up, or a unit still on
    them: ``keep``, the call ids the centre's units are on)."""
    since = now - timedelta(hours=LIVE_HOURS)
    still_owed = set(keep)
    rows = getattr(reader, "followup_rows", None)
    if rows is not None:
        still_owed |= {item.call_id for item in queue_from_rows(rows()) if item.done_at is None}
    result = []
    for summary in reader.calls(since=since, newest_first=False):
        if summary.meta.practice or (summary.ended is not None and summary.meta.call_id not in still_owed):
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
