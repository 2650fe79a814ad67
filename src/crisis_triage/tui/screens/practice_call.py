"""The practice call: the live call screen with a PRACTICE banner and a scripted caller beside it.

Everything the trainee does goes through the live screen's own code (same keys, same modals, same
engine); this subclass only adds the caller pane, keeps the call in a MemoryJournal, runs the call's
clock at the scenario's time of day, and shows the debrief instead of the call-ended screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual.widget import Widget

from ...engine import Answered, CallSession, Revised, Skipped
from ...engine.assessment import Assessment
from ...engine.views import model_name
from ...protocol.compiled import Protocol
from ...store.journal import CallMeta, Journal
from ...training.caller import ScriptedCaller
from ...training.library import Scenario
from ...training.practice_queue import PracticeQueue
from ..widgets.caller import CallerPane
from .call import CallScreen


class PracticeCallScreen(CallScreen):
    """A live call screen whose caller is a scenario's script; nothing reaches live records.

    When the call ends the screen is dismissed with the call's events (to be graded)."""

    def __init__(
        self,
        protocol: Protocol,
        journal: Journal,
        meta: CallMeta,
        session: CallSession,
        *,
        run: PracticeQueue,
        scenario: Scenario,
        picked_up: datetime,
    ) -> None:
        super().__init__(protocol, journal, meta, session, practice=True)
        self.run = run
        self.scenario = scenario
        self.caller = ScriptedCaller(scenario.document, protocol)
        self.picked_up = picked_up
        """The app clock's reading at pick-up: the call's clock runs from the scenario's time of day."""
        self._answered: list[str] = []
        self._heard: list[int] = []
        self._prompted: str | None = None

    # -- the call's clock ----------------------------------------------------------------------
    def now(self) -> datetime:
        """Scenario time: the call started at the scenario's time of day and runs at wall-clock speed."""
        return self.session.state.started_at + (self.app.clock() - self.picked_up)

    # -- layout ----------------------------------------------------------------------------------
    def banner_text(self) -> str:
        position = f"  call {self.run.index + 1} of {len(self.run.scenarios)}" if self.run.exam else ""
        return f"PRACTICE{' EXAM' if self.run.exam else ''}{position}: {self.scenario.title}  (not a live call)"

    def compose_caller_pane(self) -> Iterable[Widget]:
        persona = self.scenario.document.caller
        temperament = f"; {persona.temperament}" if persona.temperament else ""
        yield CallerPane(f"{persona.who}{temperament}", id="caller")

    def on_mount(self) -> None:
        pane = self.query_one(CallerPane)
        for model, reason in self.scenario.document.call.unavailable.items():
            pane.notice(f"Dispatch: {model_name(self.protocol, model)} unavailable ({reason})")
        pane.say(self.caller.opening())
        self._volunteer_due()
        self._prompt_next()

    # -- the caller speaks ---------------------------------------------------------------------------
    def event_applied(self, event: Any, assessment: Assessment) -> None:
        if isinstance(event, (Answered, Revised, Skipped)) and event.question not in self._answered:
            self._answered.append(event.question)
            self._volunteer_due()
        self._prompt_next()

    def _volunteer_due(self) -> None:
        pane = self.query_one(CallerPane)
        for index in self.caller.due(self._answered, self._heard):
            self._heard.append(index)
            # Shown in the pane only, highlighted: noticing what a caller blurts out is the skill practised.
            pane.say(self.caller.volunteer_line(index), volunteered=True)

    def _prompt_next(self) -> None:
        """When the console reaches a new question, the caller answers it (as if just asked)."""
        question = self.session.assessment.next_question
        if question is None or question.id == self._prompted or question.id in self.session.state.answers:
            return
        self._prompted = question.id
        self.query_one(CallerPane).say(self.caller.line_for(question.id), label=question.id)

    @property
    def heard(self) -> tuple[int, ...]:
        return tuple(self._heard)

    # -- the end -------------------------------------------------------------------------------------
    def call_ended(self, outcome: str) -> None:
        self.dismiss(list(self.session.events))
