"""CallSession: a call fed events, giving the next question, the risk and the recommendation.

Pure and deterministic: no files, no clock, no terminal. Every input is an event carrying its own
time; the session keeps them all, so a call is rebuilt exactly with :meth:`CallSession.replay`.
An event the protocol cannot accept (an unknown question, an answer that is not an option, skipping
a required question) raises :class:`SessionError` and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.errors import did_you_mean
from ..protocol.models import is_language_tag
from .aftercare import AFTER_EVENTS, check, owed_followups, track
from .assessment import Assessment
from .evaluate import evaluate
from .events import (
    Answered,
    AnyEvent,
    AvailabilityChanged,
    CallEnded,
    CallStarted,
    ContextChanged,
    HandoffEnded,
    HandoffStepDone,
    InterruptRecorded,
    InterruptWithdrawn,
    NoteAdded,
    RecommendationAccepted,
    Revised,
    Skipped,
)
from .events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from .events_centre import SupervisorConsulted
from .events_referrals import ReferralGiven
from .events_response import FollowUpScheduled
from .handoff import RenderedHandoff, render_handoff
from .state import CallState

if TYPE_CHECKING:
    from ..protocol.directory import Directory

MAX_TEXT = 2000


class SessionError(ValueError):
    """An event the protocol cannot accept; the message says what would be accepted."""


class CallSession:
    """One call. Feed it events with :meth:`apply` (or the helpers); read :attr:`assessment`."""

    def __init__(self, protocol: Protocol, start: CallStarted):
        self.protocol = protocol
        self.directory: Directory | None = None
        """The referral directory new events are checked against (a receiving service); None on replay."""
        self._events: list[AnyEvent] = []
        self._state = CallState(started_at=start.at, now=start.at)
        self._assessment: Assessment | None = None
        self.apply(start)

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def replay(cls, protocol: Protocol, events: Iterable[AnyEvent]) -> "CallSession":
        """Rebuild a call from its events (the first must be CallStarted)."""
        iterator = iter(events)
        first = next(iterator, None)
        if not isinstance(first, CallStarted):
            raise SessionError("a call's events must begin with call_started")
        session = cls(protocol, first)
        for event in iterator:
            session.apply(event)
        return session

    @property
    def events(self) -> tuple[AnyEvent, ...]:
        return tuple(self._events)

    @property
    def state(self) -> CallState:
        return self._state

    @property
    def assessment(self) -> Assessment:
        if self._assessment is None:
            self._assessment = evaluate(self.protocol, self._state)
        return self._assessment

    def handoff(self) -> RenderedHandoff | None:
        """The warm handoff script, filled in from the call (None if the protocol has none)."""
        return render_handoff(self.protocol, self._state, self.assessment)

    # -- the one way in ------------------------------------------------------------------------
    def apply(self, event: AnyEvent) -> None:
        """Record one event (after :meth:`validate`); the assessment is worked out when next read."""
        self.validate(event)
        state = self._state
        if event.at > state.now and not isinstance(event, AFTER_EVENTS):
            # The response's progress does not move the call's clock: the recommendation (which can
            # depend on the hour) stays the one the call-taker saw when dispatching.
            state.now = event.at
        match event:
            case CallStarted() | ContextChanged():
                for name in ("door", "line", "district", "language"):
                    value = getattr(event, name)
                    if value is not None:
                        setattr(state, name, value)
            case Answered(question=qid, value=value) | Revised(question=qid, value=value):
                if qid in state.answers and state.answers[qid] != value:
                    state.revised.add(qid)
                state.answers[qid] = self._normalise(self.protocol.question_by_id[qid], value)
                state.skipped.discard(qid)
            case Skipped(question=qid):
                state.answers.pop(qid, None)
                state.skipped.add(qid)
            case InterruptRecorded(interrupt=interrupt):
                state.interrupts.setdefault(interrupt, event.at)
            case InterruptWithdrawn(interrupt=interrupt):
                state.interrupts.pop(interrupt, None)
            case NoteAdded(text=text):
                state.notes.append((event.at, text))
            case AvailabilityChanged(model=model, available=available, reason=reason):
                if available:
                    state.unavailable.pop(model, None)
                else:
                    state.unavailable[model] = reason
            case RecommendationAccepted(model=model, recommended=recommended, reason=reason):
                state.accepted = (model, recommended, reason)
            case HandoffStepDone(step=step):
                state.handoff_steps.setdefault(step, event.at)
            case HandoffEnded(outcome=outcome):
                state.handoff_outcome = outcome
            case CallEnded(outcome=outcome):
                state.ended = outcome
            case SupervisorConsulted(supervisor=who):
                state.supervisor_consulted.append((event.at, who, ""))
            case RescueWithoutConsent(reason=reason, note=note):
                state.rescue_without_consent = (event.at, reason, note)
            case InterpreterRequested(language=language):
                state.interpreter_requested = (event.at, language)
            case InterpreterConnected(interpreter_id=interpreter_id):
                state.interpreter_connected = (event.at, interpreter_id)
            case ReferralGiven():
                state.referrals.append(event)
        track(state.after, event)
        self._events.append(event)
        self._assessment = None

    def followups_owed(self) -> list[FollowUpScheduled]:
        """FollowUpScheduled events the protocol's rules now owe this call (journal them, then apply)."""
        return owed_followups(self.protocol, self._state, self.assessment.risk.suicide_level)

    # -- helpers for callers that do not build events themselves -------------------------------
    def answer(self, question: str, value: Any, at: datetime) -> Assessment:
        kind = Revised if question in self._state.answers else Answered
        self.apply(kind(at=at, question=question, value=value))
        return self.assessment

    def skip(self, question: str, at: datetime) -> Assessment:
        self.apply(Skipped(at=at, question=question))
        return self.assessment

    def interrupt(self, interrupt: str, at: datetime) -> Assessment:
        self.apply(InterruptRecorded(at=at, interrupt=interrupt))
        return self.assessment

    def note(self, text: str, at: datetime) -> Assessment:
        self.apply(NoteAdded(at=at, text=text))
        return self.assessment

    # -- validation ----------------------------------------------------------------------------
    def validate(self, event: AnyEvent) -> None:
        """Raise :class:`SessionError` if the protocol cannot accept ``event``."""
        protocol = self.protocol
        state = self._state
        if state.ended is not None and not isinstance(event, (NoteAdded, *AFTER_EVENTS)):
            raise SessionError("the call has ended; only notes and the response's progress can be added")
        if self._events and event.at < state.started_at:
            raise SessionError("an event cannot happen before the call started")
        problem = check(protocol, state, event, self.directory)
        if problem is not None:
            raise SessionError(problem)
        match event:
            case CallStarted() if self._events:
                raise SessionError("the call has already started")
            case CallStarted() | ContextChanged():
                self._check_choice(event.door, protocol.doors, "door")
                self._check_choice(event.line, {x.id for x in protocol.document.lines}, "line")
                self._check_choice(event.district, protocol.districts, "district")
                self._check_language(event.language)
            case Answered(question=qid, value=value) | Revised(question=qid, value=value):
                question = self._question(qid)
                self._normalise(question, value)
            case Skipped(question=qid):
                question = self._question(qid)
                if question.spec.required:
                    raise SessionError(
                        f'"{qid}" is required and cannot be skipped; record "unknown" if the caller cannot say'
                        if question.type == "yes_no"
                        else f'"{qid}" is required and cannot be skipped'
                    )
            case InterruptRecorded(interrupt=interrupt) | InterruptWithdrawn(interrupt=interrupt):
                self._check_choice(interrupt, protocol.interrupts, "interrupt")
            case NoteAdded(text=text):
                if not text.strip():
                    raise SessionError("a note cannot be empty")
                if len(text) > MAX_TEXT:
                    raise SessionError(f"a note may be at most {MAX_TEXT} characters")
            case AvailabilityChanged(model=model):
                self._check_choice(model, protocol.models, "response model")
            case RecommendationAccepted(model=model, recommended=recommended):
                self._check_choice(model, protocol.models, "response model")
                self._check_choice(recommended, protocol.models, "response model")
            case HandoffStepDone(step=step):
                handoff = protocol.document.handoff
                self._check_choice(step, [s.id for s in handoff.steps] if handoff else [], "handoff step")
            case HandoffEnded(outcome=outcome):
                handoff = protocol.document.handoff
                self._check_choice(outcome, handoff.outcomes if handoff else [], "handoff outcome")
            case InterpreterRequested(language=language):
                self._check_language(language)
            case InterpreterConnected() if state.interpreter_requested is None:
                raise SessionError("an interpreter can be connected only after one is requested")

    @staticmethod
    def _check_language(language: str | None) -> None:
        # Any caller's language: a tag the protocol has no scripts in shows English and the interpreter step.
        if language is not None and not is_language_tag(language):
            raise SessionError(f'"{language}" is not a language tag such as en, es, ht or pt-BR')

    def _check_choice(self, value: str | None, known: Iterable[str], what: str) -> None:
        if value is None:
            return
        known = list(known)
        if value not in known:
            raise SessionError(
                f'unknown {what} "{value}"{did_you_mean(value, known)}; expected one of {", ".join(known)}'
            )

    def _question(self, qid: str) -> CompiledQuestion:
        question = self.protocol.question_by_id.get(qid)
        if question is None:
            raise SessionError(f'no question "{qid}"{did_you_mean(qid, self.protocol.question_by_id)}')
        return question

    @staticmethod
    def _normalise(question: CompiledQuestion, value: Any) -> Any:
        options = [o.id for o in question.options]
        match question.type:
            case "yes_no" | "choice":
                if value is True or value is False:
                    value = "yes" if value else "no"  # a JSON true from a replay file means yes
                if value not in options:
                    raise SessionError(
                        f'"{value}" is not an answer to "{question.id}"{did_you_mean(str(value), options)}; '
                        f"expected one of {', '.join(options)}"
                    )
                return value
            case "multi":
                values = [value] if isinstance(value, str) else value
                if not isinstance(values, (list, tuple, set, frozenset)):
                    raise SessionError(f'"{question.id}" takes a list of options')
                bad = [v for v in values if v not in options]
                if bad:
                    raise SessionError(
                        f'"{bad[0]}" is not an option of "{question.id}"{did_you_mean(str(bad[0]), options)}'
                    )
                return tuple(sorted(set(values), key=options.index))
            case "number":
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    try:
                        value = float(value)
                    except (TypeError, ValueError):
                        raise SessionError(f'"{question.id}" takes a number') from None
                if not math.isfinite(value):
                    raise SessionError(f'"{question.id}" takes a finite number')
                spec = question.spec
                if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
                    raise SessionError(f'"{question.id}" takes a number from {spec.min} to {spec.max}')
                return value
            case _:
                if not isinstance(value, str):
                    raise SessionError(f'"{question.id}" takes text')
                if len(value) > MAX_TEXT:
                    raise SessionError(f"an answer may be at most {MAX_TEXT} characters")
                return value


def session_from_answers(
    protocol: Protocol,
    answers: dict[str, Any],
    *,
    at: datetime,
    door: str | None = None,
    line: str | None = None,
    district: str | None = None,
    language: str = "en",
    interrupts: Sequence[str] = (),
    unavailable: dict[str, str] | None = None,
) -> CallSession:
    """A call built in one go from a dict of answers (replay files, benchmarks, property tests)."""
    session = CallSession(protocol, CallStarted(at=at, door=door, line=line, district=district, language=language))
    for model, reason in (unavailable or {}).items():
        session.apply(AvailabilityChanged(at=at, model=model, available=False, reason=reason))
    for interrupt in interrupts:
        session.apply(InterruptRecorded(at=at, interrupt=interrupt))
    for qid, value in answers.items():
        session.apply(Answered(at=at, question=qid, value=value))
    return session
