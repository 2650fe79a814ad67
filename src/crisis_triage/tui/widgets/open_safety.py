"""The safety questions not asked yet, on two lines of their own under the question.

Until every safety question is answered the console must say which are still open, never "no risk
found". The list changes with almost every answer early in a call; in the recommendation card it
made the whole card repaint (and often re-lay out) on each of those keys. Here it is a panel of
fixed height: the next open questions in asking order, and how many more, fitted to its width.

Once none is open the panel says so at once (a repaint), and gives its two lines to the call-so-far
list below when the keys pause (or when the questions are over): hiding it re-lays out the screen,
twice (~10-20 ms, a frame or two), which a key need not wait for.
"""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

PREFIX = "Safety questions open: "
ALL_ANSWERED = "All safety questions answered"
QUIET_SECONDS = 0.5
"""How long the keys must pause before the panel, with no safety question open, hides."""


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
        self._hide_timer: Timer | None = None

    def show(self, names: tuple[str, ...], *, questions_over: bool = False) -> None:
        """The open safety questions' short names, in asking order. Called after every event: with
        none open the panel says so, and hides at once when ``questions_over`` (no question left),
        else once no event has come for QUIET_SECONDS."""
        if names or questions_over:
            self._stop_hide_timer()
            if self.display != bool(names):
                self.display = bool(names)
        elif self.display:
            if self._hide_timer is None:
                self._hide_timer = self.set_timer(QUIET_SECONDS, self._hide)
            else:
                self._hide_timer.reset()
        if names == self.names:
            return
        self.names = names
        self.refresh()

    def _stop_hide_timer(self) -> None:
        if self._hide_timer is not None:
            self._hide_timer.stop()
            self._hide_timer = None

    def _hide(self) -> None:
        self._hide_timer = None
        if not self.names:
            self.display = False

    def text(self, width: int = 0, lines: int = 2) -> Text:
        """The panel's words: as many names as fit ``lines`` of ``width`` cells, then "+N more"
        (every name when ``width`` is 0); when none is open, that all are answered."""
        names = self.names
        if not names:
            return Text(ALL_ANSWERED, style="bold green")
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
