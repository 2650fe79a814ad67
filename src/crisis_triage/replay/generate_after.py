"""Realistic lives after the dispatch for generated calls (``generate-calls``): plans only, played by
``records import-calls``. Rates are illustrative, shaped by what crisis-response pilots report:
most calls to a mental-health team end on scene or connected to care, police responses end in
arrest or a hold more often, a few people are not found, and most follow-ups are done within the day.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..protocol.compiled import Protocol

if TYPE_CHECKING:
    from ..protocol.directory import Directory

#: Ways a call can end with no dispatch, with their weights (about 3% of calls in all).
UNDISPATCHED = {"caller_disconnected": 2.0, "advice_only": 0.6, "transferred": 0.4}
UNDISPATCHED_RATE = 0.03
DEPARTURE_RATE = 0.04
#: Disposition weights by model (codes the protocol does not have are skipped).
DISPOSITIONS = {
    "police_emergency": {
        "arrest": 15,
        "section_12": 20,
        "transport_emergency_room": 20,
        "resolved_on_scene": 25,
        "connected_to_care": 10,
        "refused": 10,
    },
    "co_response": {
        "arrest": 4,
        "section_12": 12,
        "transport_emergency_room": 14,
        "transport_crisis_unit": 10,
        "connected_to_care": 25,
        "resolved_on_scene": 28,
        "refused": 7,
    },
    "emergency_medical": {
        "transport_emergency_room": 55,
        "section_12": 8,
        "transport_crisis_unit": 7,
        "resolved_on_scene": 15,
        "refused": 15,
    },
    "alternative_response": {
        "connected_to_care": 35,
        "resolved_on_scene": 35,
        "transport_crisis_unit": 10,
        "transport_emergency_room": 7,
        "section_12": 3,
        "refused": 10,
    },
    "community_led": {"connected_to_care": 40, "resolved_on_scene": 45, "refused": 15},
}
#: Minutes from dispatch to on scene (median) by model.
ON_SCENE_MINUTES = {
    "police_emergency": 7,
    "co_response": 16,
    "emergency_medical": 9,
    "alternative_response": 22,
    "community_led": 35,
}
SERVICES = (
    "BEST Community Crisis Stabilization",
    "Bay Cove Human Services",
    "Boston Medical Center outpatient",
    "Fenway Health",
    "North Suffolk Mental Health",
    "Victory Programs",
)
HOSPITALS = (
    "Boston Medical Center",
    "Massachusetts General Hospital",
    "Beth Israel Deaconess",
    "Carney Hospital",
    "Brigham and Women's",
)
UNITS = ("BEST Adult CCS", "Bay Cove CSU")
LANDINGS = {"stayed_with_counsellor": 60, "follow_up_booked": 30, "team_requested": 10}


#: Kinds of directory service a response "connects to care" (not shelters or family lines).
CARE_KINDS = ("urgent_care", "crisis_stabilisation", "detox_recovery", "peer_respite", "youth", "older_adult")


def referral_directory(protocol: Protocol) -> Directory | None:
    """The protocol's referral directory (None without one, or when it does not load), loaded once."""

    def load(protocol: Protocol) -> tuple[Directory | None]:
        from ..protocol.directory import load_directory_for
        from ..protocol.errors import ProtocolError

        try:
            return (load_directory_for(protocol),)
        except (ProtocolError, OSError):
            return (None,)

    # In a tuple: the protocol's store of derived values takes None for "not worked out yet".
    loaded: tuple[Directory | None] = protocol.derived("replay.referral_directory", load)
    return loaded[0]


def _care_services(protocol: Protocol) -> tuple[str, ...]:
    """Ids of the directory's care services (empty without a directory, or when it does not load)."""
    directory = referral_directory(protocol)
    return tuple(s.id for s in directory.services if s.kind in CARE_KINDS) if directory else ()


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


#: Of the referrals the engine offers on a call, the share the call-taker gives (the caller declines
#: some, and a call-taker short of time gives the first one or two).
GIVEN_RATE = 0.55
#: Referrals given on one call at most.
MOST_GIVEN = 3


