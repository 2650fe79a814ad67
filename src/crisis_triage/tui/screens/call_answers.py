"""The call screen's answering: answer keys, typed answers, revising and asking out of order.

One-letter keys answer the question in hand (or toggle a multi-choice option), a typed question
waits for its key, the call-so-far list revises, and any question can be opened ahead of its turn.
Every answer is recorded through the screen's :meth:`record`.

A mixin of :class:`~crisis_triage.tui.screens.call.CallScreen` (``self`` typed by call_parts.py).
Textual's ``@on`` handlers (the answer box, the call-so-far list) stay on the screen class, since
only a Textual class registers them; they call :meth:`CallAnswers.typed_answer` and
:meth:`CallAnswers.ask_out_of_order`.
"""

from __future__ import annotations

from typing import Any

from textual.events import Key
from textual.widgets import Input

from ...engine import Answered, Revised, Skipped
from ...engine.views import QuestionView, question_view
from ...keymap import key_for
from ..widgets.so_far import CallSoFar
from .call_parts import CallScreenParts


class CallAnswers:
    """Mixin: the keys and boxes that answer, skip and revise questions."""

    def _answer_event(self: CallScreenParts, question_id: str, value: Any) -> Answered | Revised:
        kind = Revised if question_id in self.session.state.answers else Answered
        return kind(at=self.now(), question=question_id, value=value)

    def on_key(self: CallScreenParts, event: Key) -> None:
        view = self._view
        if view is None or isinstance(self.focused, Input):
            return
        if self.focused is self.query_one(CallSoFar):
            # In the list, a letter must not answer the question in hand by mistake: Enter revises
            # the highlighted answer, Escape (or F4 again) goes back to the question.
            if event.key == "escape":
                event.stop()
                self.set_focus(None)
            return
        if not view.options:
            self._key_on_typed_question(event, view)
            return
        if self._from_interrupt is not None and event.key == self._binding_key("confirm_from_interrupt"):
            event.stop()
            event.prevent_default()
            self.record(self._answer_event(view.id, self._from_interrupt.option))
            return
        if event.key == "enter" and view.type == "multi":
            event.stop()
            event.prevent_default()
            ids = [o.id for o in view.options if o.id in self._multi]
            self.record(self._answer_event(view.id, ids))
            return
        character = (event.character or "").lower()
        option = view.option_for_key(character) if character else None
        if option is None:
            return
        event.stop()
        event.prevent_default()
        if view.type == "multi":
            self._multi ^= {option.id}
            self._show_question()
            return
        self.record(self._answer_event(view.id, option.id))

    def _key_on_typed_question(self: CallScreenParts, event: Key, view: QuestionView) -> None:
        """An optional typed answer waits for its key (Enter): a letter pressed meaning to answer
        something else is said back, never typed into the name box."""
        if event.key == self._binding_key("type_answer"):
            event.stop()
            event.prevent_default()
            self.query_one("#q-input", Input).focus()
        elif event.is_printable:
            event.stop()
            self.say(
                f"Not typed: this question takes typed text. {self._key('type_answer')} to type the answer, "
                f"{self._key('skip')} skips it.",
                severity="warning",
            )

    def _binding_key(self: CallScreenParts, binding_id: str) -> str:
        return key_for(binding_id, getattr(self.app, "keymap_in_force", {}))

    def typed_answer(self: CallScreenParts, message: Input.Submitted) -> None:
        """Enter in the answer box: record the typed answer (an empty optional one skips)."""
        view = self._view
        if view is None:
            return
        text = message.value.strip()
        if not text:
            if view.required:
                self.say("This question needs an answer.", severity="warning")
            else:
                self.record(Skipped(at=self.now(), question=view.id))
            return
        value: Any = text
        if view.type == "number":
            try:
                value = float(text)
            except ValueError:
                self.say(f"{view.text_en} takes a number", severity="error")
                return
        if self.record(self._answer_event(view.id, value)):
            message.input.value = ""

    def revise_chosen(self: CallScreenParts, message: CallSoFar.Chosen) -> None:
        """A row of the call so far chosen: open its question to revise it (a dropped answer is not)."""
        question_id = message.row.id
        if question_id and not question_id.startswith("dropped:"):
            self.ask_out_of_order(question_id)

    def ask_out_of_order(self: CallScreenParts, question_id: str) -> None:
        """Open one question (to revise it, or to answer it ahead of its turn)."""
        from .modals import AnswerModal

        question = self.protocol.question_by_id[question_id]
        state = self.session.state
        view = question_view(self.protocol, question, state.door, state.language)

        def done(value: Any) -> None:
            if value is not None:
                self.record(self._answer_event(question_id, value))
            self.set_focus(None)
            self.refresh_call(None)

        self.app.push_screen(AnswerModal(view, state.answers.get(question_id)), done)

    def action_revise(self: CallScreenParts) -> None:
        so_far = self.query_one(CallSoFar)
        if self.focused is so_far:
            self.refocus_question()
            return
        if so_far.option_count == 0:
            self.say("Nothing answered yet to revise.")
            return
        so_far.focus()

    def refocus_question(self: CallScreenParts) -> None:
        """Back from the call-so-far list to the question in hand (its answer box, if it has one)."""
        view = self._view
        if view is not None and not view.options:
            self.query_one("#q-input", Input).focus()
        else:
            self.set_focus(None)

    def action_skip(self: CallScreenParts) -> None:
        if self._view is not None:
            self.record(Skipped(at=self.now(), question=self._view.id))

    def jump_to(self: CallScreenParts, question_id: str) -> None:
        self.ask_out_of_order(question_id)
