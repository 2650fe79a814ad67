"""The console's alert strip: what must stay in view on every screen until someone acts.

One strip at the top of whichever full screen is showing (home, setup, the call, dispatch, handoff,
the lists); dialogs float above it, so it stays visible under them. It shows lines it is given and
knows nothing of where they come from: the overdue-contact alert (tui/response_alerts.py, read from
the record store) and the centre-offline state give it their lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.widgets import Static

Level = Literal["alert", "notice"]


@dataclass(frozen=True)
class AlertLine:
    """One line of the strip: ``alert`` lines are red (act now), ``notice`` lines amber (a state)."""

    text: str
    level: Level = "alert"


STYLE = {"alert": "bold white on dark_red", "notice": "bold black on dark_orange"}


class AlertStrip(Static):
    DEFAULT_CSS = """
    AlertStrip {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $error 30%;
    }
    """

    lines: tuple[AlertLine, ...] = ()

    def show(self, lines: tuple[AlertLine, ...]) -> None:
        """Show ``lines`` (the strip hides itself when there are none)."""
        self.lines = lines
        self.display = bool(lines)
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, line in enumerate(lines):
            if n:
                text.append("\n")
            text.append(f" {line.text} ", style=STYLE[line.level])
        self.update(text)

    @property
    def plain(self) -> str:
        """What the strip says, as plain text (tests and the screen reader's summary)."""
        return "\n".join(line.text for line in self.lines)
