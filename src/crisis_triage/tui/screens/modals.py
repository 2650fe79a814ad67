"""Small modal screens of the call: answer one question, interrupts, a note, a choice, the outcome.

Escape cancels any of them; nothing time-critical sits on Escape (terminals delay it ~100 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.events import NoteAdded
from ...engine.views import InterruptView, QuestionView
from ...keymap import CALL_OUTCOMES, binding, bindings
from ..keylabels import shown_key
from ..widgets.question import AnswerInput

CANCEL: list[BindingType] = [binding("modal_cancel")]


def interrupt_binding() -> BindingType:
    """The interrupt key (same binding id, so a remap applies) for dialogs above the call screen."""
    return binding("interrupt", "interrupt_now")


def modal_title(text: str, *, id: str | None = None) -> Static:
    """A dialog's bold title line (one look for every dialog above the call)."""
    return Static(Text(text, style="bold"), classes="modal-title", id=id)


def modal_keys(screen: Any, keys: str = "", cancel: str = "cancels") -> Static:
    """A dialog's key line: its own keys first, then its cancel key as the keymap in force names it."""
    cancel_text = f"{shown_key(screen, 'modal_cancel')} {cancel}"
    return Static(f"{keys}    {cancel_text}" if keys else cancel_text, classes="modal-help")


class InterruptRequested(Message):
    """The interrupt key was pressed in a dialog above the call: a caller can say "he has a knife"
    while a dialog is open. Bubbles to the app, which closes what is above the call screen and opens
    the interrupt keys there."""


class _Modal(ModalScreen):
    BINDINGS: ClassVar[list[BindingType]] = CANCEL + [interrupt_binding()]
    DEFAULT_CLASSES = "console-modal"

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_interrupt_now(self) -> None:
        self.post_message(InterruptRequested())


class AnswerModal(_Modal):
    """One question out of its turn: to revise an answer, or answer ahead. Returns the value."""

    def __init__(self, view: QuestionView, current: Any = None) -> None:
        super().__init__()
        self.view = view
        self.current = current
        self.selected: set[str] = set(current) if view.type == "multi" and current else set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield modal_title(f"Q{self.view.position} {self.view.section}")
            yield Static(Text(self.view.text, style="bold"))
            if self.view.translated:
                yield Static(Text(f"EN: {self.view.text_en}", style="italic"))
            yield Static(id="answer-options")
            if not self.view.options:
                yield AnswerInput(
                    str(self.current) if self.current is not None else "",
                    id="answer-input",
                    type="number" if self.view.type == "number" else "text",
                )
            yield modal_keys(self)

    def on_mount(self) -> None:
        self._show()
        if not self.view.options:
            self.query_one("#answer-input", Input).focus()

    def _show(self) -> None:
        line = Text()
        for option in self.view.options:
            now = option.id in self.selected if self.view.type == "multi" else option.id == self.current
            line.append(f" {option.key.upper()} ", style="bold reverse")
            line.append(
                f" {'[x] ' if self.view.type == 'multi' and now else ''}{option.label}{'  (current)' if now and self.view.type != 'multi' else ''}   ",
                style="bold" if now else "",
            )
        if self.view.type == "multi":
            line.append(" Enter ", style="bold reverse")
            line.append(" done")
        self.query_one("#answer-options", Static).update(line)

    def on_key(self, event: Key) -> None:
        if not self.view.options:
            return
        if event.key == "enter" and self.view.type == "multi":
            event.stop()
            self.dismiss([o.id for o in self.view.options if o.id in self.selected])
            return
        option = self.view.option_for_key((event.character or "").lower())
        if option is None:
            return
        event.stop()
        if self.view.type == "multi":
            self.selected ^= {option.id}
            self._show()
        else:
            self.dismiss(option.id)

    @on(Input.Submitted, "#answer-input")
    def _typed(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if not text:
            self.notify(f"Type an answer, or {shown_key(self, 'modal_cancel')} to cancel.", severity="warning")
            return
        if self.view.type == "number":
            try:
                self.dismiss(float(text))
            except ValueError:
                self.notify("A number, please.", severity="error")
            return
        self.dismiss(text)


class InterruptModal(_Modal):
    """The interrupt leader: the next key records that interrupt. ``-`` switches to withdrawing one.

    Returns ``(interrupt_id, True)`` to record, ``(interrupt_id, False)`` to withdraw.
    """

    BINDINGS: ClassVar[list[BindingType]] = CANCEL + bindings("interrupt picker")

    def __init__(self, interrupts: tuple[InterruptView, ...]) -> None:
        super().__init__()
        self.interrupts = interrupts
        self.withdrawing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="interrupt-box"):
            yield modal_title("INTERRUPT: press its key", id="interrupt-title")
            yield Static(id="interrupt-list")
            yield modal_keys(self, f"{shown_key(self, 'interrupt_withdraw')} withdraw one recorded by mistake")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        text = Text()
        for item in self.interrupts:
            if self.withdrawing and not item.active:
                continue
            text.append(f" {item.key.upper()} ", style="bold reverse")
            text.append(f" {item.label}")
            if item.active:
                text.append("  recorded", style="bold red")
            text.append("\n")
        self.query_one("#interrupt-list", Static).update(text)
        title = "WITHDRAW which interrupt?" if self.withdrawing else "INTERRUPT: press its key"
        self.query_one("#interrupt-title", Static).update(Text(title, style="bold"))

    def action_toggle_withdraw(self) -> None:
        self.withdrawing = not self.withdrawing
        self._show()

    def on_key(self, event: Key) -> None:
        character = (event.character or "").lower()
        for item in self.interrupts:
            if item.key.lower() == character:
                event.stop()
                if self.withdrawing:
                    if item.active:
                        self.dismiss((item.id, False))
                    return
                if item.active:
                    self.notify(f"{item.label} is already recorded.")
                    self.dismiss(None)
                    return
                self.dismiss((item.id, True))
                return


