"""What happened on one recorded call, worked out by replaying its events through its protocol.

The record holds events, not conclusions: the model, the band and the team are recomputed by the
engine from the events with the exact protocol text the call used, so the evaluator's figures are
the console's own decisions, not a second implementation of the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..engine.events import AnyEvent, HandoffEnded, InterruptRecorded, RecommendationAccepted
from ..engine.session import CallSession
from ..protocol.compiled import Protocol
from ..store.journal import CallMeta
from .outcome_after import after_dispatch

#: Events after which the recommendation may change (the others cannot change it: notes, handoff steps).
_DECISION_EVENTS = (
    "answered",
    "revised",
    "skipped",
    "interrupt",
    "interrupt_withdrawn",
    "availability",
    "context_changed",
    "call_started",
)


@dataclass(frozen=True)
class CallOutcome:
    call_id: str
    console_id: str
    started_at: datetime
    district: str | None
    door: str | None
    line: str | None
    language: str
    band: str
    recommended: str
    """The engine's recommendation at the end of the call."""
    preferred: str
    """What the deciding rule chose before availability (differs when a fallback was taken)."""
    dispatched: str | None
    """The model the call-taker accepted (None if the call ended before a dispatch)."""
    team: tuple[str, ...]
    """Who went: the recommendation's team, or the dispatched model's team on a departure."""
    notify: tuple[str, ...]
    fallbacks: tuple[tuple[str, str, str], ...]
    """(from model, to model, reason) for each model that was unavailable."""
    departed: bool
    departure_reason: str
    handoff: bool
    handoff_outcome: str | None
    interrupts: int
    seconds_to_recommendation: float | None
    """From call start to the moment the recommendation stopped being provisional."""
    seconds_to_dispatch: float | None
    seconds_total: float
    ended: str | None
    # -- after the dispatch (engine/aftercare.py)
    rule: str = ""
    """The rule that decided the recommendation."""
    facts: tuple[str, ...] = ()
    """The facts true at the end of the call, sorted (the "no wrong door" strata), leaving out those
    that only restate the door, line, district or language (Boston's needs_interpreter)."""
    police_guarantees: tuple[str, ...] = ()
    """Safety guarantees that require police on this call (why police went despite a no-police request)."""
    call_line_dispatched: bool = False
    """The call line was the response (the warm handoff)."""
    call_line_beside: bool = False
    """The call line was added beside a team in the field."""
    landed: str | None = None
    """Where the warm handoff landed, as the counsellor reported it."""
    disposition: str | None = None
    disposition_marks: tuple[str, ...] = ()
    receiving_services: tuple[str, ...] = ()
    """The disposition's services from the directory (ids, or ``other: <name>``): where the person was connected to care."""
    seconds_to_on_scene: float | None = None
    """From the (last) dispatch to the team's first "on scene"."""
    contact: str | None = None
    """Contact confirmation: in_time, late, missed (window over, nothing reported), open; None if not required."""
    followups: tuple[tuple[str, str], ...] = ()
    """(rule, on_time | late | overdue | open) for each follow-up owed."""
    referrals: tuple[tuple[str, str, str], ...] = ()
    """(kind, service name, caller or family) for each referral given on the call."""


def _context_facts(protocol: Protocol) -> frozenset[str]:
    context = {"door", "caller", "line", "district", "language"}
    return frozenset(name for name, condition in protocol.derived_facts if condition.names <= context)


def _always_required(protocol: Protocol) -> frozenset[str]:
    return frozenset(q.id for q in protocol.questions if q.spec.required and q.when is None and q.doors is None)


def call_outcome(
    protocol: Protocol, meta: CallMeta, events: Sequence[AnyEvent], now: datetime | None = None
) -> CallOutcome:
    """Replay ``events`` (first must be CallStarted) through ``protocol``; raises SessionError if they
    do not fit. ``now`` is the moment open contact windows and follow-ups are judged at (default: the
    call's last event)."""
    first = events[0]
    session = CallSession.replay(protocol, [first])  # raises SessionError unless CallStarted
    # A required question with no condition and no door restriction applies to every call, so while
    # one is unanswered the recommendation is provisional for certain: no need to ask the engine.
    # This skips most of the per-event evaluations and gives exactly the same moment.
    always_required = protocol.derived("records.always_required", _always_required)
    answers = session.state.answers

    def final() -> bool:
        return always_required <= answers.keys() and not session.assessment.recommendation.provisional

    final_at: datetime | None = first.at if final() else None
    dispatched: RecommendationAccepted | None = None
    interrupts = 0
    handoff_outcome = None
    for event in events[1:]:
        session.apply(event)
        if final_at is None and event.kind in _DECISION_EVENTS and final():
            final_at = event.at
        if isinstance(event, RecommendationAccepted):
            dispatched = event
            if final_at is None:
                final_at = event.at  # dispatched on a provisional recommendation: that is its moment
        elif isinstance(event, InterruptRecorded):
            interrupts += 1
        elif isinstance(event, HandoffEnded):
            handoff_outcome = event.outcome
    assessment = session.assessment
    rec = assessment.recommendation
    state = session.state
    if dispatched is not None and dispatched.model != rec.model:
        model = protocol.models.get(dispatched.model)
        team = tuple(model.team) if model else ()
        notify = tuple(model.notify) if model and model.notify else ()
    else:
        team, notify = rec.team, rec.notify
    handoff_model = protocol.document.handoff.model if protocol.document.handoff else None
    went = dispatched.model if dispatched is not None else rec.model
    after = after_dispatch(protocol, session, now or max(e.at for e in events))
    call_line_dispatched = dispatched is not None and dispatched.model == handoff_model
    return CallOutcome(
        call_id=meta.call_id,
        console_id=meta.console_id,
        started_at=first.at,
        district=state.district,
        door=state.door,
        line=state.line,
        language=state.language,
        band=assessment.risk.band,
        recommended=rec.model,
        preferred=rec.preferred_model,
        dispatched=dispatched.model if dispatched else None,
        team=tuple(team),
        notify=tuple(notify),
        fallbacks=tuple((f.from_model, f.to_model, f.reason) for f in rec.fallbacks),
        departed=dispatched is not None and dispatched.model != dispatched.recommended,
        departure_reason=dispatched.reason if dispatched is not None else "",
        handoff=handoff_outcome is not None or went == handoff_model or (rec.handoff and went == rec.model),
        handoff_outcome=handoff_outcome,
        interrupts=interrupts,
        seconds_to_recommendation=(final_at - first.at).total_seconds() if final_at else None,
        seconds_to_dispatch=(dispatched.at - first.at).total_seconds() if dispatched else None,
        seconds_total=(state.now - first.at).total_seconds(),
        ended=state.ended,
        rule=rec.rule,
        facts=tuple(sorted(set(assessment.facts) - protocol.derived("records.context_facts", _context_facts))),
        police_guarantees=tuple(
            sorted({g.guarantee for g in rec.guarantees} | {r.source for r in rec.required if r.role == "police"})
        ),
        call_line_dispatched=call_line_dispatched,
        call_line_beside=dispatched is not None
        and not call_line_dispatched
        and ("call_line" in team or (rec.handoff and dispatched.model == rec.model)),
        **after,
        referrals=tuple((r.service_kind, r.service_name, r.to) for r in state.referrals),
    )
