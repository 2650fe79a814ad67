"""F8 on a call: a team unavailable for this call only, or (with a centre) a unit out of service centre-wide.

Without a centre file the picker lists the response models, as it always did: a mark is an
``AvailabilityChanged`` from the call-taker on this call only. With one, the same per-call lines come
first and every unit of the centre follows: picking a unit takes it out of service for every console
(with a reason and the minutes until it is back) or returns it. A model the centre itself has busy
cannot be restored for this call by hand: the card would recommend a team that is not there; the
picker says who holds it instead.
"""

from __future__ import annotations

from typing import Any

from ..engine.events import AvailabilityChanged
from ..engine.views import model_name

CALL = "call:"
UNIT = "unit:"
MANUAL_REASON = "no team free (marked by the call-taker)"


def centre_busy(screen: Any) -> dict[str, str]:
    """The models the centre has no free unit for on this call, with why (empty without a centre)."""
    return screen.centre.busy_models() if screen.centre is not None else {}


def choices(screen: Any) -> list[tuple[str, str]]:
    """The picker's lines: every model for this call, then (with a centre) every unit centre-wide."""
    unavailable = screen.session.state.unavailable
    busy = centre_busy(screen)
    prefix = "this call: " if screen.centre is not None else ""
    lines = []
    for model in screen.protocol.models:
        mark = "[busy at the centre] " if model in busy else "[unavailable] " if model in unavailable else ""
        lines.append((CALL + model, prefix + mark + model_name(screen.protocol, model)))
    if screen.centre is not None:
        lines += [(UNIT + unit_id, "centre-wide: " + words) for unit_id, words in screen.centre.unit_choices()]
    return lines


def pick(screen: Any) -> None:
    """Open the picker; what is picked is recorded on the call, or sent to the centre."""
    from .screens.modals import ChoiceModal

    title = "Team unavailable right now? (again to restore)"
    if screen.centre is not None:
        title = "Team unavailable for this call, or a unit out of service for the centre? (again to restore)"
    screen.app.push_screen(ChoiceModal(title, choices(screen), None), lambda value: picked(screen, value))


def picked(screen: Any, value: str | None) -> None:
    if value is None:
        return
    if value.startswith(UNIT) and screen.centre is not None:
        screen.centre.unit_picked(value.removeprefix(UNIT))
        return
    model = value.removeprefix(CALL)
    busy = centre_busy(screen).get(model)
    if busy is not None:
        screen.notify(
            f"The centre has no {model_name(screen.protocol, model)} free: {busy}. "
            "It comes back when the unit clears or is returned to service.",
            title="BUSY AT THE CENTRE",
            severity="warning",
            timeout=12,
        )
        return
    if model in screen.session.state.unavailable:
        screen.record(AvailabilityChanged(at=screen.now(), model=model, available=True))
    else:
        screen.record(AvailabilityChanged(at=screen.now(), model=model, available=False, reason=MANUAL_REASON))
