"""The current question in large type: what to read aloud, the hint, and the options with their keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.types import EdgeType
from textual.widget import Widget
from textual.widgets import Input, Static

from .repaint import update_if_changed

if TYPE_CHECKING:
    from ...engine.views import DispatchedView, FromInterrupt, QuestionView


def screen_dispatch(widget: Widget) -> DispatchedView | None:
    """The dispatch of the call on ``widget``'s screen, in the engine's words (None before it is
    dispatched, or on a screen that holds no call: the author's preview)."""
    session = getattr(widget.screen, "session", None) if widget.is_attached else None
    protocol = getattr(widget.screen, "protocol", None)
    if session is None or protocol is None:
        return None
    # the engine is loaded by now (the first frame may come before it: tui/launch.py)
    from ...engine.views import dispatched_view

    return dispatched_view(protocol, session.state)


class AnswerInput(Input):
    """An Input that follows the app's ``cursor_blink`` (off in snapshot tests, so captures are stable)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class QuestionPanel(Vertical):
    """Shows a :class:`QuestionView`; an answer box appears for text and number questions.

    The question is one Static of a fixed height, repainted without a layout pass: the next question
    reaches the screen in the same frame as the keypress's other changes (a layout pass costs a frame).
    Order is by what must survive on a small screen: the question as read aloud, its options, the
    English beside it (when the call is in another language), then the hint.

    The border says what kind of question is in hand: heavy in the theme's primary colour, heavy in
    its warning colour for a safety question, double in the warning colour while the answer box takes
    typing. It is set inline, not by CSS classes: toggling a class restyles the panel and its children
    (~10 ms a key, between safety and other questions), a border colour only repaints the edge.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._safety = False
        self._typing = False

    def on_mount(self) -> None:
        self._paint_border()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._paint_border())

    def set_typing(self, typing: bool) -> None:
        """The answer box has the keys (True) or the screen has them (False)."""
        self.set_class(typing, "-typing")  # the background (console.tcss)
        if typing != self._typing:
            self._typing = typing
            self._paint_border()

    def _paint_border(self) -> None:
        colours = self.app.theme_variables
        edge: EdgeType = "double" if self._typing else "heavy"
        colour = colours["warning"] if self._typing or self._safety else colours["primary"]
        self.styles.border = (edge, colour)

    def compose(self) -> ComposeResult:
        yield Static(id="q-body")
        yield AnswerInput(id="q-input")

    def show(
        self,
        view: QuestionView | None,
        *,
        selected: frozenset[str] = frozenset(),
        accept_key: str,
        skip_key: str,
        compact: bool = False,
        from_interrupt: FromInterrupt | None = None,
        confirm_key: str = "Enter",
        type_key: str = "Enter",
    ) -> None:
        """Show ``view``; ``from_interrupt`` is the answer a recorded interrupt already gives it
        (confirmed with ``confirm_key``); an optional typed answer starts with ``type_key``."""
        body = self.query_one("#q-body", Static)
        box = self.query_one("#q-input", Input)
        safety = bool(view and view.safety)
        if safety != self._safety:
            self._safety = safety
            self._paint_border()
        if view is None:
            dispatched = screen_dispatch(self)
            if dispatched is not None:  # a dispatched (or resumed dispatched) call: what was sent
                text = Text(f"{dispatched.headline}\n", style="bold")
                for line in dispatched.lines():
                    text.append(f"{line}\n")
                text.append(f"\nPress {accept_key} to see the dispatch.", style="bold")
                update_if_changed(body, text, layout=False)
                self._show_box(False)
                return
            update_if_changed(
                body,
                Text.assemble(
                    ("All questions asked\n\n", "bold"), (f"Press {accept_key} to accept the recommendation.", "bold")
                ),
                layout=False,
            )
            self._show_box(False)
            return
        text = Text()
        text.append(f"Q{view.position} ", style="bold")
        text.append(view.section)
        if view.safety:
            text.append("  safety", style="bold")
        if not view.required:
            text.append(f"  optional: {skip_key} skips", style="dim")
        text.append("\n")
        text.append(view.text, style="bold")
        if from_interrupt is not None:
            text.append(f"\nFROM INTERRUPT ({from_interrupt.interrupt_label}): ", style="bold yellow")
            text.append(from_interrupt.option_label.upper(), style="bold reverse yellow")
            text.append(f"  {confirm_key} confirms; another key answers otherwise", style="yellow")
        if view.options:
            if not compact:
                text.append("\n")
            # Options are laid out here, one whole option at a time: a line breaks between options,
            # never between a key and its label (Rich would wrap inside a long label).
            width = self.query_one("#q-body", Static).size.width or 80
            used = width  # forces the first option onto a new line
            for option in view.options:
                picked = option.id in selected
                mark = ("[x] " if picked else "[ ] ") if view.type == "multi" else ""
                part = Text()
                part.append(f" {option.key.upper()} ", style="bold reverse")
                part.append(f" {mark}{option.label}", style="bold" if picked else "")
                if option.label != option.label_en:
                    part.append(f" ({option.label_en})", style="dim")
                gap = 0 if used == width else 3
                if used + gap + part.cell_len > width:
                    text.append("\n")
                    used = 0
                elif gap:
                    text.append(" " * gap)
                    used += gap
                text.append_text(part)
                used += part.cell_len
            if view.type == "multi":
                text.append("    ")
                text.append(" Enter ", style="bold reverse")
                text.append(" done")
        if view.translated:
            text.append(f"\nEN: {view.text_en}", style="italic")
        if view.hint and not compact:
            text.append(f"\n{view.hint}", style="dim italic")
        update_if_changed(body, text, layout=False)
        self._show_box(not view.options)
        if not view.options:
            placeholder = "type the answer, Enter to record"
            if view.type == "number":
                placeholder = (
                    f"a number ({view.minimum:g}-{view.maximum:g}), Enter to record"
                    if view.minimum is not None and view.maximum is not None
                    else "a number, Enter to record"
                )
            if not view.required:
                placeholder = f"optional: {type_key} to type; empty Enter or {skip_key} skips"
            box.placeholder = placeholder
            box.type = "number" if view.type == "number" else "text"

    def _show_box(self, shown: bool) -> None:
        box = self.query_one("#q-input", Input)
        if box.display != shown:
            box.display = shown
