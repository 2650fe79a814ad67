"""A protocol that fails validation: its problems, one per line, and a clean exit (no traceback)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ...keymap import binding, bindings
from ..keylabels import shown_key


class ProtocolProblemsScreen(Screen):
    BINDINGS = bindings("protocol problems") + [binding("quit", "app.exit_with_problems")]

    def __init__(self, path: str, problems: list) -> None:
        super().__init__()
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        text = Text(f"The protocol {self.path} cannot be used: {len(self.problems)} problem(s)\n\n", style="bold red")
        for problem in self.problems:
            text.append(str(problem) + "\n")
        text.append(
            "\nFix the file (crisis-triage validate FILE shows the same list) and start again. "
            f"Press {shown_key(self, 'problems_quit')} to quit.",
            style="bold",
        )
        with VerticalScroll(id="problems"):
            yield Static(text, id="problems-text")
