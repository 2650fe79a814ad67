"""The warm handoff to the call line: the script as a stepper, each step timestamped, then an outcome."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...engine import HandoffEnded, HandoffStepDone
from ...engine.views import centre_time
from ...keymap import BY_ID, HANDOFF_OUTCOMES, binding
from ..keylabels import shown_key
from ..widgets.message_line import MessageLine
from .call_link import AfterCall, CallLink
from .modals import ask_note
from .other_team import send_another_team


class HandoffScreen(Screen[AfterCall]):
    """Steps in order: Space marks the current one done (journalled with its time).

    Dismissed with what the call screen should do next (:data:`AfterCall`)."""

    # The outcomes right after the step key: a narrow footer cuts from the end.
    BINDINGS: ClassVar[list[BindingType]] = [
        binding(binding_id)
        for binding_id in (
            "handoff_step",
            *(f"handoff_{outcome}" for outcome in HANDOFF_OUTCOMES),
            "end_call",
            "handoff_copy",
            "back_to_call",
            "other_team",
            "notes",
        )
    ] + [binding("interrupt", "interrupt_now")]

    def __init__(self, call: CallLink) -> None:
        super().__init__()
        self.call = call

    def compose(self) -> ComposeResult:
        yield Static(id="handoff-title")
        with Horizontal(id="handoff-body"):
            with VerticalScroll(id="handoff-steps", can_focus=False):
                yield Static(id="handoff-stepper")
            with VerticalScroll(id="handoff-side", can_focus=False):
                yield Static(id="handoff-summary")
        yield MessageLine(id="message-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(
            "#handoff-summary"
        ).border_title = f"Counsellor summary ({shown_key(self, 'handoff_copy')} copies)"
        self.show()

    def show(self) -> None:
        handoff = self.call.session.handoff()
        if handoff is None:
            return
        title = Text(f"WARM HANDOFF to {handoff.service}", style="bold")
        if handoff.outcome:
            title.append(
                f"   outcome: {handoff.outcome.upper()}   {shown_key(self, 'end_call')} ends the call",
                style="bold reverse",
            )
        self.query_one("#handoff-title", Static).update(title)
        current = handoff.next_step
        text = Text()
        for number, step in enumerate(handoff.steps, 1):
            is_current = current is not None and step.id == current.id
            mark = "[x]" if step.done_at else ("[>]" if is_current else "[ ]")
            when = f"  {centre_time(self.call.protocol, step.done_at):%H:%M:%S}" if step.done_at else ""
            text.append(
                f"{mark} {number}. {step.title}", style="bold" if is_current else ("dim" if step.done_at else "")
            )
            text.append(when + "\n", style="dim")
            if is_current:
                if step.say:
                    text.append("   SAY: ", style="bold")
                    text.append(step.say + "\n", style="bold")
                if step.do:
                    text.append("   DO: ", style="bold")
                    text.append(step.do + "\n")
                text.append(f"   {shown_key(self, 'handoff_step')}: done\n", style="dim")
        if current is None and not handoff.outcome:
            text.append("\nAll steps done. Outcome: ", style="bold")
        elif not handoff.outcome:
            text.append("\nOutcome at any time: ", style="dim")
        if not handoff.outcome:
            for outcome in handoff.outcomes:
                if f"handoff_{outcome}" not in BY_ID:  # the console has keys for the usual three only
                    continue
                text.append(f" {shown_key(self, f'handoff_{outcome}')} ", style="bold reverse")
                text.append(f" {outcome}  ")
        text.append(
            f"\n\n{shown_key(self, 'other_team')} sends a team instead (caller refuses the phone, needs someone there)",
            style="dim",
        )
        self.query_one("#handoff-stepper", Static).update(text)
        self.query_one("#handoff-summary", Static).update(handoff.summary)

    def action_step_done(self) -> None:
        handoff = self.call.session.handoff()
        if handoff is None or handoff.next_step is None:
            self.notify("Every step is done; record the outcome.")
            return
        if self.call.record(HandoffStepDone(at=self.call.now(), step=handoff.next_step.id)):
            self.show()

    def action_outcome(self, outcome: str) -> None:
        handoff = self.call.session.handoff()
        if handoff is None or outcome not in handoff.outcomes:
            return
        if self.call.record(HandoffEnded(at=self.call.now(), outcome=outcome)):
            self.show()
            self.notify(f"Handoff {outcome}. {shown_key(self, 'end_call')} ends the call.")

    def action_copy(self) -> None:
        handoff = self.call.session.handoff()
        if handoff:
            self.app.copy_to_clipboard(handoff.summary)
            self.notify("Counsellor summary copied.")

    def action_other_team(self) -> None:
        """Send a team instead of (or as well as) the call line, e.g. the caller refuses the phone."""
        send_another_team(self, self.call, self.call.assessment.recommendation.model, lambda: self.dismiss("dispatch"))

    def action_back(self) -> None:
        self.dismiss("back")

    def action_end_call(self) -> None:
        self.dismiss("end_call")

    def action_note(self) -> None:
        ask_note(self.app, self.call.record, self.call.now)

    def action_interrupt_now(self) -> None:
        self.dismiss("interrupt")