class NoteModal(_Modal):
    """A free-text note; Enter saves it (timestamped by the call screen). Also asks for a reason."""

    def __init__(
        self,
        title: str = "Note",
        placeholder: str = "what the caller said, a provider's name, anything worth keeping",
        warnings: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.warnings = warnings

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield modal_title(self.title_text)
            for warning in self.warnings:
                yield Static(Text(f"! {warning}", style="bold red"), classes="modal-warning")
            yield AnswerInput(placeholder=self.placeholder, id="note-input")
            yield modal_keys(self, "Enter saves")

    def on_mount(self) -> None:
        self.query_one("#note-input", Input).focus()

    @on(Input.Submitted, "#note-input")
    def _save(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        self.dismiss(text or None)

    def action_interrupt_now(self) -> None:
        # Keep what was typed: the note is recorded (by whoever opened it), then the interrupt keys open.
        text = self.query_one("#note-input", Input).value.strip()
        app = self.app
        self.dismiss(text or None)
        app.post_message(InterruptRequested())


def ask_note(app: Any, record: Callable[[Any], bool], now: Callable[[], datetime]) -> None:
    """The note key on the call, dispatch and handoff screens: the note dialog, and a note written is
    recorded as a ``NoteAdded`` at ``now()`` through the call's ``record`` (journalled first)."""

    def done(text: str | None) -> None:
        if text:
            record(NoteAdded(at=now(), text=text))

    app.push_screen(NoteModal(), done)


class ChoiceModal(_Modal):
    """Pick one of a list with arrows and Enter (or type the first letters to jump)."""

    def __init__(self, title: str, choices: list[tuple[str, str]], current: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield modal_title(self.title_text)
            yield OptionList(*[Option(label, id=value) for value, label in self.choices], id="choice-list")
            yield modal_keys(self, "Up/Down, Enter picks")

    def on_mount(self) -> None:
        options = self.query_one("#choice-list", OptionList)
        ids = [value for value, _ in self.choices]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    @on(OptionList.OptionSelected, "#choice-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)


class EndCallModal(_Modal):
    """End the call with an outcome: one key each (``end_<outcome>`` in the key table)."""

    BINDINGS: ClassVar[list[BindingType]] = _Modal.BINDINGS + bindings("end call")

    def __init__(self, state, call_line_model: str | None = None) -> None:
        super().__init__()
        self.state = state
        self.call_line_model = call_line_model
        """The protocol's warm-handoff model: accepting it is not a dispatch."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box"):
            yield modal_title("End the call: outcome?")
            text = Text()
            for code, words in CALL_OUTCOMES:
                text.append(f" {shown_key(self, f'end_{code}')} ", style="bold reverse")
                text.append(f" {words}" + ("  (suggested)" if code == self.suggested() else "") + "\n")
            yield Static(text)
            yield modal_keys(self, cancel="goes back to the call")

    def suggested(self) -> str | None:
        if self.state.handoff_outcome == "accepted":
            return "handoff_completed"
        if self.state.handoff_outcome == "disconnected":
            return "caller_disconnected"
        if self.state.accepted is not None and self.state.accepted[0] == self.call_line_model:
            return None  # a call-line call: no responders were dispatched
        if self.state.accepted is not None:
            return "dispatched"
        return None

    def action_outcome(self, code: str) -> None:
        self.dismiss(code)
