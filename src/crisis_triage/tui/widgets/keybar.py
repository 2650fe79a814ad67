"""The call screen's key bar: its shown bindings, drawn once.

Textual's Footer rebuilds itself whenever the focus moves (its bindings may change), which costs a
frame on the first answer after a typed one. The call screen's keys do not depend on focus (they
are priority bindings), so a static bar says the same thing without the cost.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...keymap import key_label


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

    def _draw(self) -> None:
        keymap = getattr(self.app, "keymap_in_force", {})
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.typing:
            text.append(" TYPING ", style="bold reverse yellow")
            text.append(" letters go into the box; Enter records ")
        for binding in self.screen.BINDINGS:
            if not getattr(binding, "show", True):
                continue
            key = keymap.get(binding.id, binding.key) if binding.id else binding.key
            text.append(f" {key_label(key.split(',')[0])} ", style="bold reverse")
            text.append(f"{binding.description} ")
        for key, what in ((keymap.get("help", "f1"), "Help"),):
            text.append(f" {key_label(key)} ", style="bold reverse")
            text.append(f"{what} ")
        self.update(text)
