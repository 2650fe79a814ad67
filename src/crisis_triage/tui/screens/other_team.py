"""Sending a team other than the recommended one: pick it, see the safety lines it crosses, give a reason."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from ...engine.events import RecommendationAccepted
from ...engine.views import departure_warnings, model_name
from .call_link import CallLink
from .modals import ChoiceModal, NoteModal


def send_another_team(screen: Screen, call: CallLink, dispatched: str, done: Callable[[], object]) -> None:
    """Depart from the recommendation: pick the team sent and give a reason. The engine's safety
    lines for this call are shown as warnings first; the departure is recorded for quality review
    (a RecommendationAccepted whose model differs from the recommended one). ``done`` runs after."""
    protocol = call.protocol
    recommended = call.assessment.recommendation.model
    choices = [(m, model_name(protocol, m)) for m in protocol.models if m != dispatched]

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
            if call.record(RecommendationAccepted(at=call.now(), model=model, recommended=recommended, reason=reason)):
                done()
                if warnings:
                    screen.notify("\n".join(warnings), title="Sent against a safety line", severity="error", timeout=12)

        screen.app.push_screen(
            NoteModal(
                f"Why send {model_name(protocol, model)} instead of {model_name(protocol, recommended)}?",
                "the reason, e.g. team busy, caller refused, supervisor's decision",
                warnings,
            ),
            reasoned,
        )

    screen.app.push_screen(ChoiceModal("Send another team instead", choices, None), picked)
