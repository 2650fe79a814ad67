"""The console's message line: one line of its own for what the console has to say.

Toasts cover whatever is under them (the call so far, a list, the caller's newest words, the next
question); a message here covers nothing. It keeps the latest message, with its time, until the
next one or until the screen goes (a call's messages end with the call).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

SEVERITY_STYLE = {"information": "", "warning": "bold yellow", "error": "bold white on dark_red"}


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine {
        height: 1;
        padding: 0 1;
        background: $boost;
        color: $text;
    }
    """

    def say(self, message: str, *, title: str = "", severity: str = "information", at: datetime | None = None) -> None:
        """Show one message (its title first); earlier ones are replaced."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if at is not None:
            text.append(f"{at:%H:%M:%S} ", style="dim")
        style = SEVERITY_STYLE.get(severity, "")
        if title:
            text.append(f"{title}: ", style=style or "bold")
        text.append(" ".join(message.split()), style=style)
        self.update(text, layout=False)  # always one line: a repaint, no layout pass
        self.message = f"{title}: {message}" if title else message

    def clear(self) -> None:
        self.update("", layout=False)
        self.message = ""

    message: str = ""
    """The message shown (plain), empty when none."""
