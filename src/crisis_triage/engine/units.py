"""Shared unit availability, decided purely: which teams are free for this call, and if none, why.

The unit states (who is busy on which call, who is out of service) come in as input, read by the
store from the centre's database; nothing here reads a clock or a socket. The console turns the
answer into ``AvailabilityChanged`` events with ``source="centre"``, so the engine's fallback chain
takes over and the call's record says why: "A1 dedicated car 1 busy on call 1234 since 14:02
(expected clear 14:40)".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..protocol.centre import Centre
from ..protocol.centre_models import Unit
from ..protocol.compiled import Protocol
from .events import AnyEvent, AvailabilityChanged
from .recommend import _within

#: The statuses of a unit on a call, in the order a response moves through them.
ACTIVE_STATUSES = ("dispatched", "en_route", "on_scene")


@dataclass(frozen=True)
class Assignment:
    """A unit on a call: dispatched, en route or on scene (cleared assignments are not listed)."""

    call_id: str
    unit_id: str
    status: str
    since: datetime
    """When the unit was dispatched to this call."""
    expected_clear: datetime | None = None
    console_id: str = ""


@dataclass(frozen=True)
class OutOfService:
    """A unit taken out of service by a supervisor or a call-taker, with why and until when."""

    unit_id: str
    reason: str
    since: datetime
    expected_return: datetime | None = None
    by: str = ""


@dataclass(frozen=True)
class UnitStates:
    """The centre's picture of its units at one moment (input to every function here)."""

    assignments: tuple[Assignment, ...] = ()
    out_of_service: Mapping[str, OutOfService] = field(default_factory=dict)
    version: int = 0
    """Increases with every change in the store: a console repaints only when it moves."""

    def on_unit(self, unit_id: str, *, except_call: str | None = None) -> list[Assignment]:
        return [a for a in self.assignments if a.unit_id == unit_id and a.call_id != except_call]

    def of_call(self, call_id: str) -> list[Assignment]:
        return [a for a in self.assignments if a.call_id == call_id]


def covers(unit: Unit, district: str | None, hour: float) -> bool:
    """The unit serves this district (citywide units serve every one) and is on duty at ``hour``."""
    if unit.districts is not None and district not in unit.districts:
        return False
    return unit.hours is None or _within(unit.hours, hour)


def is_free(unit: Unit, states: UnitStates, *, except_call: str | None = None) -> bool:
    return (
        unit.id not in states.out_of_service and len(states.on_unit(unit.id, except_call=except_call)) < unit.capacity
    )


def free_units(
    centre: Centre, model: str, district: str | None, hour: float, states: UnitStates, *, call_id: str | None = None
) -> list[Unit]:
    """The units of ``model`` that could take this call now, least loaded first, then in file order."""
    units = [u for u in centre.units_of(model) if covers(u, district, hour) and is_free(u, states, except_call=call_id)]
    return sorted(units, key=lambda u: len(states.on_unit(u.id)) / u.capacity)


def _clock(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M") if at is not None else "?"


def why_busy(unit: Unit, states: UnitStates, tz: ZoneInfo, *, except_call: str | None = None) -> str:
    """One unit's state in words, for the fallback reason and the board."""
    out = states.out_of_service.get(unit.id)
    if out is not None:
        back = f", back about {_clock(out.expected_return, tz)}" if out.expected_return else ""
        return f"{unit.name} out of service ({out.reason}) since {_clock(out.since, tz)}{back}"
    on = states.on_unit(unit.id, except_call=except_call)
    if unit.capacity > 1:
        return f"{unit.name}: all {unit.capacity} busy"
    if not on:
        return f"{unit.name} free"
    first = on[0]
    status = first.status.replace("_", " ")
    status = "busy" if status == "dispatched" else f"busy ({status})"
    expected = f" (expected clear {_clock(first.expected_clear, tz)})" if first.expected_clear else ""
    return f"{unit.name} {status} on call {first.call_id} since {_clock(first.since, tz)}{expected}"


def unavailable_models(
    centre: Centre,
    district: str | None,
    hour: float,
    states: UnitStates,
    tz: ZoneInfo,
    *,
    call_id: str | None = None,
) -> dict[str, str]:
    """Tracked models with no free unit for this call, each with the reason.

    A model is tracked in a district only while a unit covering it is on duty: with none (co-response
    outside A1 and B2, a peer team outside its hours) the model is sent "as available", as without a
    centre file, and the protocol's own districts and hours decide. A unit this call already holds
    counts as free for it.
    """
    result: dict[str, str] = {}
    for model in centre.tracked_models:
        covering = [u for u in centre.units_of(model) if covers(u, district, hour)]
        if not covering:
            continue
        if any(is_free(u, states, except_call=call_id) for u in covering):
            continue
        result[model] = "; ".join(why_busy(u, states, tz, except_call=call_id) for u in covering)
    return result


def centre_marks(events: Iterable[AnyEvent]) -> dict[str, str]:
    """The models the centre (not the call-taker) has marked unavailable on this call, with the reason."""
    marks: dict[str, str] = {}
    manual: set[str] = set()
    for event in events:
        if isinstance(event, AvailabilityChanged):
            if event.source == "centre":
                if event.available:
                    marks.pop(event.model, None)
                else:
                    marks[event.model] = event.reason
            elif event.available:
                manual.discard(event.model)
            else:
                manual.add(event.model)
    return {m: r for m, r in marks.items() if m not in manual}


def sync_events(
    events: Sequence[AnyEvent], wanted: Mapping[str, str], unavailable_now: Mapping[str, str], at: datetime
) -> list[AvailabilityChanged]:
    """The events that bring a call's centre marks to ``wanted`` (from :func:`unavailable_models`).

    A model the call-taker marked by hand (F8) is left as they set it: the centre neither overrides
    nor lifts their mark. ``unavailable_now`` is the call's ``state.unavailable``.
    """
    current = centre_marks(events)
    changes = []
    for model, reason in wanted.items():
        if current.get(model) == reason:
            continue
        if model in unavailable_now and model not in current:
            continue  # marked by hand
        changes.append(AvailabilityChanged(at=at, model=model, available=False, reason=reason, source="centre"))
    for model in current:
        if model not in wanted:
            changes.append(AvailabilityChanged(at=at, model=model, available=True, source="centre"))
    return changes


def expected_clear(unit: Unit, dispatched_at: datetime) -> datetime:
    """When a unit dispatched at ``dispatched_at`` is expected to be free again."""
    return dispatched_at + timedelta(minutes=unit.expected_minutes)


def free_fallback(protocol: Protocol, model: str, busy: Mapping[str, str]) -> str | None:
    """The first model down ``model``'s fallback chain the centre does not have busy (None: the chain ends)."""
    seen = {model}
    current = model
    while True:
        nxt = next((f for f in protocol.models[current].fallback if f not in seen), None)
        if nxt is None:
            return None
        if nxt not in busy:
            return nxt
        seen.add(nxt)
        current = nxt
