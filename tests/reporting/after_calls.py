"""A fixed set of twelve calls for the evaluator's figures, each built event by event so every
figure can be worked out by hand (the expected values in test_after_figures.py are).

Every call starts at noon on Tuesday 10 March 2026 (Boston), ten minutes apart, in district B2. Times
after the dispatch are minutes after it; the dispatch is 3 minutes into the call, the end 5 minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crisis_triage.engine.events import Answered, CallEnded, CallStarted, HandoffEnded, RecommendationAccepted
from crisis_triage.engine.events_response import (
    DispositionRecorded,
    FollowUpAttempted,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)
from crisis_triage.engine.session import CallSession
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.outside import with_owed_followups
from tests.engine.boston_calls import QUIET

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))
NOW = T0 + timedelta(days=10)
"""The moment the report is made: every window and follow-up of the set is over by then."""

#: Every safety question answered "no" (the engine tests' quiet call), and the rest of the Boston
#: questions these calls reach, in the order the console asks them.
BASE = (
    {"location": "x", "caller_name": "x"}
    | QUIET
    | {
        "location": "x",
        "presentation": [],
        "provider": "no",
        "police_concern": "no",
        "support_choice": "phone",
    }
)
PHONE = {}  # call line, band none, facts: wants_phone
VISIT = {"support_choice": "visit"}  # community-led, band none
VISIT_FEAR = {"support_choice": "visit", "police_concern": "yes"}
HIGH = {"past_behaviour": "past_3_months"}  # alternative response + call line beside, band high, suicide screen
WEAPON = {"weapon": "yes"}  # co-response (police required), band high
WEAPON_FEAR = {"weapon": "yes", "police_concern": "yes"}
MEDICAL = {"hurt_or_unresponsive": "yes"}  # emergency medical, band high

#: (id, answers, door, line, language, what happened) -- see build_call for the keys.
CALLS = [
    (
        "c01",
        PHONE,
        "self",
        "e911",
        "en",
        {
            "handoff": "accepted",
            "landed": ("follow_up_booked", 20),
            "attempts": [("caring_contact", "reached_safe", 2)],
        },
    ),
    ("c02", PHONE, "family", "e911", "en", {"ending": "caller_disconnected"}),
    (
        "c03",
        VISIT,
        "self",
        "e911",
        "en",
        {
            "statuses": [("assigned", 1), ("en_route", 2), ("on_scene", 17), ("contact_made", 19)],
            "disposition": ("resolved_on_scene", 60, {}),
        },
    ),
    (
        "c04",
        HIGH,
        "self",
        "e911",
        "en",
        {
            "statuses": [("on_scene", 30), ("contact_made", 31)],
            "disposition": ("connected_to_care", 90, {"service": "Bay Cove"}),
            "attempts": [("caring_contact", "no_answer", 3), ("caring_contact", "reached_safe", 30)],
        },
    ),
    (
        "c05",
        WEAPON_FEAR,
        "self",
        "e911",
        "en",
        {"statuses": [("on_scene", 10), ("contact_made", 25)], "disposition": ("arrest", 50, {})},
    ),
    (
        "c06",
        WEAPON,
        "self",
        "e911",
        "en",
        {
            "depart": ("police_emergency", "closest car"),
            "statuses": [("on_scene", 5), ("contact_made", 6)],
            "disposition": ("section_12", 45, {"destination": "BMC", "authorised_by": "physician"}),
        },
    ),
    (
        "c07",
        HIGH,
        "family",
        "e911",
        "en",
        {"statuses": [("on_scene", 40), ("unable_to_locate", 50)], "disposition": ("not_found", 70, {})},
    ),
    (
        "c08",
        VISIT_FEAR,
        "self",
        "e911",
        "en",
        {
            "statuses": [("on_scene", 15), ("contact_made", 16)],
            "disposition": ("transport_crisis_unit", 80, {"destination": "Bay Cove CSU"}),
        },
    ),
    (
        "c09",
        MEDICAL,
        "self",
        "e911",
        "en",
        {"statuses": [("on_scene", 8)], "disposition": ("transport_emergency_room", 60, {"destination": "BMC"})},
    ),
    ("c10", VISIT, "family", "e911", "en", {}),
    ("c11", PHONE, "self", "alt_line", "es", {"ending": "advice_only"}),
    (
        "c12",
        WEAPON,
        "family",
        "e911",
        "en",
        {"statuses": [("on_scene", 12), ("contact_made", 13)], "disposition": ("refused", 40, {})},
    ),
]


def build_call(protocol, index: int, call_id: str, answers: dict, door: str, line: str, language: str, plan: dict):
    """(meta, events) of one call of the set, with the follow-ups owed journalled as a console would."""
    start = T0 + timedelta(minutes=10 * index)
    events = [CallStarted(at=start, door=door, line=line, district="B2", language=language)]
    session = CallSession(protocol, events[0])
    for qid, value in {**BASE, **answers}.items():
        events.append(Answered(at=start, question=qid, value=value))
        session.apply(events[-1])
    dispatched = start + timedelta(minutes=3)
    if "ending" in plan:
        events.append(CallEnded(at=start + timedelta(minutes=5), outcome=plan["ending"]))
        return _meta(protocol, call_id), events
    recommended = session.assessment.recommendation.model
    model, reason = plan.get("depart", (recommended, ""))
    after = [RecommendationAccepted(at=dispatched, model=model, recommended=recommended, reason=reason)]
    if "handoff" in plan:
        after.append(HandoffEnded(at=start + timedelta(minutes=4), outcome=plan["handoff"]))
    after.append(CallEnded(at=start + timedelta(minutes=5), outcome="dispatched"))
    for status, minutes in plan.get("statuses", []):
        after.append(ResponseStatusChanged(at=dispatched + timedelta(minutes=minutes), status=status))
    if "disposition" in plan:
        code, minutes, details = plan["disposition"]
        after.append(
            DispositionRecorded(
                at=dispatched + timedelta(minutes=minutes), code=code, details=details, recorded_by="dispatcher"
            )
        )
    if "landed" in plan:
        outcome, minutes = plan["landed"]
        after.append(HandoffOutcomeRecorded(at=dispatched + timedelta(minutes=minutes), outcome=outcome))
    events += with_owed_followups(session, after)
    for rule, outcome, hours in plan.get("attempts", []):
        owed = next(e for e in events if e.kind == "follow_up_scheduled" and e.rule == rule)
        events += with_owed_followups(
            session, [FollowUpAttempted(at=owed.at + timedelta(hours=hours), rule=rule, outcome=outcome)]
        )
    return _meta(protocol, call_id), events


def _meta(protocol, call_id: str) -> CallMeta:
    return CallMeta(call_id, "console-1", "ct-1", protocol.id, protocol.version, protocol.sha256, protocol.file)


def fixed_calls(protocol) -> list[tuple[CallMeta, list]]:
    return [build_call(protocol, i, *call) for i, call in enumerate(CALLS)]
