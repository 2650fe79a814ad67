"""The live call screen: question, call so far, risk, recommendation; every event journalled first.

This file holds the screen's layout, :meth:`CallScreen.record` (the one way in for events) and the
repaint and announcements after each event. Its keys live in mixins by responsibility:
``call_answers.py`` (answering, revising), ``call_accept.py`` (accept, dispatch, handoff, end),
``call_context.py`` (interrupt, note, referral, language, district, F8), ``call_events.py``
(interpreter, supervisor, rescue) and ``call_response.py`` (the response after dispatch).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.message import Message
from textual.widgets import Input, Static

from ...engine import (
    CallEnded,
    CallSession,
    CallStarted,
    Revised,
    SessionError,
)
from ...engine.assessment import Assessment
from ...engine.views import (
    FromInterrupt,
    QuestionView,
    answer_changes,
    answered_from_interrupt,
    band_view,
    call_band_view,
    centre_time,
    from_interrupt,
    interrupt_views,
    model_name,
    next_question_view,
    open_safety_labels,
    question_label,
)
from ...keymap import key_label
from ...protocol.compiled import Protocol
from ...store.journal import CallMeta, Journal
from ..widgets.header import CallHeader
from ..widgets.keybar import KeyBar
from ..widgets.message_line import MessageLine
from ..widgets.open_safety import OpenSafety
from ..widgets.question import QuestionPanel
from ..widgets.recommendation import RecommendationCard
from ..widgets.risk import RiskPanel, css_colour
from ..widgets.so_far import CallSoFar
from .call_accept import CallAccept
from .call_answers import CallAnswers
from .call_context import CallContextKeys
from .call_events import CallEventKeys
from .call_layout import CallLayout
from .call_response import CallResponse
from .referrals import show_referrals

if TYPE_CHECKING:
    from ..centre_hook import CallCentre


class CallScreen(CallAnswers, CallAccept, CallContextKeys, CallEventKeys, CallResponse, CallLayout):
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
        self._from_interrupt: FromInterrupt | None = None
        self.centre: CallCentre | None = None
        """The shared availability (:class:`~crisis_triage.tui.centre_hook.CallCentre`) when the console has a centre."""

    # -- starting --------------------------------------------------------------------------------
    @staticmethod
    def new_call(protocol: Protocol, journal: Journal, meta: CallMeta, start: CallStarted) -> CallSession:
        """Journal the call's first event, then build its session (journal first, as for every event)."""
        session = CallSession(protocol, start)  # validates the context before anything is written
        journal.start_call(meta, start)
        return session

    def on_mount(self) -> None:
        # A disposition's receiving service is checked against the referral directory (issue 16).
        self.session.directory = getattr(self.app, "directory", None)
        pane = self.query_one("#caller-pane")
        pane.set_class(bool(pane.children), "-has-caller")
        self.query_one("#so-far", CallSoFar).border_title = f"Call so far ({self._key('revise')}, Enter revises)"
        self.query_one("#risk", RiskPanel).border_title = "Risk"
        self.query_one("#recommendation", RecommendationCard).border_title = "Recommendation"
        self.refresh_call(None)
        self.set_interval(1.0, self._tick)
        link = getattr(self.app, "centre", None)
        if link is not None and not self.practice:
            from ..centre_hook import CallCentre

            self.centre = CallCentre(self, link)
        self.centre_changed()

    def centre_changed(self) -> None:
        """The centre's units or reachability changed (tui/centre_hook.py): the team marks follow (the
        app-wide alert strip says when the centre is offline, on every screen)."""
        if self.centre is not None:
            self.centre.sync()

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
            self.say(str(exc), title="Not recorded", severity="error")
            return False
        try:
            self.journal.append(self.meta.call_id, event)
        except Exception as exc:
            self.say(
                f"The record store refused the event, so it was not applied: {exc}",
                title="NOT RECORDED",
                severity="error",
            )
            return False
        before = self.session.assessment
        self.session.apply(event)
        after = self.session.assessment
        self.refresh_call(before, event)
        if self.centre is not None:
            self.centre.after(event)
        self.post_message(self.EventApplied(event, after))
        self.event_applied(event, after)
        self.after_event(event)  # call_response.py: follow-ups owed, the response line
        if isinstance(event, CallEnded):
            self.call_ended(event.outcome)
        return True

    def event_applied(self, event: Any, assessment: Assessment) -> None:
        """Called after every applied event (override in practice mode)."""

    def call_ended(self, outcome: str) -> None:
        """The call ended: show the ended screen, from which the next call is one key away."""
        from .ended import CallEndedScreen

        self.app.clear_notifications()  # the call's messages end with it
        self.app.switch_screen(CallEndedScreen(self.protocol, self.session, self.meta))

    # -- showing -----------------------------------------------------------------------------------
    def _key(self, binding_id: str) -> str:
        return key_label(self._binding_key(binding_id))

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
        same_question = view is not None and self._view is not None and view.id == self._view.id
        if not same_question:
            self._multi = set()
        self._view = view
        self._from_interrupt = from_interrupt(protocol, state, after) if view is not None else None
        self._tick()
        if isinstance(event, Revised) and before is not None:
            self._changed = frozenset({event.question})
        self._show_question()
        self.query_one(CallSoFar).show(
            after, changed=self._changed, from_interrupt=answered_from_interrupt(protocol, after)
        )
        # The call-taker works in English; only the words read to the caller follow the caller's language.
        band = call_band_view(protocol, after)
        open_safety = open_safety_labels(after)
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
            protocol,
            after.recommendation,
            accept_key=self._key("accept"),
            compact=self.has_class("-narrow"),
            open_safety=open_safety,
            found_anything=bool(after.facts),
        )
        self.query_one(OpenSafety).show(open_safety, questions_over=view is None)
        show_referrals(self)
        self._show_notes()
        self.show_call_events()
        box = self.query_one("#q-input", Input)
        # A required typed answer (the location) takes the keys at once; an optional one (a name)
        # waits for Enter, so answer keys pressed out of habit never become its text.
        typed = view is not None and not view.options
        if typed and view.required and self.focused is not self.query_one(CallSoFar):
            box.focus()
        elif self.focused is box and not (typed and same_question):
            self.set_focus(None)
        self._show_typing()
        if before is not None:
            self._announce_changes(before, after, event)

    def _show_question(self) -> None:
        self.query_one(QuestionPanel).show(
            self._view,
            selected=frozenset(self._multi),
            accept_key=self._key("accept"),
            skip_key=self._key("skip"),
            compact=self.has_class("-short"),
            from_interrupt=self._from_interrupt,
            confirm_key=self._key("confirm_from_interrupt"),
            type_key=self._key("type_answer"),
        )

    def _show_typing(self) -> None:
        """Typing and answering look different at a glance: the question panel and the key bar say TYPING."""
        typing = self.focused is self.query_one("#q-input", Input)
        self.query_one(QuestionPanel).set_typing(typing)
        self.query_one(KeyBar).show_typing(typing)

    def on_descendant_focus(self) -> None:
        self._show_typing()

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._show_typing)

    def say(self, message: str, *, title: str = "", severity: str = "information") -> None:
        """A message on the call's own line (never over the question, the lists or the caller's words)."""
        self.query_one(MessageLine).say(
            message, title=title, severity=severity, at=centre_time(self.protocol, self.now())
        )

    def _show_notes(self) -> None:
        notes = self.session.state.notes
        widget = self.query_one("#notes", Static)
        widget.display = bool(notes)
        if notes:
            widget.update("\n".join(f"{centre_time(self.protocol, at):%H:%M:%S} {text}" for at, text in notes[-3:]))

    def _announce_changes(self, before: Assessment, after: Assessment, event: Any) -> None:
        protocol = self.protocol
        parts: list[str] = []
        severity = "information"
        if before.risk.band != after.risk.band:
            old = call_band_view(protocol, before)
            new = call_band_view(protocol, after)
            raised = new.rank > old.rank
            self._flash("#risk")
            parts.append(f"Risk band {'RAISED' if raised else 'lowered'}: {old.label} -> {new.label.upper()}")
            severity = "warning" if raised else severity
        old_rec, new_rec = before.recommendation, after.recommendation
        if (old_rec.model, old_rec.team) != (new_rec.model, new_rec.team):
            self._flash("#recommendation")
            parts.append(
                f"Recommendation CHANGED: {model_name(protocol, old_rec.model)} -> {model_name(protocol, new_rec.model)}"
            )
            severity = "warning"
        if isinstance(event, Revised):
            changes = answer_changes(before, after)
            if changes:
                label = question_label(protocol.question_by_id[event.question])
                parts.append(f"Revised {label}: " + "; ".join(changes))
        if parts:
            self.say("  |  ".join(parts), severity=severity)

    def _flash(self, selector: str) -> None:
        widget = self.query_one(selector)
        widget.add_class("-flash")
        self.set_timer(getattr(self.app, "flash_seconds", 2.5), lambda: widget.remove_class("-flash"))

    # -- answering (call_answers.py) ---------------------------------------------------------------
    @on(Input.Submitted, "#q-input")
    def _typed_answer(self, message: Input.Submitted) -> None:
        self.typed_answer(message)  # call_answers.py (Textual registers @on handlers on the screen class only)

    @on(CallSoFar.Chosen)
    def _revise_selected(self, message: CallSoFar.Chosen) -> None:
        self.revise_chosen(message)  # call_answers.py

    def on_resize(self) -> None:
        # After the resize is handled: Textual sets the breakpoint classes (-short, -narrow) that the
        # compact texts follow in Screen's own handler, which runs after this one. A screen pushed on
        # a console already running (the next call, or the live screen after a launch snapshot) gets
        # one resize only, so a repaint here would keep the full texts on a small terminal.
        self.call_later(self.refresh_call, None)
