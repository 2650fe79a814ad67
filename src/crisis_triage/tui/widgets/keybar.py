"""The call screen's key bar: its shown bindings, drawn once per size.

Textual's Footer rebuilds itself whenever the focus moves (its bindings may change), which costs a
frame on the first answer after a typed one. The call screen's keys do not depend on focus (they
are priority bindings), so a static bar says the same thing without the cost.

At narrow widths the bar never cuts a key off mid-word: it first shortens the words, then drops the
least needed keys (the key table lists the call's keys most needed first), and Help always stays.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...keymap import key_label

#: Shorter words for a narrow bar, by binding id (a key not named here keeps its own words).
SHORT_WORDS = {
    "interrupt": "Intr",
    "accept": "ACCEPT",
    "end_call": "End",
    "revise": "Revise",
    "notes": "Note",
    "skip": "Skip",
    "language": "Lang",
    "referral": "Refer",
    "help": "Help",
}

TYPING_WORDS = (" letters go into the box; Enter records ", " Enter records ", "")


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    typing: bool = False

    def show_typing(self, typing: bool) -> None:
        """Keys type into the answer box (letters are text, not answers): say so first on the bar."""
        if typing != self.typing:
            self.typing = typing
            self.set_class(typing, "-typing")
            self._draw()

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def keys(self) -> list[tuple[str, str, str]]:
        """(binding id, key label, words) of every key the bar can show, most needed first, Help last."""
        keymap = getattr(self.app, "keymap_in_force", {})
        shown = []
        for binding in self.screen.BINDINGS:
            if not getattr(binding, "show", True):
                continue
            key = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown.append((binding.id or "", key_label(key.split(",")[0]), binding.description))
        shown.append(("help", key_label(keymap.get("help", "f1")), "Help"))
        return shown

    def _draw(self) -> None:
        width = self.size.width or self.app.size.width
        for text in self._candidates():
            if text.cell_len <= width:
                break
        self.update(text, layout=False)  # always one line: a repaint, no layout pass

    def _candidates(self):
        """Bars from the fullest to the barest: whole words, then shorter typing words and key
        words, then without the least needed keys (the end of the list); Help stays to the last."""
        keys = self.keys()
        help_key, others = keys[-1], keys[:-1]
        typing = TYPING_WORDS if self.typing else ("",)
        yield self._bar(keys, False, typing[0])
        for typing_words in typing[1:]:
            yield self._bar(keys, False, typing_words)
        for typing_words in typing:
            yield self._bar(keys, True, typing_words)
        for count in range(len(others) - 1, -1, -1):
            yield self._bar(others[:count] + [help_key], True, typing[-1])

    def _bar(self, keys: list[tuple[str, str, str]], short: bool, typing_words: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.typing:
            text.append(" TYPING ", style="bold reverse yellow")
            text.append(typing_words or " ")
        for binding_id, key, words in keys:
            text.append(f" {key} ", style="bold reverse")
            text.append(f"{SHORT_WORDS.get(binding_id, words) if short else words} ")
        return text
