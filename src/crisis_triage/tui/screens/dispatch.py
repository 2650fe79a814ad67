"""The dispatch summary shown on accepting a recommendation: text ready to paste into dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from ...engine.events import RecommendationAccepted
from ...engine.views import departure_warnings, dispatch_summary, model_name
from ...keymap import bindings

if TYPE_CHECKING:
    from .call import CallScreen


class DispatchScreen(Screen):
    """The accepted recommendation as dispatch text; copy it, start the handoff, or end the call."""

    BINDINGS = (
        bindings("dispatch")
        + bindings("dispatch / handoff")
        + [b for b in bindings("call") if b.id in ("end_call", "notes", "interrupt")]
    )

    def __init__(self, call: "CallScreen") -> None:
        super().__init__()
        self.call = call

    def summary(self) -> str:
        return dispatch_summary(self.call.protocol, self.call.session.state, self.call.assessment, self.dispatched())

    def dispatched(self) -> str:
        state = self.call.session.state
        return state.accepted[0] if state.accepted else self.call.assessment.recommendation.model

    def title_text(self) -> Text:
        rec = self.call.assessment.recommendation
        text = Text(f"DISPATCH: {model_name(self.call.protocol, self.dispatched()).upper()}", style="bold")
        if self.dispatched() != rec.model:
            text.append(
                f"\nnot the recommended {model_name(self.call.protocol, rec.model)}: departure recorded with its reason",
                style="bold yellow",
            )
        return text

    def compose(self) -> ComposeResult:
        rec = self.call.assessment.recommendation
        with Vertical(id="dispatch"):
            yield Static(self.title_text(), id="dispatch-title")
            yield TextArea(self.summary(), read_only=True, id="dispatch-text", soft_wrap=True, show_line_numbers=False)
            help_text = (
                "C copies the summary | O sends another team (with a reason) | B back to the call "
                "(new information updates it) | F10 ends the call"
            )
            if rec.handoff:
                help_text = "H starts the warm handoff | " + help_text
            yield Static(help_text, id="dispatch-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dispatch-text", TextArea).cursor_blink = getattr(self.app, "cursor_blink", True)

    def on_screen_resume(self) -> None:
        self.refresh_summary()

    def refresh_summary(self) -> None:
        self.query_one("#dispatch-title", Static).update(self.title_text())
        self.query_one("#dispatch-text", TextArea).text = self.summary()

    def action_other_team(self) -> None:
        send_another_team(self, self.call, self.dispatched(), self.refresh_summary)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_handoff(self) -> None:
        from .handoff import HandoffScreen

        if not self.call.assessment.recommendation.handoff:
            self.notify("The recommendation has no call-line handoff.")
            return
        self.app.push_screen(HandoffScreen(self.call))

    def action_end_call(self) -> None:
        self.app.pop_screen()
        self.call.action_end_call()

    def action_note(self) -> None:
        self.call.action_note()

    def action_interrupt(self) -> None:
        # Back to the call so the call-taker sees the interrupt's consequence at once.
        self.app.pop_screen()
        self.call.action_interrupt()


def send_another_team(screen: Screen, call: "CallScreen", dispatched: str, done) -> None:
    """Depart from the recommendation: pick the team sent and give a reason. The engine's safety
    lines for this call are shown as warnings first; the departure is recorded for quality review
    (a RecommendationAccepted whose model differs from the recommended one). ``done`` runs after."""
    from .modals import ChoiceModal, NoteModal

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
