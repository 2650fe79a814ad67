"""``crisis-triage train``: the console app in practice mode, playing a run of scenarios from start to end.

A subclass of the console app so every screen, key and theme is the live console's own; it starts
on a practice briefing instead of a live call, and its journal is a MemoryJournal, so nothing a
trainee does reaches the live call records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual import events

from ..config import Settings
from ..protocol.compiled import Protocol
from ..store.journal import MemoryJournal
from ..training.library import Scenario
from ..training.practice_queue import PracticeQueue
from .app import ConsoleApp, local_now
from .practice_flow import PracticeFlow, open_picker
from .terminal_watch import watch_terminal
from .themes import HIGH_CONTRAST


class PracticeApp(ConsoleApp):
    """The console, practising: briefing, practice call, debrief, for each scenario of the run."""

    TITLE = "crisis-triage practice"
    CSS_PATH = "console.tcss"

    def __init__(
        self,
        settings: Settings,
        protocol: Protocol,
        scenarios: Sequence[Scenario],
        *,
        trainee: str,
        exam: bool = False,
        clock: Callable[[], datetime] = local_now,
        announce_startup: bool = True,
        cursor_blink: bool = True,
        library: Sequence[Scenario] = (),
    ) -> None:
        # Practice calls are kept in memory, never in the live records.
        self.practice_journal = MemoryJournal()
        super().__init__(
            settings,
            protocol,
            journal=self.practice_journal,
            clock=clock,
            announce_startup=announce_startup,
            cursor_blink=cursor_blink,
        )
        self.practice = PracticeFlow(
            self,
            PracticeQueue(protocol, list(scenarios), trainee, exam=exam),
            self.practice_journal,
            quit_on_finish=True,
        )
        """The session started from the command line (a pick from the library starts another)."""
        self.library = list(library)
        """With no scenario named, the trainee picks from this library (and comes back to it after each call)."""

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]  # Textual passes the Mount event to handlers that take it
        # Replaces the console's start-up (a live call, or unfinished calls to resume): practice
        # never offers or starts a live call.
        event.prevent_default()
        watch_terminal(self)
        self.register_theme(HIGH_CONTRAST)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.keymap_in_force:
            self.set_keymap(self.keymap_in_force)
        if self.practice.queue.scenarios:
            self.practice.brief()
        else:
            self.show_home()

    def show_home(self) -> None:
        """Practice has no live home: the scenario picker, or the end of practice."""
        if not self.library:
            self.exit(0)
            return
        open_picker(self, self.library, self.practice.queue.trainee, self.practice_journal, quit_on_finish=False)

    def leave_practice(self) -> None:
        self.exit(0)

    def action_quit_console(self) -> None:
        self.exit(0)


def run_practice(
    settings: Settings,
    protocol: Protocol,
    scenarios: Sequence[Scenario],
    *,
    trainee: str,
    exam: bool = False,
    library: Sequence[Scenario] = (),
) -> int:
    """Run the practice app in the terminal; the exit code for the command line.

    With no ``scenarios``, the trainee picks from ``library`` and returns to it after each call."""
    app = PracticeApp(settings, protocol, scenarios, trainee=trainee, exam=exam, library=library)
    code = app.run()
    result = app.practice.queue.result
    if result.grades:
        from ..training.tables import grade_summary

        for grade in result.grades:
            print(grade_summary(grade))
        if exam:
            print(f"Exam score {result.score}/100 ({result.critical} critical)")
        if app.practice.queue.reports:
            print(f"Report: {app.practice.queue.reports[0]}\n        {app.practice.queue.reports[1]}")
    return code if isinstance(code, int) else 0
