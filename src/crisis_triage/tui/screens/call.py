"""The live call screen: question, call so far, risk, recommendation; every event journalled first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static

from ...engine import (
    Answered,
    AvailabilityChanged,
    CallEnded,
    CallSession,
    CallStarted,
    ContextChanged,
    InterruptRecorded,
    InterruptWithdrawn,
    NoteAdded,
    RecommendationAccepted,
    Revised,
    SessionError,
    Skipped,
)
from ...engine.assessment import Assessment
from ...engine.views import (
    QuestionView,
    answer_changes,
    band_view,
    centre_time,
    interrupt_views,
    model_name,
    next_question_view,
    question_view,
)
from ...keymap import bindings, key_for, key_label
from ...protocol.compiled import Protocol
from ...store.journal import CallMeta, Journal
from ..widgets.header import CallHeader
from ..widgets.keybar import KeyBar
from ..widgets.question import QuestionPanel
from ..widgets.recommendation import RecommendationCard
from ..widgets.risk import RiskPanel, css_colour
from ..widgets.so_far import CallSoFar
from .call_link import AfterCall, CallLink
from .dispatch import DispatchScreen
from .handoff import HandoffScreen


class CallScreen(Screen):
    """One live call. Shows only what the engine says; every event goes to the journal first.

    Hooks for practice calls (``tui/screens/practice*.py`` subclass this screen):

    - **journal**: pass any :class:`~crisis_triage.store.journal.Journal`; practice passes a
      ``MemoryJournal`` so nothing reaches live records. :meth:`new_call` starts the call in it.
    - **banner**: ``practice=True`` shows a PRACTICE banner (``#practice-banner``) under the header;
      override :meth:`banner_text` to change its words.
    - **caller pane**: override :meth:`compose_caller_pane` to yield widgets; they are mounted in
      ``Vertical#caller-pane`` (between the question column and the risk column, hidden when empty).
      A subclass may also ``query_one("#caller-pane").mount(...)`` later (then add the
      ``-has-caller`` class to the pane to show it).
    - **observing events**: after each event is journalled and applied, the screen posts
      :class:`CallScreen.EventApplied` (``event``, ``assessment``) and calls :meth:`event_applied`;
      override the method or handle the message (``on_call_screen_event_applied``).
    - **recording**: :meth:`record` is the one way in for events (validate, journal, apply, show);
      a scripted caller or a test may call it too. :attr:`session` and :attr:`assessment` are public.
    - **ending**: :meth:`call_ended` runs after the CallEnded event; the default shows the
      call-ended screen (next call with one key); practice overrides it to show the debrief.
    """

    BINDINGS = bindings("call")
    AUTO_FOCUS = ""  # nothing focused: one-letter answer keys go to the screen
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (95, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]

    class EventApplied(Message):
        """An event was journalled and applied; ``assessment`` is the call after it."""

        def __init__(self, event: Any, assessment: Assessment) -> None:
            super().__init__()
            self.event = event
            self.assessment = assessment

    def __init__(
        self,
        protocol: Protocol,
        journal: Journal,
        meta: CallMeta,
        session: CallSession,
        *,
        practice: bool = False,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.protocol = protocol
        self.journal = journal
        self.meta = meta
        self.session = session
        self.practice = practice
        self._multi: set[str] = set()
        self._changed: frozenset[str] = frozenset()
        self._view: QuestionView | None = None

    # -- starting --------------------------------------------------------------------------------
    @staticmethod
    def new_call(protocol: Protocol, journal: Journal, meta: CallMeta, start: CallStarted) -> CallSession:
        """Journal the call's first event, then build its session (journal first, as for every event)."""
        session = CallSession(protocol, start)  # validates the context before anything is written
        journal.start_call(meta, start)
        return session

    # -- layout ----------------------------------------------------------------------------------
    def banner_text(self) -> str:
        return "PRACTICE CALL - nothing is recorded in live records"

    def compose_caller_pane(self) -> Iterable[Widget]:
        """Widgets for the caller pane (empty on a live call: the caller is on the phone)."""
        return ()

    def compose(self) -> ComposeResult:
        yield CallHeader(id="call-header")
        if self.practice:
            yield Static(self.banner_text(), id="practice-banner")
        with Horizontal(id="call-body"):
            with Vertical(id="call-main"):
                yield QuestionPanel(id="question")
                yield CallSoFar(id="so-far")
                yield Static(id="notes")
            with Vertical(id="caller-pane"):
                yield from self.compose_caller_pane()
            with VerticalScroll(id="call-side", can_focus=False):
                yield RiskPanel(id="risk")
                yield RecommendationCard(id="recommendation")
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        pane = self.query_one("#caller-pane")
        pane.set_class(bool(pane.children), "-has-caller")
        self.query_one("#so-far", CallSoFar).border_title = f"Call so far ({self._key('revise')}, Enter revises)"
        self.query_one("#risk", RiskPanel).border_title = "Risk"
        self.query_one("#recommendation", RecommendationCard).border_title = "Recommendation"
        self.refresh_call(None)
        self.set_interval(1.0, self._tick)

    def on_screen_resume(self) -> None:
        self.refresh_call(None)

    # -- the one way in ----------------------------------------------------------------------------
    @property
    def assessment(self) -> Assessment:
        return self.session.assessment

    def now(self) -> datetime:
        return self.app.clock()

    def record(self, event: Any) -> bool:
        """Validate, journal (durable before anything is shown), apply, show. False if refused."""
        try:
            self.session.validate(event)
        except SessionError as exc:
            self.notify(str(exc), title="Not recorded", severity="error", timeout=8)
            return False
        try:
            self.journal.append(self.meta.call_id, event)
        except Exception as exc:
            self.notify(
                f"The record store refused the event, so it was not applied: {exc}",
                title="NOT RECORDED",
                severity="error",
                timeout=15,
            )
            return False
        before = self.session.assessment
        self.session.apply(event)
        after = self.session.assessment
        self.refresh_call(before, event)
        self.post_message(self.EventApplied(event, after))
        self.event_applied(event, after)
        if isinstance(event, CallEnded):
            self.call_ended(event.outcome)
        return True

    def event_applied(self, event: Any, assessment: Assessment) -> None:
        """Called after every applied event (override in practice mode)."""

    def call_ended(self, outcome: str) -> None:
        """The call ended: show the ended screen, from which the next call is one key away."""
        from .ended import CallEndedScreen

        self.app.switch_screen(CallEndedScreen(self.protocol, self.session, self.meta))

    # -- showing -----------------------------------------------------------------------------------
    def _key(self, binding_id: str) -> str:
        return key_label(key_for(binding_id, getattr(self.app, "keymap_in_force", {})))

    def _tick(self) -> None:
        state = self.session.state
        self.query_one(CallHeader).show(
            elapsed=self.now() - state.started_at,
            protocol=self.protocol,
            state=state,
            console_id=self.meta.console_id,
            call_taker_id=self.meta.call_taker_id,
        )

    def refresh_call(self, before: Assessment | None, event: Any = None) -> None:
        """Repaint everything from the engine's assessment; make band/recommendation changes obvious."""
        protocol = self.protocol
        state = self.session.state
        after = self.session.assessment
        view = next_question_view(protocol, state, after)
        if view is None or self._view is None or view.id != self._view.id:
            self._multi = set()
        self._view = view
        self._tick()
        if isinstance(event, Revised) and before is not None:
            self._changed = frozenset({event.question})
        self.query_one(QuestionPanel).show(
            view,
            selected=frozenset(self._multi),
            accept_key=self._key("accept"),
            skip_key=self._key("skip"),
            compact=self.has_class("-short"),
        )
        self.query_one(CallSoFar).show(after, changed=self._changed)
        # The call-taker works in English; only the words read to the caller follow the caller's language.
        band = band_view(protocol, after.risk.band)
        self.query_one(RiskPanel).show(
            after,
            band,
            band_view(protocol, after.risk.points_band),
            interrupt_views(protocol, after.active_interrupts),
            interrupt_key=self._key("interrupt"),
        )
        if getattr(self, "_band_colour", None) != band.colour:
            self._band_colour = band.colour
            self.query_one(RiskPanel).styles.border = ("heavy", css_colour(band.colour))
        self.query_one(RecommendationCard).show(
            protocol, after.recommendation, accept_key=self._key("accept"), compact=self.has_class("-narrow")
        )
        self._show_notes()
        box = self.query_one("#q-input", Input)
        if view is not None and not view.options and self.focused is not self.query_one(CallSoFar):
            box.focus()
        elif isinstance(self.focused, Input) and self.focused is box:
            self.set_focus(None)
        if before is not None:
            self._announce_changes(before, after, event)

    def _show_notes(self) -> None:
        notes = self.session.state.notes
        widget = self.query_one("#notes", Static)
        widget.display = bool(notes)
        if notes:
            widget.update("\n".join(f"{centre_time(self.protocol, at):%H:%M:%S} {text}" for at, text in notes[-3:]))

    def _announce_changes(self, before: Assessment, after: Assessment, event: Any) -> None:
        protocol = self.protocol
        if before.risk.band != after.risk.band:
            old = band_view(protocol, before.risk.band)
            new = band_view(protocol, after.risk.band)
            raised = new.rank > old.rank
            self._flash("#risk")
            self.notify(
                f"{old.label} -> {new.label.upper()}",
                title="Risk band " + ("RAISED" if raised else "lowered"),
                severity="warning" if raised else "information",
                timeout=6,
            )
        old_rec, new_rec = before.recommendation, after.recommendation
        if (old_rec.model, old_rec.team) != (new_rec.model, new_rec.team):
            self._flash("#recommendation")
            self.notify(
                f"{model_name(protocol, old_rec.model)} -> {model_name(protocol, new_rec.model)}",
                title="Recommendation CHANGED",
                severity="warning",
                timeout=6,
            )
        if isinstance(event, Revised):
            changes = answer_changes(before, after)
            if changes:
                self.notify("; ".join(changes), title=f"Revised {event.question}", timeout=6)

    def _flash(self, selector: str) -> None:
        widget = self.query_one(selector)
        widget.add_class("-flash")
        self.set_timer(getattr(self.app, "flash_seconds", 2.5), lambda: widget.remove_class("-flash"))

    # -- answering -----------------------------------------------------------------------------------
    def _answer_event(self, question_id: str, value: Any) -> Answered | Revised:
        kind = Revised if question_id in self.session.state.answers else Answered
        return kind(at=self.now(), question=question_id, value=value)

    def on_key(self, event: Key) -> None:
        view = self._view
        if view is None or not view.options or isinstance(self.focused, Input):
            return
        if self.focused is self.query_one(CallSoFar):
            # In the list, a letter must not answer the question in hand by mistake: Enter revises
            # the highlighted answer, Escape (or F4 again) goes back to the question.
            if event.key == "escape":
                event.stop()
                self.set_focus(None)
            return
        if event.key == "enter" and view.type == "multi":
            event.stop()
            event.prevent_default()
            ids = [o.id for o in view.options if o.id in self._multi]
            self.record(self._answer_event(view.id, ids))
            return
        character = (event.character or "").lower()
        option = view.option_for_key(character) if character else None
        if option is None:
            return
        event.stop()
        event.prevent_default()
        if view.type == "multi":
            self._multi ^= {option.id}
            self.query_one(QuestionPanel).show(
                view,
                selected=frozenset(self._multi),
                accept_key=self._key("accept"),
                skip_key=self._key("skip"),
                compact=self.has_class("-short"),
            )
            return
        self.record(self._answer_event(view.id, option.id))

    @on(Input.Submitted, "#q-input")
    def _typed_answer(self, message: Input.Submitted) -> None:
        view = self._view
        if view is None:
            return
        text = message.value.strip()
        if not text:
            if view.required:
                self.notify("This question needs an answer.", severity="warning")
            else:
                self.record(Skipped(at=self.now(), question=view.id))
            return
        value: Any = text
        if view.type == "number":
            try:
                value = float(text)
            except ValueError:
                self.notify(f"{view.id} takes a number", severity="error")
                return
        if self.record(self._answer_event(view.id, value)):
            message.input.value = ""

    @on(OptionList.OptionSelected, "#so-far")
    def _revise_selected(self, message: OptionList.OptionSelected) -> None:
        question_id = message.option.id
        if question_id and not question_id.startswith("dropped:"):
            self.ask_out_of_order(question_id)

    def ask_out_of_order(self, question_id: str) -> None:
        """Open one question (to revise it, or to answer it ahead of its turn)."""
        from .modals import AnswerModal

        question = self.protocol.question_by_id[question_id]
        state = self.session.state
        view = question_view(self.protocol, question, state.door, state.language)

        def done(value: Any) -> None:
            if value is not None:
                self.record(self._answer_event(question_id, value))
            self.set_focus(None)
            self.refresh_call(None)

        self.app.push_screen(AnswerModal(view, state.answers.get(question_id)), done)

    # -- actions (keys in crisis_triage/keymap.py) -------------------------------------------------------------
    def action_interrupt(self) -> None:
        from .modals import InterruptModal

        def done(choice: tuple[str, bool] | None) -> None:
            if choice is None:
                return
            interrupt, record = choice
            if record:
                self.record(InterruptRecorded(at=self.now(), interrupt=interrupt))
            else:
                self.record(
                    InterruptWithdrawn(at=self.now(), interrupt=interrupt, reason="withdrawn by the call-taker")
                )

        views = interrupt_views(self.protocol, self.assessment.active_interrupts, self.session.state.language)
        self.app.push_screen(InterruptModal(views), done)

    def action_note(self) -> None:
        from .modals import NoteModal

        def done(text: str | None) -> None:
            if text:
                self.record(NoteAdded(at=self.now(), text=text))

        self.app.push_screen(NoteModal(), done)

    def action_revise(self) -> None:
        so_far = self.query_one(CallSoFar)
        if self.focused is so_far:
            self.refocus_question()
            return
        if so_far.option_count == 0:
            self.notify("Nothing answered yet to revise.")
            return
        so_far.focus()

    def refocus_question(self) -> None:
        """Back from the call-so-far list to the question in hand (its answer box, if it has one)."""
        view = self._view
        if view is not None and not view.options:
            self.query_one("#q-input", Input).focus()
        else:
            self.set_focus(None)

    def action_skip(self) -> None:
        if self._view is not None:
            self.record(Skipped(at=self.now(), question=self._view.id))

    def action_language(self) -> None:
        languages = self.protocol.languages
        current = self.session.state.language
        following = languages[(languages.index(current) + 1) % len(languages)] if current in languages else languages[0]
        self.set_language(following)

    def set_language(self, language: str) -> None:
        if language != self.session.state.language:
            self.record(ContextChanged(at=self.now(), language=language))

    def action_district(self) -> None:
        from .modals import ChoiceModal

        choices = [(d, f"{d}  {name}") for d, name in self.protocol.districts.items()]

        def done(district: str | None) -> None:
            if district and district != self.session.state.district:
                self.record(ContextChanged(at=self.now(), district=district))

        self.app.push_screen(ChoiceModal("District", choices, self.session.state.district), done)

    def action_unavailable(self) -> None:
        from .modals import ChoiceModal

        unavailable = self.session.state.unavailable
        choices = [
            (m, ("[unavailable] " if m in unavailable else "") + model_name(self.protocol, m))
            for m in self.protocol.models
        ]

        def done(model: str | None) -> None:
            if model is None:
                return
            if model in unavailable:
                self.record(AvailabilityChanged(at=self.now(), model=model, available=True))
            else:
                self.record(
                    AvailabilityChanged(
                        at=self.now(), model=model, available=False, reason="no team free (marked by the call-taker)"
                    )
                )

        self.app.push_screen(ChoiceModal("Team unavailable right now? (again to restore)", choices, None), done)

    def action_accept(self) -> None:
        """Dispatch what the engine recommends; then the dispatch summary, or the handoff for the call line."""
        if self.session.state.accepted is not None:  # accepting is idempotent: show the dispatch already made
            self.show_dispatch()
            return
        rec = self.assessment.recommendation
        if not self.record(RecommendationAccepted(at=self.now(), model=rec.model, recommended=rec.model)):
            return
        self.show_dispatch()

    def link(self) -> CallLink:
        """This call as the screens above it see it (read-only state, this screen's recorder)."""
        return CallLink(self.protocol, self.session, self.now, self.record, self.meta.call_id)

    def show_dispatch(self) -> None:
        """The dispatch summary, or the warm handoff when the engine's recommendation is the call line
        itself (``rec.handoff`` alone also holds for a team that includes the call line's roles: they
        get the dispatch summary, with H for the handoff)."""
        handoff = self.protocol.document.handoff
        if handoff is not None and self.assessment.recommendation.model == handoff.model:
            self.show_handoff()
        else:
            self.app.push_screen(DispatchScreen(self.link()), self._after_dispatch)

    def show_handoff(self) -> None:
        self.app.push_screen(HandoffScreen(self.link()), self._after_dispatch)

    def _after_dispatch(self, after: AfterCall | None) -> None:
        """What the dispatch or handoff screen asked for as it closed."""
        if after == "end_call":
            self.action_end_call()
        elif after == "interrupt":
            self.action_interrupt()
        elif after == "handoff":
            self.show_handoff()
        elif after == "dispatch":
            self.app.push_screen(DispatchScreen(self.link()), self._after_dispatch)

    def action_end_call(self) -> None:
        from .modals import EndCallModal

        def done(outcome: str | None) -> None:
            if outcome:
                self.record(CallEnded(at=self.now(), outcome=outcome))

        self.app.push_screen(EndCallModal(self.session.state), done)

    def jump_to(self, question_id: str) -> None:
        self.ask_out_of_order(question_id)

    def on_resize(self) -> None:
        self.refresh_call(None)
