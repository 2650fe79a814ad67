"""Which practice screen comes next: briefing, pick-up, the call, its debrief, an exam's results.

The screens return what the trainee chose; the session itself (queue, grades, retries, saving) is
:class:`~crisis_triage.training.practice_queue.PracticeQueue`. Every practice call is kept in a
MemoryJournal: nothing reaches the live call records.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import Screen

from ..engine import CallSession, CallStarted, SessionError
from ..store.journal import CallMeta, MemoryJournal
from ..training.library import Scenario
from ..training.practice_queue import PracticeQueue
from ..training.runner import call_start, opening_events
from .screens.debrief import DebriefChoice, DebriefScreen
from .screens.practice import BriefChoice, BriefScreen, PracticePick, PracticeSetupScreen, ScenarioPickerScreen
from .screens.practice_call import PracticeCallScreen
from .screens.practice_results import ExamResultsScreen
from .screens.setup import CallContext


def replace_screens(app: App, screen: Screen, callback: Any = None) -> None:
    """Show ``screen`` alone above the default screen (practice keeps one screen at a time)."""
    while len(app.screen_stack) > 1:
        app.pop_screen()
    app.push_screen(screen, callback)


class PracticeFlow:
    """Drives one practice session through its screens."""

    def __init__(self, app: App, queue: PracticeQueue, journal: MemoryJournal, *, quit_on_finish: bool) -> None:
        self.app = app
        self.queue = queue
        self.journal = journal
        """Every practice call of the session, in memory only."""
        self.quit_on_finish = quit_on_finish
        """True when practice is the whole app (``crisis-triage train``); False when opened from home."""

    # -- before the call -----------------------------------------------------------------------------
    def brief(self) -> None:
        """The briefing for the current scenario (Enter picks up)."""
        replace_screens(self.app, BriefScreen(self.queue), self._briefed)

    def _briefed(self, choice: BriefChoice | None) -> None:
        if choice == "pick_up":
            self.pick_up()
        else:
            self.leave()

    def pick_up(self) -> None:
        """The call rings: the trainee hears the opening line and picks the door, as on a live call.

        The line, district and language come preset from the scenario (dispatch knows the number
        dialled and where the call comes from; the caller's language is heard at once)."""
        protocol = self.queue.protocol
        doc = self.queue.scenario.document
        line = doc.call.line or (protocol.document.lines[0].id if protocol.document.lines else None)
        defaults = CallContext(door=None, line=line, district=doc.call.district, language=doc.caller.language)

        def chosen(context: CallContext | None) -> None:
            if context is not None:
                self.begin(context)

        replace_screens(self.app, PracticeSetupScreen(self.queue, defaults), chosen)

    def begin(self, context: CallContext) -> None:
        """Start the current scenario's call with the trainee's context, at the scenario's time of day."""
        app = self.app
        queue = self.queue
        protocol = queue.protocol
        scenario = queue.scenario
        at = call_start(protocol, scenario, app.clock().date())
        events = opening_events(protocol, scenario, at)
        events[0] = CallStarted(
            at=at, door=context.door, line=context.line, district=context.district, language=context.language
        )
        meta = CallMeta(
            call_id=f"practice-{CallMeta.new_call_id()}",
            console_id=app.settings.console_id,
            call_taker_id=queue.trainee,
            protocol_id=protocol.id,
            protocol_version=protocol.version,
            protocol_sha256=protocol.sha256,
            protocol_file=protocol.file,
            practice=True,
        )
        try:
            session = CallSession.replay(protocol, events[:1])  # SessionError unless it begins with call_started
            for event in events[1:]:
                session.validate(event)
                session.apply(event)
            self.journal.start_call(meta, events[0])
            for event in events[1:]:
                self.journal.append(meta.call_id, event)
        except SessionError as exc:
            app.notify(str(exc), title="Cannot start this practice call", severity="error", timeout=10)
            return
        queue.picked_up(app.clock())
        screen = PracticeCallScreen(
            protocol, self.journal, meta, session, run=queue, scenario=scenario, picked_up=app.clock()
        )
        replace_screens(app, screen, self._call_ended)

    # -- after the call ------------------------------------------------------------------------------
    def _call_ended(self, events: list | None) -> None:
        if events is not None:
            self.finish_call(events)

    def finish_call(self, events: list) -> None:
        """Grade the call that just ended and show its debrief; save the reports when the run is over."""
        queue = self.queue
        try:
            grade = queue.grade(events)
        except Exception as exc:
            from ..crash import report_crash

            where = report_crash(exc)
            self.app.notify(
                f"This call could not be graded ({type(exc).__name__}: {exc})."
                + (f" Details: {where}" if where else ""),
                title="Grading failed",
                severity="error",
                timeout=20,
            )
            # Drop the call from the run and carry on with the rest: the trainee loses one grade, not the session.
            queue.drop_current()
            if not queue.finished:
                self.next()
            elif queue.exam and queue.grades:
                self.save()
                self.next()
            else:
                self.leave()
            return
        if queue.finished:
            self.save()
        self.show_debrief(grade)

    def show_debrief(self, grade) -> None:
        replace_screens(self.app, DebriefScreen(self.queue, grade), self._debriefed)

    def _debriefed(self, choice: DebriefChoice | None) -> None:
        if choice == "next":
            self.next()
        elif choice == "retry":
            self.retry()
        else:
            self.leave()

    def next(self) -> None:
        """After a debrief: the next scenario of the exam, or the exam's results."""
        if self.queue.advance():
            self.brief()
        elif self.queue.exam:
            replace_screens(self.app, ExamResultsScreen(self.queue), self._reviewed)
        else:
            self.leave()

    def _reviewed(self, number: int | None) -> None:
        # Enter on a reviewed debrief comes back to the results (the run is finished, so "next" is them).
        if number is None:
            self.leave()
        else:
            self.show_debrief(self.queue.grades[number - 1])

    def retry(self) -> None:
        """Practise the same scenario again, then the rest of the queue (a new session)."""
        self.save()
        PracticeFlow(self.app, self.queue.again(), self.journal, quit_on_finish=self.quit_on_finish).brief()

    def leave(self) -> None:
        self.save()  # an exam left part-way still keeps the calls already graded
        if self.quit_on_finish:
            self.app.exit(0)
        else:
            self.app.show_home()

    def save(self) -> None:
        had_error = self.queue.report_error
        self.queue.save(self.app.clock())
        if self.queue.report_error and not had_error:
            self.app.notify(self.queue.report_error, severity="error", timeout=10)


def open_picker(app: App, scenarios: Sequence[Scenario], trainee: str, journal: MemoryJournal, *, quit_on_finish: bool):
    """The scenario picker; the pick starts a practice session, going back leaves practice."""

    def picked(pick: PracticePick | None) -> None:
        if pick is None:
            leave = getattr(app, "leave_practice", None)  # practice on its own (crisis-triage train) ends here
            if leave is not None:
                leave()
            else:
                app.show_home()
            return
        queue = PracticeQueue(app.protocol, list(pick.scenarios), trainee, exam=pick.exam)
        PracticeFlow(app, queue, journal, quit_on_finish=quit_on_finish).brief()

    replace_screens(app, ScenarioPickerScreen(app.protocol, scenarios, trainee), picked)


def open_practice(app: App) -> None:
    """The console home's Practice key: the shipped library beside the protocol in use."""
    from ..training.library import load_library

    folder = Path(app.protocol.file).parent / "scenarios"
    library = load_library(folder, app.protocol)
    if not library.scenarios:
        app.notify(f"No practice scenarios for this protocol in {folder}.", severity="warning", timeout=8)
        return
    if library.problems:
        app.notify(
            f"{len(library.problems)} scenario problem(s); run crisis-triage scenarios check.", severity="warning"
        )
    # Practice calls never go to the console's live journal.
    open_picker(app, library.scenarios, app.settings.call_taker_id, MemoryJournal(), quit_on_finish=False)
