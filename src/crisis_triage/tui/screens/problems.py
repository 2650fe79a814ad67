"""A protocol that fails validation: its problems, one per line, and a clean exit (no traceback)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static


class ProtocolProblemsScreen(Screen):
    BINDINGS = [
        Binding("q", "app.exit_with_problems", "Quit"),
        Binding("enter", "app.exit_with_problems", "Quit"),
        Binding("ctrl+q", "app.exit_with_problems", "Quit"),
    ]

    def __init__(self, path: str, problems: list) -> None:
        super().__init__()
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        text = Text(f"The protocol {self.path} cannot be used: {len(self.problems)} problem(s)\n\n", style="bold red")
        for problem in self.problems:
            text.append(str(problem) + "\n")
        text.append(
            "\nFix the file (crisis-triage validate FILE shows the same list) and start again. Press Q to quit.",
            style="bold",
        )
        with VerticalScroll(id="problems"):
            yield Static(text, id="problems-text")
