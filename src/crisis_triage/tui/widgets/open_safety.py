"""The safety questions not asked yet, on two lines of their own under the question.

Until every safety question is answered the console must say which are still open, never "no risk
found". The list changes with almost every answer early in a call; in the recommendation card it
made the whole card repaint (and often re-lay out) on each of those keys. Here it is a panel of
fixed height: the next open questions in asking order, and how many more, fitted to its width.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

PREFIX = "Safety questions open: "


class OpenSafety(Widget):
    DEFAULT_CSS = """
    OpenSafety {
        height: 2;
        padding: 0 1;
        color: $warning;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.names: tuple[str, ...] = ()

    def show(self, names: tuple[str, ...]) -> None:
        """The open safety questions' short names, in asking order (empty: the panel is hidden)."""
        if names == self.names:
            return
        self.names = names
        self.display = bool(names)
        self.refresh()

    def text(self, width: int = 0, lines: int = 2) -> Text:
        """The panel's words: as many names as fit ``lines`` of ``width`` cells, then "+N more"
        (every name when ``width`` is 0)."""
        names = self.names
        budget = width * lines - 2 if width > 0 else None  # a word wrapped early may waste a cell or two
        shown = len(names)

        def words(count: int) -> str:
            rest = len(names) - count
            return ", ".join(names[:count]) + (f", +{rest} more" if rest else "")

        while budget is not None and shown > 1 and len(PREFIX) + len(words(shown)) > budget:
            shown -= 1
        text = Text()
        text.append(PREFIX, style="bold")
        text.append(words(shown))
        return text

    def render(self) -> Text:
        return self.text(self.content_size.width, max(1, self.content_size.height))
