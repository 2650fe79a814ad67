"""The Boston protocol's decisions written out by hand in plain Python: the baseline for bench/engine.py.

This is what a programmer would write without a protocol engine: the same questions, points, facts,
bands, overrides, suicide screen, rules, fallbacks, additions and guarantees as
protocols/boston-mh-crisis.yaml, as straight-line code. bench/engine.py checks it agrees with the
engine on every generated call before it times either, so the comparison is like for like.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

POINTS = {
    "hurt_or_unresponsive": {"yes": 4, "unknown": 2},
    "took_substance": {"yes": 3, "unknown": 2},
    "overdose_signs": {"yes": 6, "unknown": 3},
    "attempt_now": {"yes": 10, "unknown": 5},
    "weapon": {"yes": 6, "unknown": 3},
    "weapon_use": {"yes": 8, "unknown": 4},
    "violence": {"yes": 8, "unknown": 4},
    "threats": {"yes": 5, "unknown": 3},
    "crime": {"yes": 4, "unknown": 2},
    "children": {"yes": 4, "unknown": 2},
    "wish_dead": {"yes": 1, "unknown": 1},
    "suicidal_thoughts": {"yes": 2, "unknown": 1},
    "method": {"yes": 2, "unknown": 1},
    "intent": {"yes": 4, "unknown": 2},
    "plan": {"yes": 5, "unknown": 3},
    "past_behaviour": {"past_3_months": 5, "longer_ago": 2, "unknown": 3},
}
PRESENTATION_POINTS = {"confused": 1, "voices": 2, "agitated": 3, "unsafe_outside": 4}
BANDS = ("none", "low", "elevated", "high", "imminent")
BAND_FLOORS = (0, 1, 5, 10, 16)
CALLERS = {"self": "self", "family": "family", "bystander": "bystander", "professional": "professional"}
INTERRUPT_FACTS = {
    "weapon_seen": "weapon_present",
    "weapon_used": "weapon_in_use",
    "violence": "violence_now",
    "threat": "threat_to_others",
    "medical": "medical_emergency",
    "overdose": "overdose",
    "attempt": "suicide_attempt_now",
    "child": "child_at_risk",
    "crime": "crime_in_progress",
}
TEAMS = {
    "police_emergency": ["police"],
    "co_response": ["police", "clinician"],
    "emergency_medical": ["ems", "mh_worker"],
    "alternative_response": ["emt", "mh_worker"],
    "community_led": ["peer"],
    "call_line": ["call_line"],
}
FALLBACK = {
    "co_response": "police_emergency",
    "alternative_response": "emergency_medical",
    "community_led": "alternative_response",
}
COMMUNITY_DISTRICTS = {"B2", "B3", "C11", "D4"}


def _available(model: str, district: str | None, hour: float, unavailable: Mapping[str, str]) -> bool:
    if model in unavailable:
        return False
    if model == "community_led":
        return district in COMMUNITY_DISTRICTS and 10 <= hour < 22
    return True


def _resolve(model: str, district: str | None, hour: float, unavailable: Mapping[str, str]) -> str:
    while not _available(model, district, hour, unavailable) and model in FALLBACK:
        model = FALLBACK[model]
    return model


def decide(
    answers: Mapping[str, Any],
    door: str | None,
    district: str | None,
    hour: float,
    interrupts=(),
    unavailable: Mapping[str, str] = {},
) -> tuple[str, tuple[str, ...], str, int]:
    """(model, team, band, score) for one call, as the Boston protocol decides it."""
    get = answers.get
    caller = CALLERS.get(door) if door else None
    # Which questions apply (answers to the others do not count).
    took = get("took_substance")
    weapon = get("weapon")
    thoughts = get("suicidal_thoughts")
    applies = {
        "overdose_signs": took != "no",
        "weapon_use": weapon == "yes",
        "method": thoughts != "no",
        "intent": thoughts != "no",
        "plan": thoughts != "no",
    }
    score = 0
    for question, points in POINTS.items():
        value = get(question)
        if value is not None and applies.get(question, True):
            score += points.get(value, 0)
    for sign in get("presentation") or ():
        score += PRESENTATION_POINTS.get(sign, 0)
    with_person = get("with_person") if caller not in (None, "self") else None

    overdose_signs = get("overdose_signs") if applies["overdose_signs"] else None
    facts = {INTERRUPT_FACTS[i] for i in interrupts}
    medical = (
        get("hurt_or_unresponsive") == "yes"
        or overdose_signs in ("yes", "unknown")
        or get("attempt_now") == "yes"
        or "medical_emergency" in facts
    )
    overdose = overdose_signs == "yes" or "overdose" in facts
    attempt = get("attempt_now") == "yes" or "suicide_attempt_now" in facts
    weapon_present = weapon == "yes" or "weapon_present" in facts
    weapon_possible = weapon == "unknown"
    weapon_in_use = (applies["weapon_use"] and get("weapon_use") == "yes") or "weapon_in_use" in facts
    violence = get("violence") == "yes" or "violence_now" in facts
    threat = get("threats") == "yes" or "threat_to_others" in facts
    crime = get("crime") == "yes" or "crime_in_progress" in facts
    child = get("children") == "yes" or "child_at_risk" in facts
    safety_risk = weapon_present or weapon_possible or weapon_in_use or violence or threat or crime or child

    rank = 0
    for i, floor in enumerate(BAND_FLOORS):
        if score >= floor:
            rank = i
    if weapon_in_use or violence or attempt or overdose:
        rank = 4
    elif weapon_present or threat or crime or child or medical:
        rank = max(rank, 3)
    elif weapon_possible:
        rank = max(rank, 2)
    asks_screen = thoughts != "no"
    past = get("past_behaviour")
    if (asks_screen and (get("intent") in ("yes", "unknown") or get("plan") == "yes")) or past == "past_3_months":
        rank = max(rank, 3)
    elif (asks_screen and get("method") == "yes") or past == "longer_ago":
        rank = max(rank, 2)
    elif get("wish_dead") == "yes" or thoughts == "yes":
        rank = max(rank, 1)
    band = BANDS[rank]

    wants_visit = False
    if rank <= 1 and not medical and not safety_risk:
        wants_visit = get("support_choice") == "visit"

    added: list[str] = []
    if weapon_in_use or violence:
        model = "police_emergency"
        if medical:
            added.append("ems")
    elif medical and safety_risk:
        model = "co_response"
        added.append("ems")
    elif medical or overdose or attempt:
        model = "emergency_medical"
        if attempt:
            added.append("call_line")
    elif safety_risk:
        model = "co_response"
    elif rank >= 3:
        model = "alternative_response"
        added.append("call_line")
    elif rank == 2:
        model = "alternative_response"
    elif wants_visit or (with_person == "no" and caller != "self"):
        model = "community_led"
    else:
        model = "call_line"
    model = _resolve(model, district, hour, unavailable)
    team = list(TEAMS[model])
    for role in added:
        if role not in team:
            team.append(role)
    if (safety_risk or weapon_present or weapon_in_use or violence or threat or crime) and "police" not in team:
        base = TEAMS[model]
        model = _resolve("co_response", district, hour, unavailable)
        kept = [r for r in team if r not in base]
        team = list(TEAMS[model]) + [r for r in kept if r not in TEAMS[model]]
        if "police" not in team:
            team.append("police")
    if (medical or overdose or attempt) and "ems" not in team:
        team.append("ems")
    return model, tuple(team), band, score
