"""Helpers shared by the record tests (a module, not a conftest: the kill driver imports it too)."""

from __future__ import annotations

import hashlib
import json

from crisis_triage.engine.session import CallSession
from crisis_triage.protocol import Protocol
from crisis_triage.records.importer import call_events
from crisis_triage.replay.calls import CallRecord
from crisis_triage.replay.synthetic import generate_calls


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
        "score": a.risk.score, "band": a.risk.band, "model": a.recommendation.model,
        "team": list(a.recommendation.team), "answers": {k: repr(v) for k, v in sorted(state.answers.items())},
        "interrupts": sorted(state.interrupts), "accepted": state.accepted, "handoff": sorted(state.handoff_steps),
        "ended": state.ended, "events": len(session.events),
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:16]
