"""The dispatch summary shown on accepting a recommendation: text ready to paste into dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from ...engine.views import dispatch_summary, model_name
from ..keys import bindings

if TYPE_CHECKING:
    from .call import CallScreen


class DispatchScreen(Screen):
    """The accepted recommendation as dispatch text; copy it, start the handoff, or end the call."""

    BINDINGS = bindings("dispatch") + bindings("dispatch / handoff") + [
        b for b in bindings("call") if b.id in ("end_call", "notes", "interrupt")
    ]

    def __init__(self, call: "CallScreen") -> None:
        super().__init__()
        self.call = call

    def summary(self) -> str:
        state = self.call.session.state
        model = state.accepted[0] if state.accepted else None
        return dispatch_summary(self.call.protocol, state, self.call.assessment, model)

    def compose(self) -> ComposeResult:
        rec = self.call.assessment.recommendation
        with Vertical(id="dispatch"):
            yield Static(Text(f"DISPATCH: {model_name(self.call.protocol, rec.model).upper()}", style="bold"), id="dispatch-title")
            yield TextArea(self.summary(), read_only=True, id="dispatch-text", soft_wrap=True, show_line_numbers=False)
            help_text = "C copies the summary | B back to the call (new information updates it) | F10 ends the call"
            if rec.handoff:
                help_text = "H starts the warm handoff | " + help_text
            yield Static(help_text, id="dispatch-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#dispatch-text", TextArea).cursor_blink = getattr(self.app, "cursor_blink", True)

    def on_screen_resume(self) -> None:
        self.query_one("#dispatch-text", TextArea).text = self.summary()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.summary())
        self.notify("Dispatch summary copied to the clipboard.")

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
