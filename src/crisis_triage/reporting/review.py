"""Quality review of one call against its protocol, and the plain timeline ``records show`` prints.

The review replays the call event by event, and before each answer asks the engine what the
protocol would have asked next: an answer to another question is "out of order" (often right, as
when a caller volunteers something, but worth a look). It lists the questions answered, skipped and
never reached, interrupts, revisions, the time each step took, the handoff steps done and missed,
and any departure from the recommendation, with the reason the call-taker gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..engine.assessment import answer_label
from ..engine.call_event_views import describe_call_event
from ..engine.events import (
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
from ..engine.events_referrals import ReferralGiven
from ..engine.referral_views import given_line
from ..engine.session import CallSession, SessionError
from ..engine.views import centre_time
from ..protocol.compiled import Protocol
from ..store.journal import CallMeta, StoredEvent
from .outcome_after import after_lines, describe_after
from .protocol_texts import ProtocolNotFound, ProtocolResolver


@dataclass(frozen=True)
class Step:
    at: datetime
    offset_s: float
    took_s: float
    """Time since the previous event: how long this step took."""
    what: str
    flags: tuple[str, ...] = ()


@dataclass
class Review:
    meta: CallMeta
    protocol: Protocol
    steps: list[Step] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    """Questions that applied to the call but were neither answered nor skipped."""
    dropped: list[str] = field(default_factory=list)
    out_of_order: int = 0
    revisions: int = 0
    interrupts: list[str] = field(default_factory=list)
    departures: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    """Where the recommendation the console recorded differs from what this protocol gives."""
    handoff_missed: list[str] = field(default_factory=list)
    handoff_outcome: str | None = None
    final: str = ""
    problem: str | None = None
    after: list[str] = field(default_factory=list)
    """The response, its contact confirmation, disposition and follow-ups (outcome_after.after_lines)."""


def _describe(protocol: Protocol, event: AnyEvent, language: str = "en") -> str:
    if (after := describe_after(protocol, event)) is not None:
        return after
    if (duty := describe_call_event(event)) is not None:  # issue 11: interpreter, supervisor, consent
        return duty
    if isinstance(event, ReferralGiven):
        return f"referral given: {given_line(event)}"
    match event:
        case CallStarted() | ContextChanged():
            parts = [
                f"{name} {getattr(event, name)}"
                for name in ("door", "line", "district", "language")
                if getattr(event, name) is not None
            ]
            return ("call started: " if isinstance(event, CallStarted) else "context changed: ") + ", ".join(parts)
        case Answered(question=qid, value=value) | Revised(question=qid, value=value):
            question = protocol.question_by_id.get(qid)
            label = answer_label(question, value, language) if question else str(value)
            return f"{'answered' if isinstance(event, Answered) else 'revised'} {qid}: {label}"
        case Skipped(question=qid):
            return f"skipped {qid}"
        case InterruptRecorded(interrupt=interrupt):
            return f"INTERRUPT {interrupt}"
        case InterruptWithdrawn(interrupt=interrupt, reason=reason):
            return f"interrupt {interrupt} withdrawn" + (f" ({reason})" if reason else "")
        case NoteAdded(text=text):
            return f"note: {text}"
        case AvailabilityChanged(model=model, available=available, reason=reason):
            return f"{model} {'available again' if available else 'unavailable'}" + (f" ({reason})" if reason else "")
        case RecommendationAccepted(model=model, recommended=recommended, reason=reason):
            if model == recommended:
                return f"dispatched {model} (the recommendation)"
            return f"dispatched {model} instead of {recommended}" + (f": {reason}" if reason else " (no reason given)")
        case HandoffStepDone(step=step):
            return f"handoff step {step} done"
        case HandoffEnded(outcome=outcome):
            return f"handoff ended: {outcome}"
        case CallEnded(outcome=outcome):
            return f"call ended: {outcome}"
    return event.kind


def review_call(protocol: Protocol, meta: CallMeta, events: Sequence[AnyEvent], now: datetime | None = None) -> Review:
    """Replay ``events`` through ``protocol`` and note everything a quality reviewer looks at (``now``:
    the moment overdue contact and follow-ups are judged at; default the call's last event)."""
    review = Review(meta, protocol)
    if not events:
        review.problem = "the call has no events"
        return review
    start = events[0].at
    previous = start
    try:
        session = CallSession.replay(protocol, events[:1])  # SessionError unless it begins with call_started
        review.steps.append(Step(start, 0.0, 0.0, _describe(protocol, events[0])))
        for event in events[1:]:
            flags: list[str] = []
            before = session.assessment
            if isinstance(event, Answered):
                expected = before.next_question.id if before.next_question else None
                if expected != event.question:
                    review.out_of_order += 1
                    flags.append(
                        f"out of order: the protocol asked {expected}"
                        if expected
                        else "asked after the protocol had finished"
                    )
            elif isinstance(event, Revised):
                review.revisions += 1
                flags.append("revision")
            elif isinstance(event, InterruptRecorded):
                review.interrupts.append(f"{event.interrupt} at +{_clock((event.at - start).total_seconds())}")
            elif isinstance(event, RecommendationAccepted):
                engine_says = before.recommendation.model
                if event.recommended != engine_says:
                    review.mismatches.append(
                        f"the console showed {event.recommended} but this protocol gives {engine_says} at that point"
                    )
                    flags.append("recommendation mismatch")
                if event.model != event.recommended:
                    review.departures.append(
                        f"dispatched {event.model} instead of {event.recommended}: {event.reason or 'no reason given'}"
                    )
                    flags.append("DEPARTURE")
            elif isinstance(event, HandoffEnded):
                review.handoff_outcome = event.outcome
            session.apply(event)
            offset = (event.at - start).total_seconds()
            review.steps.append(
                Step(event.at, offset, (event.at - previous).total_seconds(), _describe(protocol, event), tuple(flags))
            )
            previous = event.at
    except SessionError as exc:
        review.problem = f"the events do not fit this protocol: {exc}"
        return review
    assessment = session.assessment
    for asked in assessment.asked:
        target = {"answered": review.answered, "skipped": review.skipped}.get(asked.status, review.not_reached)
        target.append(asked.question.id)
    review.dropped = [d.question.id for d in assessment.dropped]
    handoff = protocol.document.handoff
    state = session.state
    if handoff is not None and (state.handoff_steps or state.handoff_outcome):
        review.handoff_missed = [s.id for s in handoff.steps if s.id not in state.handoff_steps]
    review.after = after_lines(protocol, state, now or max(e.at for e in events))
    rec = assessment.recommendation
    review.final = f"{rec.model} (rule {rec.rule}), band {assessment.risk.band}, score {assessment.risk.score}" + (
        ", provisional: required questions unanswered" if rec.provisional else ""
    )
    return review


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def _header(meta: CallMeta, events: Sequence[AnyEvent], protocol: Protocol | None = None) -> list[str]:
    first, last = events[0].at, max(e.at for e in events)
    if protocol is not None:  # the centre's clock, labelled with its zone
        first, last = centre_time(protocol, first), centre_time(protocol, last)
    return [
        f"call {meta.call_id}" + ("  (practice)" if meta.practice else ""),
        f"  console {meta.console_id}, call-taker {meta.call_taker_id}",
        f"  protocol {meta.protocol_id} {meta.protocol_version} (sha256 {meta.protocol_sha256[:12]}...)",
        f"  {first:%Y-%m-%d %H:%M:%S %Z} to {last:%H:%M:%S}, {_clock((last - first).total_seconds())} long, "
        f"{len(events)} events",
    ]


def render_review(review: Review) -> str:
    events_count = len(review.steps)
    lines = [f"QUALITY REVIEW  {review.meta.call_id}", f"  protocol {review.protocol.id} {review.protocol.version}"]
    if review.problem:
        lines.append(f"  problem: {review.problem}")
    lines += ["", f"{'at':>6}  {'took':>6}  step"]
    for step in review.steps:
        flags = f"   <- {'; '.join(step.flags)}" if step.flags else ""
        lines.append(f"+{_clock(step.offset_s):>5}  {step.took_s:>5.0f}s  {step.what}{flags}")
    lines.append("")
    lines.append(f"questions answered ({len(review.answered)}): {', '.join(review.answered) or 'none'}")
    lines.append(f"questions skipped ({len(review.skipped)}): {', '.join(review.skipped) or 'none'}")
    lines.append(f"questions not reached ({len(review.not_reached)}): {', '.join(review.not_reached) or 'none'}")
    if review.dropped:
        lines.append(f"answers dropped after a revision: {', '.join(review.dropped)}")
    lines.append(
        f"out of protocol order: {review.out_of_order} of {sum(1 for s in review.steps if s.what.startswith('answered'))} answers;"
        f" revisions: {review.revisions}"
    )
    lines.append(f"interrupts: {', '.join(review.interrupts) or 'none'}")
    answers = [s.took_s for s in review.steps if s.what.startswith(("answered", "revised", "skipped"))]
    if answers:
        slowest = max(
            (s for s in review.steps if s.what.startswith(("answered", "revised", "skipped"))), key=lambda s: s.took_s
        )
        lines.append(
            f"time per question: mean {sum(answers) / len(answers):.0f}s, slowest {slowest.took_s:.0f}s "
            f"({slowest.what.split(':')[0]})"
        )
    lines.append(
        "departures from the recommendation: " + ("; ".join(review.departures) if review.departures else "none")
    )
    for mismatch in review.mismatches:
        lines.append(f"MISMATCH: {mismatch}")
    if review.handoff_outcome or review.handoff_missed:
        lines.append(
            f"handoff: {review.handoff_outcome or 'not ended'}"
            + (
                f"; steps not done: {', '.join(review.handoff_missed)}"
                if review.handoff_missed
                else "; every step done"
            )
        )
    if review.final:
        lines.append(f"outcome (replayed): {review.final}")
    lines.extend(review.after)
    lines.append(f"({events_count} events)")
    return "\n".join(lines)


def render_timeline(
    meta: CallMeta, stored: Sequence[StoredEvent], resolver: ProtocolResolver, now: datetime | None = None
) -> str:
    """The call as recorded, one line per event, and its outcome replayed through its protocol."""
    events = [s.event for s in stored]
    if not events:
        return f"call {meta.call_id}: no events"
    try:
        protocol = resolver.for_call(meta)
        lines = _header(meta, events, protocol)
    except ProtocolNotFound as exc:
        protocol = None
        lines = [*_header(meta, events), f"  ({exc})"]
    lines.append("")
    start = events[0].at
    for s in stored:
        what = _describe(protocol, s.event) if protocol else s.event.model_dump_json(exclude={"at"})
        shown = centre_time(protocol, s.event.at) if protocol else s.event.at
        lines.append(f"{s.sequence:>4}  {shown:%H:%M:%S}  +{_clock((s.event.at - start).total_seconds()):>5}  {what}")
    if protocol is not None:
        try:
            session = CallSession.replay(protocol, events)
        except SessionError as exc:
            lines.append(f"\nthe events do not fit the protocol: {exc}")
        else:
            a = session.assessment
            rec = a.recommendation
            lines.append("")
            lines.append(
                f"risk: {a.risk.band} (score {a.risk.score})"
                + (f"; suicide screen: {a.risk.suicide_level}" if a.risk.suicide_level else "")
            )
            lines.append(
                f"recommendation: {rec.model} ({', '.join(rec.team)}) by rule {rec.rule}"
                + (" (provisional)" if rec.provisional else "")
            )
            if session.state.ended is None:
                lines.append("UNFINISHED: no end recorded (the console offers it for resuming)")
            lines.extend(after_lines(protocol, session.state, now or max(e.at for e in events)))
    return "\n".join(lines)
