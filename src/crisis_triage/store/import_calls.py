"""Turning replay-format calls (``generate-calls`` output) into journal events, and loading them.

A replay file holds a call's answers, not its timeline. To make a record a person could have made,
each call is played through the engine as a console would: the call starts, models a team reported
unavailable are marked, answers come in the order given with realistic gaps (interrupts the caller
volunteers land between them), the call-taker accepts the recommendation, the call line's warm
handoff steps are done when it is part of the response, and the call ends. Gaps and handoff outcomes are
drawn from a generator seeded by the call id, so an import is reproducible.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from ..engine.aftercare import contact_window
from ..engine.events import (
    Answered,
    AnyEvent,
    AvailabilityChanged,
    CallEnded,
    CallStarted,
    HandoffEnded,
    HandoffStepDone,
    InterruptRecorded,
    NoteAdded,
    RecommendationAccepted,
)
from ..engine.events_response import (
    ContactAlertAcknowledged,
    DispositionRecorded,
    FollowUpAttempted,
    FollowUpScheduled,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)
from ..engine.referral_views import referral_event
from ..engine.session import CallSession, SessionError
from ..protocol.compiled import Protocol
from ..protocol.errors import did_you_mean
from ..replay.after_plan import AfterPlan
from ..replay.calls import BadLine, CallRecord, default_time, parse_lines
from ..replay.generate_after import referral_directory
from ..untrusted import INPUT_FAILURES, describe_failure
from .journal import CallMeta, StoredEvent
from .outside import with_owed_followups

#: Seconds a call-taker spends on a question, by question type (low, high).
ANSWER_SECONDS = {"text": (10, 40), "multi": (15, 45), "choice": (8, 25), "number": (6, 20), "yes_no": (4, 18)}
HANDOFF_OUTCOMES = {"accepted": 0.86, "refused": 0.09, "disconnected": 0.05}


def _rng(call_id: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:8], "big"))


def call_events(protocol: Protocol, call: CallRecord) -> list[AnyEvent]:
    """The events of ``call`` as a console would have journalled them. Raises SessionError if the
    protocol cannot accept the call (an unknown question, an answer that is not an option)."""
    rng = _rng(call.id)
    moment = call.at or default_time(protocol)
    start = CallStarted(at=moment, door=call.door, line=call.line, district=call.district, language=call.language)
    events: list[AnyEvent] = [start]
    session = CallSession(protocol, start)

    def add(event: AnyEvent) -> None:
        session.apply(event)
        events.append(event)

    for model, reason in call.unavailable.items():
        add(AvailabilityChanged(at=moment, model=model, available=False, reason=reason))
    answers = list(call.answers.items())
    # A volunteered interrupt lands between two answers, as it would on a real call.
    interrupt_slots = {i: rng.randint(0, max(0, len(answers) - 1)) for i in call.interrupts}
    for index, (qid, value) in enumerate(answers):
        for interrupt, slot in interrupt_slots.items():
            if slot == index:
                moment += timedelta(seconds=rng.uniform(2, 8))
                add(InterruptRecorded(at=moment, interrupt=interrupt))
        question = protocol.question_by_id.get(qid)
        low, high = ANSWER_SECONDS.get(question.type if question else "yes_no", (4, 18))
        moment += timedelta(seconds=rng.uniform(low, high))
        add(Answered(at=moment, question=qid, value=value))
    for interrupt in interrupt_slots:
        if not answers:
            moment += timedelta(seconds=rng.uniform(2, 8))
            add(InterruptRecorded(at=moment, interrupt=interrupt))
    for text in call.notes:
        moment += timedelta(seconds=rng.uniform(5, 20))
        add(NoteAdded(at=moment, text=text))
    recommendation = session.assessment.recommendation
    plan = call.after or AfterPlan()
    given = _referrals(protocol, plan)  # checked before any of the call's end is played
    last = moment
    moment += timedelta(seconds=rng.uniform(8, 35))
    if not plan.dispatch:
        _give(add, given, last, moment)
        add(CallEnded(at=moment, outcome=plan.ending))
        return events
    model = plan.depart_to or recommendation.model
    add(RecommendationAccepted(at=moment, model=model, recommended=recommendation.model, reason=plan.depart_reason))
    dispatched_at = moment
    handoff = protocol.document.handoff
    if handoff is not None and ((recommendation.handoff and model == recommendation.model) or model == handoff.model):
        for step in handoff.steps:
            moment += timedelta(seconds=rng.uniform(8, 30))
            add(HandoffStepDone(at=moment, step=step.id))
        outcomes = {o: HANDOFF_OUTCOMES.get(o, 0.01) for o in handoff.outcomes}
        moment += timedelta(seconds=rng.uniform(20, 90))
        add(HandoffEnded(at=moment, outcome=rng.choices(list(outcomes), weights=list(outcomes.values()))[0]))
    last = moment
    moment += timedelta(seconds=rng.uniform(5, 30))
    _give(add, given, last, moment)
    add(CallEnded(at=moment, outcome=plan.ending))
    add_after(session, events, plan, dispatched_at, moment)
    return events


def _referrals(protocol: Protocol, plan: AfterPlan) -> list[Callable[[datetime], AnyEvent]]:
    """The plan's referrals, each checked to be a service of the protocol's directory (raises
    SessionError if not), as the ReferralGiven event each makes at a given time."""
    if not plan.referrals:
        return []
    directory = referral_directory(protocol)
    if directory is None:
        raise SessionError("the call gives referrals, but the protocol has no referral directory that loads")
    for step in plan.referrals:
        if step.service not in directory.by_id:
            raise SessionError(
                f'no service "{step.service}" in the referral directory {directory.id}'
                f"{did_you_mean(step.service, directory.by_id)}"
            )
    return [partial(referral_event, directory, step.service, step.to, rule=step.rule) for step in plan.referrals]


def _give(
    add: Callable[[AnyEvent], None], given: list[Callable[[datetime], AnyEvent]], after: datetime, before: datetime
) -> None:
    """The referrals given, spread between the call's last event and its end (the gaps drawn for the
    call are kept as they were, so the rest of an import is the same with or without referrals)."""
    step = (before - after) / (len(given) + 1)
    for n, event_at in enumerate(given, start=1):
        add(event_at(after + step * n))


def add_after(session: CallSession, events: list, plan: AfterPlan, dispatched_at, ended_at) -> None:
    """The response's events of ``plan`` in time order (none before the phone call ended), each with
    the follow-ups it makes owed, then the planned attempts on every follow-up owed."""
    planned: list = [
        ResponseStatusChanged(
            at=max(ended_at, dispatched_at + timedelta(minutes=s.minutes)), status=s.status, source="dispatch"
        )
        for s in plan.statuses
    ]
    if plan.disposition is not None:
        planned.append(
            DispositionRecorded(
                at=max(ended_at, dispatched_at + timedelta(minutes=plan.disposition_minutes)),
                code=plan.disposition,
                details=plan.details,
                recorded_by=plan.recorded_by,
            )
        )
    if plan.landed is not None:
        planned.append(
            HandoffOutcomeRecorded(
                at=max(ended_at, dispatched_at + timedelta(minutes=plan.landed_minutes)), outcome=plan.landed
            )
        )
    if plan.acknowledged_minutes is not None:
        planned.append(
            ContactAlertAcknowledged(
                at=max(ended_at, dispatched_at + timedelta(minutes=plan.acknowledged_minutes)), by="dispatcher"
            )
        )
    planned.sort(key=lambda e: e.at)
    events.extend(with_owed_followups(session, session.followups_owed()))  # owed when the call ended
    for event in planned:
        if isinstance(event, ContactAlertAcknowledged):
            # Only an alert that is showing can be acknowledged: once the call's end pushed the
            # acknowledgement past the contact (or before the deadline), the plan's step is dropped.
            window = contact_window(session.protocol, session.state)
            if window is None or not window.alerting(event.at):
                continue
        events.extend(with_owed_followups(session, [event]))
    attempts = []
    for rule in session.state.after.scheduled:
        owed_at = next(e.at for e in events if isinstance(e, FollowUpScheduled) and e.rule == rule)
        for step in plan.follow_up:
            attempts.append(
                FollowUpAttempted(at=owed_at + timedelta(hours=step.hours), rule=rule, outcome=step.outcome)
            )
    attempts.sort(key=lambda e: e.at)
    events.extend(with_owed_followups(session, attempts))


def call_id_for(import_id: str) -> str:
    """A stable call id for an imported call: re-importing the same file stores nothing twice."""
    return "imp-" + hashlib.sha256(import_id.encode()).hexdigest()[:24]


def event_id_for(call_id: str, sequence: int) -> str:
    return hashlib.sha256(f"{call_id}/{sequence}".encode()).hexdigest()[:32]


@dataclass
class ImportResult:
    calls: int = 0
    events: int = 0
    new_events: int = 0
    bad: list[BadLine] = field(default_factory=list)


def imported_records(
    protocol: Protocol,
    lines: Iterable[str],
    *,
    console_id: str = "import",
    call_taker_id: str = "import",
    result: ImportResult | None = None,
) -> Iterator[list[tuple[CallMeta, StoredEvent]]]:
    """One list of (meta, record) per good call of ``lines``; bad lines are added to ``result.bad``."""
    result = result if result is not None else ImportResult()
    for number, item in parse_lines(lines):
        if isinstance(item, BadLine):
            result.bad.append(item)
            continue
        try:
            events = call_events(protocol, item)
        except SessionError as exc:
            result.bad.append(BadLine(number, f"call {item.id}: {exc}"))
            continue
        except INPUT_FAILURES as exc:  # an answer no event can hold: this line is bad, the import goes on
            result.bad.append(BadLine(number, f"call {item.id}: {describe_failure(exc)}"))
            continue
        call_id = call_id_for(item.id)
        meta = CallMeta(
            call_id=call_id,
            console_id=console_id,
            call_taker_id=call_taker_id,
            protocol_id=protocol.id,
            protocol_version=protocol.version,
            protocol_sha256=protocol.sha256,
            protocol_file=protocol.file,
        )
        result.calls += 1
        result.events += len(events)
        yield [(meta, StoredEvent(event_id_for(call_id, n), call_id, n, event)) for n, event in enumerate(events, 1)]
