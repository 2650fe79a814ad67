"""The response after the dispatch, by keyboard: the status picker (one key per status), the
handoff's landing, the disposition and the acknowledgement of an overdue-contact alert.

The same keys work in the picker (F11 on the call screen), on the dispatch summary and on the
active-calls list: each screen hands its choice to :func:`act`, which builds the event and records
it through the recorder it is given (the call screen's own when it holds the call: journal first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import Static

from ...engine.aftercare import contact_window, is_field_response
from ...engine.events_response import (
    RESPONSE_STATUSES,
    ContactAlertAcknowledged,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)
from ...engine.session import CallSession
from ...keymap import BY_ID, bindings
from ...protocol.models import localized
from ..keylabels import shown_key
from .modals import _Modal

Choice = tuple[str, str]
"""("status", status id) | ("disposition", "") | ("acknowledge", "") | ("landed", "")."""


def status_words(status: str) -> str:
    return BY_ID[f"status_{status}"].description


class ResponseChoices:
    """The actions of the ``response status`` keys, for any screen that binds them: the screen says
    what to do with the choice (:meth:`choose`)."""

    def choose(self, choice: Choice) -> None:
        raise NotImplementedError

    def action_status(self, status: str) -> None:
        self.choose(("status", status))

    def action_disposition(self) -> None:
        self.choose(("disposition", ""))

    def action_acknowledge(self) -> None:
        self.choose(("acknowledge", ""))

    def action_landed(self) -> None:
        self.choose(("landed", ""))


class ResponseStatusModal(ResponseChoices, _Modal):
    """F11 on the call: the response's status (one key each), the disposition, the acknowledgement."""

    BINDINGS: ClassVar[list[BindingType]] = _Modal.BINDINGS + bindings("response status")

    def __init__(self, session: CallSession, now: Any) -> None:
        super().__init__()
        self.session = session
        self.now = now

    def compose(self) -> ComposeResult:
        state = self.session.state
        current = state.after.status
        text = Text()
        for status in RESPONSE_STATUSES:
            text.append(f" {shown_key(self, f'status_{status}')} ", style="bold reverse")
            text.append(f" {status_words(status)}")
            if status == current:
                text.append("  (now)", style="bold")
            text.append("\n")
        text.append(f" {shown_key(self, 'disposition')} ", style="bold reverse")
        text.append(" Disposition (how the response ended)\n")
        window = contact_window(self.session.protocol, state)
        if window is not None and window.alerting(self.now):
            text.append(f" {shown_key(self, 'acknowledge_alert')} ", style="bold reverse")
            text.append(" Acknowledge the overdue-contact alert (contact still not confirmed)\n", style="bold red")
        with Vertical(classes="modal-box", id="response-box"):
            yield Static(Text("RESPONSE: press its key", style="bold"), classes="modal-title")
            yield Static(text, id="response-list")
            yield Static(f"{shown_key(self, 'modal_cancel')} cancels", classes="modal-help")

    def choose(self, choice: Choice) -> None:
        self.dismiss(choice)


class LandedModal(_Modal):
    """Where the warm handoff landed (the protocol's ``follow_up.handoff_outcomes``, one key each)."""

    def __init__(self, outcomes: list[Any]) -> None:
        super().__init__()
        self.outcomes = outcomes

    def compose(self) -> ComposeResult:
        text = Text()
        for outcome in self.outcomes:
            text.append(f" {(outcome.key or '?').upper()} ", style="bold reverse")
            text.append(f" {localized(outcome.label, 'en')}\n")
        with Vertical(classes="modal-box", id="landed-box"):
            yield Static(Text("HANDOFF LANDED: what did the counsellor report?", style="bold"), classes="modal-title")
            yield Static(text, id="landed-list")
            yield Static(f"{shown_key(self, 'modal_cancel')} cancels", classes="modal-help")

    def on_key(self, event: Key) -> None:
        character = (event.character or "").lower()
        for outcome in self.outcomes:
            if outcome.key and outcome.key.lower() == character:
                event.stop()
                self.dismiss(outcome.id)
                return


def act(app: Any, session: CallSession, record: Callable[[Any], bool], choice: Choice | None, by: str = "") -> None:
    """Do what a response key chose on the call ``session`` (read only: events go through ``record``)."""
    if choice is None:
        return
    what, value = choice
    now = app.clock()
    if what == "status":
        if record(ResponseStatusChanged(at=now, status=value)):
            app.notify(f"Response: {status_words(value)}")
    elif what == "acknowledge":
        if record(ContactAlertAcknowledged(at=now, by=by)):
            app.notify("Overdue-contact alert acknowledged (contact still not confirmed).")
    elif what == "disposition":
        from .disposition import DispositionFlow

        DispositionFlow(app, session, lambda event: _then_refresh(app, record, event)).start()
        return
    elif what == "landed":
        follow_up = session.protocol.document.follow_up
        outcomes = list(follow_up.handoff_outcomes) if follow_up else []
        if not outcomes:
            app.notify("The protocol defines no handoff outcomes to record.", severity="warning")
            return

        def landed(outcome: str | None) -> None:
            if outcome is not None and _then_refresh(
                app, record, HandoffOutcomeRecorded(at=app.clock(), outcome=outcome)
            ):
                app.notify(f"Handoff landed: {outcome.replace('_', ' ')}")

        app.push_screen(LandedModal(outcomes), landed)
        return
    app.response_alerts.recorded()


def _then_refresh(app: Any, record: Callable[[Any], bool], event: Any) -> bool:
    done = record(event)
    if done:
        app.response_alerts.recorded()
    return done


def open_response(app: Any, session: CallSession, record: Callable[[Any], bool], by: str = "") -> None:
    """F11: the status picker for a team in the field; the handoff's landing for the call line."""
    state = session.state
    if state.accepted is None:
        app.notify("Nothing dispatched yet: the response is tracked once a team is accepted.", severity="warning")
        return
    if not is_field_response(session.protocol, state):
        act(app, session, record, ("landed", ""), by)
        return
    app.push_screen(ResponseStatusModal(session, app.clock()), lambda choice: act(app, session, record, choice, by))
