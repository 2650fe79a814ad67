"""The dispatch summary shown on accepting a recommendation: text ready to paste into dispatch."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from ...engine.views import dispatch_summary, model_name
from ...keymap import binding, bindings
from ..keylabels import shown_key
from ..widgets.message_line import MessageLine
from .call_link import AfterCall, CallLink
from .eido_key import send_eido
from .modals import ask_note
from .other_team import send_another_team
from .response_status import Choice, ResponseChoices, act, status_words


class DispatchScreen(ResponseChoices, Screen[AfterCall]):
    """The accepted recommendation as dispatch text; copy it, start the handoff, or end the call.

    Dismissed with what the call screen should do next (:data:`AfterCall`)."""

    BINDINGS = bindings("dispatch", "dispatch / handoff", "response status") + [
        binding("end_call"),
        binding("notes"),
        binding("interrupt"),
    ]

    def __init__(self, call: CallLink) -> None:
        super().__init__()
        self.call = call

    def key(self, binding_id: str) -> str:
        return shown_key(self, binding_id)

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
            key = self.key
            help_text = (
                f"{key('dispatch_copy')} copies the summary | {key('other_team')} sends another team (with a reason)"
                f" | {key('back_to_call')} back to the call (new information updates it) | {key('end_call')} ends the call"
            )
            if rec.handoff:
                help_text = f"{key('dispatch_handoff')} starts the warm handoff | " + help_text
            yield Static(help_text, id="dispatch-help")
            yield Static(self.response_help(), id="dispatch-response-help")
        yield MessageLine(id="message-line")
        yield Footer()

    def response_help(self) -> str:
        """The response keys, which work here directly (the summary has no answer keys)."""
        key = self.key
        statuses = ", ".join(
            f"{key(f'status_{s}')} {status_words(s).lower()}"
            for s in ("assigned", "en_route", "on_scene", "contact_made", "unable_to_locate", "cleared")
        )
        return f"Response: {statuses} | {key('disposition')} disposition"

    def choose(self, choice: Choice) -> None:
        act(self.app, self.call.session, self.call.record, choice)

    def on_mount(self) -> None:
        self.query_one("#dispatch-text", TextArea).cursor_blink = getattr(self.app, "cursor_blink", True)

    def on_screen_resume(self) -> None:
        self.refresh_summary()

    def refresh_summary(self) -> None:
        self.query_one("#dispatch-title", Static).update(self.title_text())
        self.query_one("#dispatch-text", TextArea).text = self.summary()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.summary())
        self.notify("Dispatch summary copied.")

    def action_eido(self) -> None:
        send_eido(self, self.call)

    def action_other_team(self) -> None:
        send_another_team(self, self.call, self.dispatched(), self.refresh_summary)

    def action_back(self) -> None:
        self.dismiss("back")

    def action_handoff(self) -> None:
        if not self.call.assessment.recommendation.handoff:
            self.notify("The recommendation has no call-line handoff.")
            return
        self.dismiss("handoff")

    def action_end_call(self) -> None:
        self.dismiss("end_call")

    def action_note(self) -> None:
        ask_note(self.app, self.call.record, self.call.now)

    def action_interrupt(self) -> None:
        # Back to the call so the call-taker sees the interrupt's consequence at once.
        self.dismiss("interrupt")
