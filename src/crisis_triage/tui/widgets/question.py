"""The current question in large type: what to read aloud, the hint, and the options with their keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from ...engine.views import QuestionView
from .repaint import update_if_changed


class AnswerInput(Input):
    """An Input that follows the app's ``cursor_blink`` (off in snapshot tests, so captures are stable)."""

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class QuestionPanel(Vertical):
    """Shows a :class:`QuestionView`; an answer box appears for text and number questions."""

    def compose(self) -> ComposeResult:
        yield Static(id="q-section")
        yield Static(id="q-text")
        yield Static(id="q-text-en")
        yield Static(id="q-hint")
        yield Static(id="q-options")
        yield AnswerInput(id="q-input")

    def show(self, view: QuestionView | None, *, selected: frozenset[str] = frozenset(), accept_key: str = "F9",
             skip_key: str = "F5") -> None:
        section = self.query_one("#q-section", Static)
        text = self.query_one("#q-text", Static)
        text_en = self.query_one("#q-text-en", Static)
        hint = self.query_one("#q-hint", Static)
        options = self.query_one("#q-options", Static)
        box = self.query_one("#q-input", Input)
        if view is None:
            update_if_changed(section, Text("All questions asked", style="bold"))
            update_if_changed(text, Text(f"Press {accept_key} to accept the recommendation.", style="bold"))
            for widget in (text_en, hint, options):
                widget.update("")
                widget.add_class("-empty")
            box.display = False
            self.set_class(False, "-safety")
            return
        tag = "  safety" if view.safety else ""
        optional = f"  optional: {skip_key} skips" if not view.required else ""
        update_if_changed(section, Text.assemble((f"Q{view.position} ", "bold"), (view.section, ""), (tag, "bold"), (optional, "dim")))
        self.set_class(view.safety, "-safety")
        update_if_changed(text, Text(view.text, style="bold"))
        text_en.set_class(not view.translated, "-empty")
        update_if_changed(text_en, Text(f"EN: {view.text_en}", style="italic") if view.translated else "")
        hint.set_class(not view.hint, "-empty")
        update_if_changed(hint, Text(view.hint, style="dim italic"))
        if view.options:
            line = Text()
            for option in view.options:
                picked = option.id in selected
                mark = "[x] " if view.type == "multi" and picked else ("[ ] " if view.type == "multi" else "")
                line.append(f" {option.key.upper()} ", style="bold reverse")
                line.append(f" {mark}{option.label}", style="bold" if picked else "")
                if option.label != option.label_en:
                    line.append(f" ({option.label_en})", style="dim")
                line.append("   ")
            if view.type == "multi":
                line.append(" Enter ", style="bold reverse")
                line.append(" done")
            update_if_changed(options, line)
            options.remove_class("-empty")
            box.display = False
        else:
            options.add_class("-empty")
            box.display = True
            placeholder = "type the answer, Enter to record"
            if view.type == "number":
                placeholder = f"a number ({view.minimum:g}-{view.maximum:g}), Enter to record" if view.minimum is not None and view.maximum is not None else "a number, Enter to record"
            if not view.required:
                placeholder += "; empty Enter skips"
            box.placeholder = placeholder
            box.type = "number" if view.type == "number" else "text"
