"""Helpers shared by the record tests (a module, not a conftest: the kill driver imports it too)."""

from __future__ import annotations

import hashlib
import json

from crisis_triage.engine.session import CallSession
from crisis_triage.protocol import Protocol
from crisis_triage.replay.calls import CallRecord
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.store.import_calls import call_events


def call_script(protocol: Protocol, call_id: str) -> list:
    """Every event of a realistic call, deterministic from ``call_id`` (start ... accepted ... ended)."""
    seed = int(hashlib.sha256(call_id.encode()).hexdigest()[:8], 16)
    call = next(generate_calls(protocol, 1, seed=seed))
    call["id"] = call_id
    return call_events(protocol, CallRecord(**call))


def digest(session: CallSession) -> str:
    """What the console would show, condensed: equal digests mean the same call state."""
    a = session.assessment
    state = session.state
    shown = {
        "next": a.next_question.id if a.next_question else None,
        "score": a.risk.score,
        "band": a.risk.band,
        "model": a.recommendation.model,
        "team": list(a.recommendation.team),
        "answers": {k: repr(v) for k, v in sorted(state.answers.items())},
        "interrupts": sorted(state.interrupts),
        "accepted": state.accepted,
        "handoff": sorted(state.handoff_steps),
        "ended": state.ended,
        "events": len(session.events),
        # after the dispatch: the response as the console would show it
        "dispatches": state.after.dispatches,
        "status": state.after.status,
        "disposition": state.after.disposition.code if state.after.disposition else None,
        "landed": state.after.landed.outcome if state.after.landed else None,
        "followups": sorted(state.after.scheduled),
        "attempts": len(state.after.attempts),
        "acknowledged": str(state.after.acknowledged_at),
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:16]


def eventful_call(protocol: Protocol, at) -> list:
    """A call with everything a reviewer or an evaluator must handle: names, an address, a phone
    number in a note, an interrupt out of order, a revision, a skip, an unavailable team and a
    departure from the recommendation with a typed reason."""
    from datetime import timedelta

    from crisis_triage.engine.events import (
        Answered,
        AvailabilityChanged,
        CallEnded,
        CallStarted,
        InterruptRecorded,
        NoteAdded,
        RecommendationAccepted,
        Revised,
        Skipped,
    )

    moment = [at]

    def tick(seconds: int = 10):
        moment[0] = moment[0] + timedelta(seconds=seconds)
        return moment[0]

    events = [CallStarted(at=at, door="family", line="e911", district="B2", language="en")]
    session = CallSession(protocol, events[0])

    def add(event):
        session.apply(event)
        events.append(event)

    add(Answered(at=tick(30), question="location", value="12 Dudley St, apt 3"))
    add(Answered(at=tick(), question="caller_name", value="Rosa"))
    add(NoteAdded(at=tick(), text="Her brother Luis, call back 617-555-0134"))
    add(InterruptRecorded(at=tick(5), interrupt="weapon_seen"))
    add(Answered(at=tick(), question="weapon", value="yes"))  # volunteered: out of protocol order
    while (question := session.assessment.next_question) is not None:
        if question.id == "provider":
            add(Skipped(at=tick(), question="provider"))
            continue
        value = "no" if question.type == "yes_no" else next(o.id for o in question.options)
        add(Answered(at=tick(), question=question.id, value=value if question.type != "multi" else ["agitated"]))
    add(Revised(at=tick(), question="threats", value="yes"))
    add(AvailabilityChanged(at=tick(), model="co_response", available=False, reason="no team free near Rosa"))
    recommended = session.assessment.recommendation.model
    add(
        RecommendationAccepted(
            at=tick(20),
            model="co_response",
            recommended=recommended,
            reason="Caller Rosa at 617 555 0134 asked for a clinician; a team freed up",
        )
    )
    add(CallEnded(at=tick(), outcome="completed"))
    return events
