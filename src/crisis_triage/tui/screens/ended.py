"""After a call: its outcome, and the next call one key away."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...engine import CallSession
from ...engine.views import band_view, dispatched_view
from ...keymap import bindings
from ...store.journal import CallMeta
from ..keylabels import shown_key


def _count(number: int, noun: str) -> str:
    """``1 interrupt``, ``2 interrupts``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


class CallEndedScreen(Screen):
    BINDINGS = bindings("call ended")

    def __init__(self, protocol, session: CallSession, meta: CallMeta) -> None:
        super().__init__()
        self.protocol = protocol
        self.session = session
        self.meta = meta

    def compose(self) -> ComposeResult:
        state = self.session.state
        assessment = self.session.assessment
        text = Text("CALL ENDED", style="bold")
        text.append(f"  outcome: {state.ended}\n\n")
        text.append(f"Risk: {band_view(self.protocol, assessment.risk.band).label} (score {assessment.risk.score})\n")
        dispatched = dispatched_view(self.protocol, state)
        if dispatched is not None:
            text.append(f"{dispatched.headline}\n")
            for line in dispatched.lines():
                text.append(f"{line}\n")
            if dispatched.still_open:
                # The call is over, the response is not: it waits on the active-calls list.
                text.append("The response is still open: ", style="bold yellow")
                text.append(f" {shown_key(self, 'active_calls')} ", style="bold reverse")
                text.append(" active calls, to record its status and disposition\n", style="bold yellow")
        answered = sum(1 for a in assessment.asked if a.status == "answered")
        text.append(
            f"{_count(answered, 'answer')}, {_count(len(state.interrupts), 'interrupt')}, "
            f"{_count(len(state.notes), 'note')}; {_count(len(self.session.events), 'event')} recorded\n\n"
        )
        for binding_id, words in (("next_call", "next call"), ("home", "home"), ("quit", "quit")):
            text.append(f" {shown_key(self, binding_id)} ", style="bold reverse")
            text.append(f" {words}    ")
        with Vertical(id="ended"):
            yield Static(text, id="ended-text")
        yield Footer()

    def action_next_call(self) -> None:
        self.app.new_call()
