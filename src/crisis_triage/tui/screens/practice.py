"""Practice screens before a call: the briefing, the pick-up (setup with the caller's first words), the picker.

Each returns what the trainee chose (``dismiss``); ``tui/practice_flow.py`` decides what comes next.
Nothing here touches live call records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.views import model_name
from ...keymap import bindings
from ...protocol.compiled import Protocol
from ...training.library import Scenario
from ...training.practice_queue import PracticeQueue
from ..keylabels import shown_key
from .setup import CallContext, CallSetupScreen

BriefChoice = Literal["pick_up", "leave"]
"""What the trainee does on the briefing: pick up the call, or leave practice."""


@dataclass(frozen=True)
class PracticePick:
    """The scenarios picked to play, in order, and whether they are an exam."""

    scenarios: tuple[Scenario, ...]
    exam: bool = False


class PracticeSetupScreen(CallSetupScreen):
    """The live setup screen, with the practice banner and what the caller says on pick-up."""

    def __init__(self, run: PracticeQueue, defaults: CallContext) -> None:
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


class BriefScreen(Screen[BriefChoice]):
    """Before the call: who is calling, what to practise, the call's context. Enter picks up."""

    BINDINGS = bindings("practice briefing")

    def __init__(self, run: PracticeQueue) -> None:
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
        text.append(f"\n {shown_key(self, 'practice_pick_up')} ", style="bold reverse")
        text.append(" pick up the call    ")
        text.append(f" {shown_key(self, 'practice_leave')} ", style="bold reverse")
        text.append(" leave practice")
        with VerticalScroll(id="practice-brief"):
            yield Static(text, id="brief-text")
        yield Footer()

    def action_pick_up(self) -> None:
        self.dismiss("pick_up")

    def action_leave(self) -> None:
        self.dismiss("leave")


class ScenarioPickerScreen(Screen[PracticePick | None]):
    """Pick a scenario from the library (the console home's Practice key); None goes back."""

    BINDINGS = bindings("practice picker")

    def __init__(self, protocol: Protocol, scenarios: Sequence[Scenario], trainee: str) -> None:
        super().__init__()
        self.protocol = protocol
        self.scenarios = list(scenarios)
        self.trainee = trainee

    def compose(self) -> ComposeResult:
        with Vertical(id="practice-picker"):
            yield Static(
                Text(
                    f"PRACTICE: pick a scenario (Enter), {shown_key(self, 'practice_exam')} for an exam of 5, "
                    f"{shown_key(self, 'practice_back')} to go back",
                    style="bold",
                )
            )
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
        self.dismiss(PracticePick((chosen,)))

    def action_exam(self) -> None:
        count = min(5, len(self.scenarios))
        self.dismiss(PracticePick(tuple(random.sample(self.scenarios, count)), exam=True))

    def action_back(self) -> None:
        self.dismiss(None)
