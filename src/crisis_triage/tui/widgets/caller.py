"""The caller pane of a practice call: what the scripted caller says, newest at the bottom.

Only shows lines it is given (the practice screen decides when the caller speaks); it holds no
triage or grading logic. Volunteered statements stand out: the trainee must notice and record them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from ...training.caller import CallerLine


class CallerLineView(Static):
    """One line of the caller (or a dispatch notice) in the pane."""


class CallerPane(Vertical):
    """Persona at the top, then the conversation, scrolled to the newest line."""

    DEFAULT_CSS = """
    CallerPane {
        height: 1fr;
        border: round $secondary;
        padding: 0 1;
    }
    CallerPane #caller-persona {
        color: $text-muted;
        height: auto;
        padding: 0 0 1 0;
    }
    CallerPane #caller-lines {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    CallerPane CallerLineView {
        height: auto;
        margin: 0 0 1 0;
    }
    CallerPane CallerLineView.-answer {
        color: $text;
    }
    CallerPane CallerLineView.-volunteered {
        background: $warning 25%;
        text-style: bold;
        border-left: thick $warning;
        padding: 0 0 0 1;
    }
    CallerPane CallerLineView.-dispatch {
        color: $text-muted;
        text-style: italic;
    }
    """

    def __init__(self, persona: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.persona = persona
        self.border_title = "Caller (practice)"

    def compose(self) -> ComposeResult:
        yield Static(self.persona, id="caller-persona")
        yield VerticalScroll(id="caller-lines", can_focus=False)

    def say(self, line: CallerLine, *, volunteered: bool = False, label: str | None = None) -> CallerLineView:
        """Add what the caller says; ``label`` names the question it answers, for the trainee's eye."""
        text = Text()
        if volunteered:
            text.append("CALLER VOLUNTEERS: ", style="bold")
        elif label:
            text.append(f"[{label}] ", style="dim")
        text.append(f"\u201c{line.says}\u201d")
        if line.translation:
            text.append(f"\n({line.translation})", style="italic dim")
        view = CallerLineView(text, classes="-volunteered" if volunteered else "-answer")
        self._add(view)
        return view

    def notice(self, message: str) -> CallerLineView:
        """A line that is not the caller speaking (dispatch says a team is unavailable)."""
        view = CallerLineView(Text(message), classes="-dispatch")
        self._add(view)
        return view

    def _add(self, view: CallerLineView) -> None:
        lines = self.query_one("#caller-lines", VerticalScroll)
        lines.mount(view)
        lines.scroll_end(animate=False)

    @property
    def lines(self) -> list[str]:
        """The plain text of every line shown, oldest first (tests and the debrief read it)."""
        result = []
        for view in self.query(CallerLineView):
            content = view.content
            result.append(content.plain if hasattr(content, "plain") else str(content))
        return result
