"""Practice mode: a run of one or more scenarios (an exam), the briefing before each call, the picker.

``open_practice(app)`` is what the console's home screen calls for its Practice key. The run keeps
every practice call in its own MemoryJournal: nothing is written to the live call records. Reports
and history go under ``<data dir>/training/`` when a run finishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine import CallSession, CallStarted, SessionError
from ...engine.views import model_name
from ...protocol.compiled import Protocol
from ...store.journal import CallMeta, MemoryJournal
from ...training.grading import ExamResult, Grade, grade_call
from ...training.library import Scenario
from ...training.runner import call_start, opening_events
from .setup import CallContext, CallSetupScreen


@dataclass
class PracticeRun:
    """One practice session: the scenarios to play in order, the trainee, and the grades so far."""

    protocol: Protocol
    scenarios: Sequence[Scenario]
    trainee: str
    exam: bool = False
    journal: MemoryJournal = field(default_factory=MemoryJournal)
    """Every practice call of the run, in memory only."""
    grades: list[Grade] = field(default_factory=list)
    index: int = 0
    reports: tuple[Path, Path] | None = None
    report_error: str | None = None
    started: datetime | None = None
    quit_on_finish: bool = True
    """True when the run is the whole app (``crisis-triage train``); False when opened from home."""

    @property
    def scenario(self) -> Scenario:
        return self.scenarios[self.index]

    @property
    def finished(self) -> bool:
        return len(self.grades) >= len(self.scenarios)

    @property
    def result(self) -> ExamResult:
        return ExamResult(tuple(self.grades))

    # -- flow ------------------------------------------------------------------------------------
    def brief(self, app: App) -> None:
        """Show the briefing for the current scenario (Enter picks up the call)."""
        _replace(app, BriefScreen(self))

    def pick_up(self, app: App) -> None:
        """The call rings: the trainee hears the opening line and picks the door, as on a live call.

        The line, district and language come preset from the scenario (dispatch knows the number
        dialled and where the call comes from; the caller's language is heard at once)."""
        doc = self.scenario.document
        line = doc.call.line or (self.protocol.document.lines[0].id if self.protocol.document.lines else None)
        defaults = CallContext(door=None, line=line, district=doc.call.district, language=doc.caller.language)

        def chosen(context: CallContext | None) -> None:
            if context is not None:
                self.begin(app, context)

        _replace(app, PracticeSetupScreen(self, defaults), chosen)

    def begin(self, app: App, context: CallContext) -> None:
        """Start the current scenario's call with the trainee's context, at the scenario's time of day."""
        from .practice_call import PracticeCallScreen

        scenario = self.scenario
        at = call_start(self.protocol, scenario, app.clock().date())
        events = opening_events(self.protocol, scenario, at)
        events[0] = CallStarted(
            at=at, door=context.door, line=context.line, district=context.district, language=context.language
        )
        meta = CallMeta(
            call_id=f"practice-{CallMeta.new_call_id()}",
            console_id=app.settings.console_id,
            call_taker_id=self.trainee,
            protocol_id=self.protocol.id,
            protocol_version=self.protocol.version,
            protocol_sha256=self.protocol.sha256,
            protocol_file=self.protocol.file,
            practice=True,
        )
        try:
            session = CallSession(self.protocol, events[0])
            for event in events[1:]:
                session.validate(event)
                session.apply(event)
            self.journal.start_call(meta, events[0])
            for event in events[1:]:
                self.journal.append(meta.call_id, event)
        except SessionError as exc:
            app.notify(str(exc), title="Cannot start this practice call", severity="error", timeout=10)
            return
        if self.started is None:
            self.started = app.clock()
        _replace(
            app,
            PracticeCallScreen(
                self.protocol, self.journal, meta, session, run=self, scenario=scenario, picked_up=app.clock()
            ),
        )

    def finish_call(self, app: App, scenario: Scenario, events: list) -> None:
        """Grade the call that just ended and show its debrief; save the reports when the run is over."""
        from .debrief import DebriefScreen

        try:
            grade = grade_call(self.protocol, scenario, events)
        except Exception as exc:
            from ...crash import report_crash

            where = report_crash(exc)
            app.notify(
                f"This call could not be graded ({type(exc).__name__}: {exc})."
                + (f" Details: {where}" if where else ""),
                title="Grading failed",
                severity="error",
                timeout=20,
            )
            # Drop the call from the run and carry on with the rest: the trainee loses one grade, not the session.
            self.scenarios = [s for i, s in enumerate(self.scenarios) if i != self.index]
            self.index -= 1
            if not self.finished:
                self.next(app)
            elif self.exam and self.grades:
                self.save(app)
                self.next(app)
            else:
                self.leave(app)
            return
        self.grades.append(grade)
        if self.finished:
            self.save(app)
        _replace(app, DebriefScreen(self, grade))

    def next(self, app: App) -> None:
        """After a debrief: the next scenario of the exam, or the exam's results."""
        if not self.finished:
            self.index += 1
            self.brief(app)
            return
        if self.exam:
            from .practice_results import ExamResultsScreen

            _replace(app, ExamResultsScreen(self))
            return
        self.leave(app)

    def retry(self, app: App) -> None:
        """Practise the same scenario again, then the rest of the queue (a new session: the calls
        graded so far are saved first, so each graded call is in the history exactly once)."""
        if self.grades and self.reports is None and self.report_error is None:
            self.save(app)
        remaining = list(self.scenarios[self.index + 1 :])
        again = PracticeRun(
            self.protocol, [self.scenario, *remaining], self.trainee, quit_on_finish=self.quit_on_finish
        )
        again.brief(app)

    def leave(self, app: App) -> None:
        if self.grades and self.reports is None and self.report_error is None:
            self.save(app)  # an exam left part-way still keeps the calls already graded
        if self.quit_on_finish:
            app.exit(0)
        else:
            app.show_home()

    def save(self, app: App) -> None:
        from ...training.history import save_reports

        try:
            self.reports = save_reports(
                self.grades,
                self.trainee,
                app.clock(),
                exam=f"exam-{self.started:%Y%m%d-%H%M%S}" if self.exam and self.started else None,
            )
        except OSError as exc:  # a full disk must not lose the debrief on screen
            self.report_error = f"The report could not be saved: {exc}"
            app.notify(self.report_error, severity="error", timeout=10)


def _replace(app: App, screen: Screen, callback=None) -> None:
    while len(app.screen_stack) > 1:
        app.pop_screen()
    app.push_screen(screen, callback)


class PracticeSetupScreen(CallSetupScreen):
    """The live setup screen, with the practice banner and what the caller says on pick-up."""

    def __init__(self, run: PracticeRun, defaults: CallContext) -> None:
        super().__init__(run.protocol, defaults)
        self.run = run

    def compose(self) -> ComposeResult:
        run = self.run
        opening = run.scenario.document.caller
        yield Static(f"PRACTICE: {run.scenario.title}  (not a live call)", id="practice-banner")
        text = Text("The caller: ", style="bold")
        text.append(f"\u201c{opening.opening}\u201d")
        if opening.opening_translation:
            text.append(f"\n({opening.opening_translation})", style="italic dim")
        yield Static(text, id="practice-opening")
        yield from super().compose()


class BriefScreen(Screen):
    """Before the call: who is calling, what to practise, the call's context. Enter picks up."""

    BINDINGS = [
        Binding("enter", "pick_up", "Pick up the call", id="practice_pick_up"),
        Binding("escape", "leave", "Leave practice", id="practice_leave"),
    ]

    def __init__(self, run: PracticeRun) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        run = self.run
        scenario = run.scenario
        doc = scenario.document
        protocol = run.protocol
        text = Text()
        heading = f"PRACTICE EXAM: call {run.index + 1} of {len(run.scenarios)}" if run.exam else "PRACTICE CALL"
        text.append(heading + "\n", style="bold reverse")
        text.append(f"\n{scenario.title}\n", style="bold")
        text.append(f"{doc.scenario.difficulty}   tags: {', '.join(doc.scenario.tags) or '-'}\n", style="dim")
        if doc.scenario.summary and not run.exam:
            text.append(f"\n{doc.scenario.summary.strip()}\n")
        text.append("\nPractise:\n", style="bold")
        for goal in doc.scenario.learning_goals:
            text.append(f"  - {goal}\n")
        call = doc.call
        line = next((x.label.get("en", x.id) for x in protocol.document.lines if x.id == call.line), call.line or "-")
        district = f"{call.district} {protocol.districts.get(call.district, '')}" if call.district else "unknown"
        text.append("\nDispatch gives the console:\n", style="bold")
        text.append(
            f"  line: {line}   district: {district}   time: {call.time}   language: {doc.caller.language}\n"
            "  Who is calling (the door) is yours to choose when you pick up.\n"
        )
        for model, reason in call.unavailable.items():
            text.append(f"  unavailable: {model_name(protocol, model)} ({reason})\n")
        text.append(
            "\nThe caller's words appear in the caller pane as you reach each question. Record what the "
            "caller means; record anything they volunteer with the interrupt key. Nothing is written to "
            "live records.\n",
            style="dim",
        )
        text.append("\n Enter ", style="bold reverse")
        text.append(" pick up the call    ")
        text.append(" Esc ", style="bold reverse")
        text.append(" leave practice")
        with VerticalScroll(id="practice-brief"):
            yield Static(text, id="brief-text")
        yield Footer()

    def action_pick_up(self) -> None:
        self.run.pick_up(self.app)

    def action_leave(self) -> None:
        self.run.leave(self.app)


class ScenarioPickerScreen(Screen):
    """Pick a scenario from the library (the console home's Practice key)."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="practice_back"),
        Binding("x", "exam", "Exam of 5", id="practice_exam"),
    ]

    def __init__(self, protocol: Protocol, scenarios: Sequence[Scenario], trainee: str) -> None:
        super().__init__()
        self.protocol = protocol
        self.scenarios = list(scenarios)
        self.trainee = trainee

    def compose(self) -> ComposeResult:
        with Vertical(id="practice-picker"):
            yield Static(Text("PRACTICE: pick a scenario (Enter), X for an exam of 5, Esc to go back", style="bold"))
            yield OptionList(
                *[
                    Option(f"{s.meta.difficulty[:3]}  {s.document.caller.language}  {s.title}", id=s.id)
                    for s in self.scenarios
                ],
                id="picker-list",
            )
        yield Footer()

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        chosen = next(s for s in self.scenarios if s.id == message.option.id)
        PracticeRun(self.protocol, [chosen], self.trainee, quit_on_finish=False, journal=self._journal()).brief(
            self.app
        )

    def _journal(self) -> MemoryJournal:
        # Practice calls never go to the app's live journal; a practice app's own memory journal is fine.
        journal = getattr(self.app, "practice_run", None)
        return journal.journal if journal is not None else MemoryJournal()

    def action_exam(self) -> None:
        import random

        count = min(5, len(self.scenarios))
        picked = random.sample(self.scenarios, count)
        PracticeRun(
            self.protocol, picked, self.trainee, exam=True, quit_on_finish=False, journal=self._journal()
        ).brief(self.app)

    def action_back(self) -> None:
        leave = getattr(self.app, "leave_practice", None)  # practice on its own (crisis-triage train) ends here
        if leave is not None:
            leave()
        else:
            self.app.show_home()


def open_practice(app: App) -> None:
    """The console home's Practice key: the shipped library beside the protocol in use."""
    from ...training.library import load_library

    folder = Path(app.protocol.file).parent / "scenarios"
    library = load_library(folder, app.protocol)
    if not library.scenarios:
        app.notify(f"No practice scenarios for this protocol in {folder}.", severity="warning", timeout=8)
        return
    if library.problems:
        app.notify(
            f"{len(library.problems)} scenario problem(s); run crisis-triage scenarios check.", severity="warning"
        )
    _replace(app, ScenarioPickerScreen(app.protocol, library.scenarios, app.settings.call_taker_id))
