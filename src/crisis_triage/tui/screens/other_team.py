"""Sending a team other than the recommended one: pick it, see the safety lines it crosses, give a reason.

With a centre the team sent is claimed like the first dispatch: one transaction gives the call a
unit of it, or tells this console who holds them all; then nothing is recorded, and the picker opens
again on the fallback of the team that was taken. The earlier team's units are stood down by the
centre hook when the new dispatch is recorded.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from ...engine.events import RecommendationAccepted
from ...engine.session import SessionError
from ...engine.units import free_fallback
from ...engine.views import departure_warnings, model_name
from ..centre_hook import CallCentre, call_centre
from .call_link import CallLink
from .modals import ChoiceModal, NoteModal


def send_another_team(
    screen: Screen, call: CallLink, dispatched: str, done: Callable[[], object], *, highlight: str | None = None
) -> None:
    """Depart from the recommendation: pick the team sent and give a reason. The engine's safety
    lines for this call are shown as warnings first; the departure is recorded for quality review
    (a RecommendationAccepted whose model differs from the recommended one). ``done`` runs after."""
    protocol = call.protocol
    recommended = call.assessment.recommendation.model
    centre = call_centre(screen.app, call.call_id)
    busy = centre.busy_models() if centre is not None else {}
    choices = [
        (m, ("[busy at the centre] " if m in busy else "") + model_name(protocol, m))
        for m in protocol.models
        if m != dispatched
    ]

    def picked(model: str | None) -> None:
        if model is None:
            return
        warnings = tuple(departure_warnings(protocol, call.session.state, call.assessment, model))

        def reasoned(reason: str | None) -> None:
            if not reason:
                screen.notify(
                    "A team other than the recommended one needs a reason; nothing was changed.", severity="warning"
                )
                return
            event = RecommendationAccepted(at=call.now(), model=model, recommended=recommended, reason=reason)
            if centre is not None and not _claimed(screen, call, centre, event, dispatched, done):
                return
            if call.record(event):
                done()
                if warnings:
                    screen.notify("\n".join(warnings), title="Sent against a safety line", severity="error", timeout=12)
            elif centre is not None:
                centre.release(model)  # not dispatched after all: the unit goes back to the centre

        screen.app.push_screen(
            NoteModal(
                f"Why send {model_name(protocol, model)} instead of {model_name(protocol, recommended)}?",
                "the reason, e.g. team busy, caller refused, supervisor's decision",
                warnings,
            ),
            reasoned,
        )

    screen.app.push_screen(ChoiceModal("Send another team instead", choices, highlight), picked)


def _claimed(
    screen: Screen,
    call: CallLink,
    centre: CallCentre,
    event: RecommendationAccepted,
    dispatched: str,
    done: Callable[[], object],
) -> bool:
    """Claim a unit of the team picked; on a lost race say so and open the picker on its fallback."""
    try:
        call.session.validate(event)  # a dispatch the call would refuse claims nothing
    except SessionError as exc:
        screen.notify(str(exc), title="Not recorded", severity="error")
        return False
    fallback: list[str | None] = [None]

    def hint() -> str:
        fallback[0] = free_fallback(call.protocol, event.model, centre.busy_models())
        if fallback[0] is None:
            return "Nothing was sent: pick another team."
        return f"Nothing was sent: its fallback, {model_name(call.protocol, fallback[0])}, is highlighted."

    if centre.claim(event.model, lost_hint=hint):
        return True
    send_another_team(screen, call, dispatched, done, highlight=fallback[0])
    return False