def after_plan(
    protocol: Protocol,
    rng: random.Random,
    recommended: str,
    fallback: list[str],
    offered: Sequence[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """A plan (see :class:`crisis_triage.replay.after_plan.AfterPlan`) for a call recommended
    ``recommended``, on which the engine offered the referrals ``offered`` ((service id, "caller" or
    "family", rule) each, best first)."""
    plan = _after_dispatch(protocol, rng, recommended, fallback)
    # Drawn last, so the rest of a seed's plan is the same as before referrals were generated.
    given = [
        {"service": service, "to": to, "rule": rule} for service, to, rule in offered if rng.random() < GIVEN_RATE
    ][:MOST_GIVEN]
    if given:
        plan["referrals"] = given
    return plan


def _after_dispatch(protocol: Protocol, rng: random.Random, recommended: str, fallback: list[str]) -> dict[str, Any]:
    if rng.random() < UNDISPATCHED_RATE:
        return {"dispatch": False, "ending": _pick(rng, UNDISPATCHED)}
    plan: dict[str, Any] = {}
    model = recommended
    handoff = protocol.document.handoff
    handoff_model = handoff.model if handoff else None
    if rng.random() < DEPARTURE_RATE:
        others = [m for m in (fallback or list(protocol.models)) if m != recommended and m != handoff_model]
        if others:
            model = rng.choice(others)
            plan["depart_to"] = model
            plan["depart_reason"] = rng.choice(
                ("recommended team not free nearby", "supervisor asked for police presence", "caller asked for EMS")
            )
    plan["follow_up"] = _follow_up_attempts(rng)
    plan["ending"] = "handoff_completed" if model == handoff_model else "dispatched"
    if model == handoff_model:
        if rng.random() < 0.8 and protocol.document.follow_up and protocol.document.follow_up.handoff_outcomes:
            known = {x.id for x in protocol.document.follow_up.handoff_outcomes}
            plan["landed"] = _pick(rng, {k: w for k, w in LANDINGS.items() if k in known} or dict.fromkeys(known, 1))
            plan["landed_minutes"] = round(rng.uniform(5, 45), 1)
        return plan
    median = ON_SCENE_MINUTES.get(model, 15)
    assigned = rng.uniform(0.5, 3)
    on_scene = assigned + rng.lognormvariate(0, 0.45) * median
    statuses = [("assigned", assigned), ("en_route", assigned + rng.uniform(0.5, 3)), ("on_scene", on_scene)]
    found = rng.random() > 0.06
    if rng.random() > 0.05:  # a few teams never report contact: the console's alert catches those
        statuses.append(("contact_made" if found else "unable_to_locate", on_scene + rng.uniform(0, 6)))
    cleared = on_scene + rng.uniform(20, 90)
    statuses.append(("cleared", cleared))
    plan["statuses"] = [{"status": s, "minutes": round(m, 1)} for s, m in statuses]
    codes = {d.id: d for d in protocol.document.dispositions}
    if not codes or rng.random() < 0.03:
        _acknowledgement(protocol, rng, model, plan, None)
        return plan  # no disposition recorded yet: the response stays active
    code = "not_found" if not found and "not_found" in codes else None
    if code is None:
        weights = {c: w for c, w in DISPOSITIONS.get(model, {}).items() if c in codes}
        code = _pick(rng, weights) if weights else rng.choice(list(codes))
    spec = codes[code]
    details = {}
    for detail in spec.details:
        if detail.options:
            details[detail.id] = rng.choice(detail.options)
        elif detail.from_directory or detail.id == "service":
            name = rng.choice(SERVICES)
            places = _care_services(protocol) if detail.from_directory else ()
            # A directory service when there is one (the same draw as before, so the rest of the plan
            # is unchanged): the evaluator's figures then name real services of the directory.
            details[detail.id] = places[SERVICES.index(name) * len(places) // len(SERVICES)] if places else name
        elif detail.id == "destination":
            details[detail.id] = rng.choice(UNITS if "crisis_unit" in code else HOSPITALS)
        elif detail.required:
            details[detail.id] = "as reported by the team"
    plan["disposition"] = code
    plan["details"] = details
    plan["recorded_by"] = "dispatcher" if "dispatcher" in spec.recorded_by else spec.recorded_by[0]
    plan["disposition_minutes"] = round(cleared + rng.uniform(1, 15), 1)
    _acknowledgement(protocol, rng, model, plan, plan["disposition_minutes"])
    return plan


#: Of the responses whose contact window runs out before contact is settled, the share where someone
#: at the console acts on the alert (radios the team, tells the supervisor) before contact comes in.
ACKNOWLEDGED_RATE = 0.7


def _acknowledgement(
    protocol: Protocol, rng: random.Random, model: str, plan: dict[str, Any], disposition_minutes: float | None
) -> None:
    """Sometimes an acknowledgement of the overdue contact alert, between the window's end and the
    contact (or the disposition, which settles it too). Drawn last, so the rest of a seed's plan is
    the same as before acknowledgements were generated."""
    rule = next((r for r in protocol.document.contact_confirmation if model in r.models), None)
    if rule is None:
        return
    settling = [s["minutes"] for s in plan["statuses"] if s["status"] in ("contact_made", "unable_to_locate")]
    if disposition_minutes is not None:
        settling.append(disposition_minutes)
    settled = min(settling, default=None)
    deadline = float(rule.within_minutes)
    latest = deadline + 15 if settled is None else min(deadline + 15, settled - 0.5)
    if latest <= deadline + 1 or rng.random() >= ACKNOWLEDGED_RATE:
        return  # contact in time (or just after): no alert worth acting on
    plan["acknowledged_minutes"] = round(rng.uniform(deadline + 1, latest), 1)


def _follow_up_attempts(rng: random.Random) -> list[dict[str, Any]]:
    """Attempts on each follow-up a call comes to owe: most reach the person within the day."""
    roll = rng.random()
    if roll < 0.72:
        return [
            {
                "outcome": _pick(rng, {"reached_safe": 80, "referred": 15, "declined": 5}),
                "hours": round(rng.uniform(1, 20), 1),
            }
        ]
    if roll < 0.84:
        return [
            {"outcome": "no_answer", "hours": round(rng.uniform(1, 6), 1)},
            {"outcome": _pick(rng, {"reached_safe": 70, "referred": 30}), "hours": round(rng.uniform(8, 36), 1)},
        ]
    if roll < 0.93:
        return [{"outcome": "no_answer", "hours": round(rng.uniform(1, 6), 1)}]
    return []
