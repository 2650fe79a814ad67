"""The call screen's keys for issue 11's call events (keys in keymap.py, block "call events"):

* interpreter requested (the caller's language) and interpreter on the line (the interpreter's id);
* a supervisor consulted (who, and what was decided), 988's duty at imminent risk;
* help sent without the person's consent, with 988's ground for it and what was heard.

Each key opens a small dialog and records one event through the call screen's :meth:`record`
(validated, journalled, then shown); the call-events line under the call so far shows what was
recorded and, while a duty is open, the key that records it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ...engine.call_event_views import RESCUE_REASONS, call_event_lines
from ...engine.events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from ...engine.events_centre import SupervisorConsulted
from ..widgets.question import AnswerInput
from ..widgets.repaint import update_if_changed
from .call_parts import CallScreenParts
from .modals import ChoiceModal, _Modal, modal_keys, modal_title


class AskModal(_Modal):
    """One line of text, optionally prefilled; Enter saves. A required answer cannot be left empty."""

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", required: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        enter = "Enter saves" if self.required else "Enter saves (empty: none)"
        with Vertical(classes="modal-box"):
            yield modal_title(self.title_text)
            yield AnswerInput(value=self.value, placeholder=self.placeholder, id="ask-input")
            yield modal_keys(self, enter)

    def on_mount(self) -> None:
        self.query_one("#ask-input", Input).focus()

    @on(Input.Submitted, "#ask-input")
    def _save(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if self.required and not text:
            self.notify("This cannot be left empty (Escape cancels).", severity="warning")
            return
        self.dismiss(text)


class CallEventKeys:
    """Mixin for :class:`~crisis_triage.tui.screens.call.CallScreen`: the actions of the call-event keys."""

    def compose_call_events(self) -> ComposeResult:
        yield Static(id="call-events")

    def show_call_events(self: CallScreenParts) -> None:
        """Repaint the call-events line from the engine (hidden when there is nothing to show)."""
        widget = self.query_one("#call-events", Static)
        lines = call_event_lines(self.protocol, self.session.state, self.session.assessment)
        widget.display = bool(lines)
        if not lines:
            return
        text = Text()
        for i, line in enumerate(lines):
            if i:
                text.append("\n")
            text.append(line.text, style="bold red" if line.urgent else "")
            if line.key:
                text.append(f"  ({self._key(line.key)})", style="bold")
        update_if_changed(widget, text, layout=True)

    def action_interpreter_requested(self: CallScreenParts) -> None:
        state = self.session.state

        def done(language: str | None) -> None:
            if language:
                self.record(InterpreterRequested(at=self.now(), language=language))

        self.app.push_screen(
            AskModal(
                "Interpreter requested: the caller's language",
                value=state.language if state.language != "en" else "",
                placeholder="a language tag: ht, pt-BR, kea, zh-Hant, vi",
            ),
            done,
        )

    def action_interpreter_connected(self: CallScreenParts) -> None:
        if self.session.state.interpreter_requested is None:
            self.say(f"Request the interpreter first ({self._key('interpreter')}).", title="Interpreter")
            return

        def done(interpreter_id: str | None) -> None:
            if interpreter_id:
                self.record(InterpreterConnected(at=self.now(), interpreter_id=interpreter_id))

        self.app.push_screen(
            AskModal("Interpreter on the line: the interpreter's id", placeholder="as the language line gives it"),
            done,
        )

    def action_supervisor_consulted(self: CallScreenParts) -> None:
        def decided(who: str, note: str | None) -> None:
            if note is not None:
                self.record(SupervisorConsulted(at=self.now(), supervisor=who, note=note))

        def named(who: str | None) -> None:
            if who:
                self.app.push_screen(
                    AskModal(
                        f"Supervisor {who} consulted: what was decided",
                        placeholder="e.g. agreed: EMS without consent; keep the caller on the line",
                        required=False,
                    ),
                    lambda note: decided(who, note),
                )

        self.app.push_screen(AskModal("Supervisor consulted: who", placeholder="the supervisor's name or id"), named)

    def action_rescue_without_consent(self: CallScreenParts) -> None:
        def heard(reason: str, note: str | None) -> None:
            if note is not None:
                self.record(RescueWithoutConsent(at=self.now(), reason=reason, note=note))

        def picked(reason: str | None) -> None:
            if reason is None:
                return
            self.app.push_screen(
                AskModal(
                    "Help without consent: what you heard that made it necessary",
                    placeholder="the caller's words, what you could not rule out",
                    required=reason == "other",
                ),
                lambda note: heard(reason, note),
            )

        self.app.push_screen(
            ChoiceModal(
                "Help sent WITHOUT the person's consent, because",
                list(RESCUE_REASONS.items()),
                None,
            ),
            picked,
        )
