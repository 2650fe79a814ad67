"""Realistic synthetic calls for demos, benchmarks and impact estimates.

Calls are drawn from a handful of presentations seen on mental-health crisis lines (distress with
no risk, suicidal thoughts at several depths, psychosis or agitation, overdose, violence or a
weapon), with districts weighted toward Dorchester, Roxbury and the South End where Boston's volume
was highest in 2020. Answers are only drawn for questions the protocol would ask (the engine
decides), so every call is one a call-taker could really have taken. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..engine.evaluate import next_question
from ..engine.events import Answered, CallStarted, InterruptRecorded
from ..engine.referrals import referrals_for_call
from ..engine.session import CallSession
from ..protocol.compiled import CompiledQuestion, Protocol
from .generate_after import after_plan, referral_directory

#: Relative call volume by Boston police district (Dorchester, Roxbury, South End highest).
DISTRICT_WEIGHTS = {
    "C11": 20,
    "B2": 18,
    "D4": 14,
    "B3": 9,
    "A1": 7,
    "C6": 6,
    "E13": 6,
    "E18": 5,
    "D14": 5,
    "E5": 4,
    "A7": 6,
}
DOOR_WEIGHTS = {"family": 38, "self": 32, "bystander": 19, "professional": 11}
LANGUAGE_WEIGHTS = {"en": 84, "es": 14}


@dataclass(frozen=True)
class Presentation:
    name: str
    weight: int
    yes: dict[str, float]
    """Probability of "yes" per yes/no question id (others: a small base rate)."""
    choice: dict[str, dict[str, float]]
    interrupts: dict[str, float]
    """Probability that the caller volunteers this mid-call (recorded as an interrupt)."""


PRESENTATIONS = (
    Presentation(
        "distress",
        40,
        {"provider": 0.5, "police_concern": 0.3, "wish_dead": 0.08, "with_person": 0.8},
        {
            "support_choice": {"phone": 0.55, "visit": 0.3, "either": 0.15},
            "presentation": {"distressed": 0.8, "withdrawn": 0.3, "confused": 0.1},
        },
        {},
    ),
    Presentation(
        "suicidal",
        22,
        {
            "wish_dead": 0.9,
            "suicidal_thoughts": 0.75,
            "method": 0.5,
            "intent": 0.3,
            "plan": 0.2,
            "provider": 0.5,
            "police_concern": 0.35,
            "took_substance": 0.15,
            "with_person": 0.85,
        },
        {
            "past_behaviour": {"no": 0.6, "longer_ago": 0.2, "past_3_months": 0.15, "unknown": 0.05},
            "support_choice": {"phone": 0.5, "visit": 0.35, "either": 0.15},
            "presentation": {"distressed": 0.7, "withdrawn": 0.5},
        },
        {"attempt": 0.02},
    ),
    Presentation(
        "psychosis",
        15,
        {"threats": 0.15, "provider": 0.6, "police_concern": 0.4, "with_person": 0.7},
        {
            "presentation": {"voices": 0.8, "confused": 0.5, "agitated": 0.4, "unsafe_outside": 0.2},
            "support_choice": {"phone": 0.2, "visit": 0.7, "either": 0.1},
        },
        {"violence": 0.03, "weapon_seen": 0.04},
    ),
    Presentation(
        "substance",
        11,
        {
            "took_substance": 0.95,
            "overdose_signs": 0.4,
            "hurt_or_unresponsive": 0.25,
            "wish_dead": 0.3,
            "with_person": 0.8,
        },
        {"presentation": {"confused": 0.6, "agitated": 0.3}},
        {"overdose": 0.05, "medical": 0.05},
    ),
    Presentation(
        "danger",
        9,
        {
            "weapon": 0.55,
            "weapon_use": 0.3,
            "violence": 0.35,
            "threats": 0.6,
            "crime": 0.1,
            "children": 0.15,
            "police_concern": 0.25,
            "with_person": 0.6,
        },
        {"presentation": {"agitated": 0.8, "voices": 0.3}},
        {"weapon_seen": 0.1, "violence": 0.05, "threat": 0.1},
    ),
    Presentation(
        "attempt",
        3,
        {
            "attempt_now": 0.8,
            "took_substance": 0.6,
            "overdose_signs": 0.6,
            "hurt_or_unresponsive": 0.5,
            "wish_dead": 0.9,
            "suicidal_thoughts": 0.9,
            "with_person": 0.9,
        },
        {"past_behaviour": {"past_3_months": 0.5, "longer_ago": 0.2, "no": 0.2, "unknown": 0.1}},
        {},
    ),
)

#: Answers drawn for choice questions a presentation says nothing about.
BASE_CHOICE = {
    "past_behaviour": {"no": 0.86, "longer_ago": 0.07, "past_3_months": 0.04, "unknown": 0.03},
    "support_choice": {"phone": 0.5, "visit": 0.3, "either": 0.2},
}
BASE_YES = 0.015
"""Chance of "yes" to a question a presentation says nothing about."""

UNKNOWN_RATE = 0.03
"""Share of safety answers recorded as unknown: callers often cannot say."""

FIRST_NAMES = ("Ana", "James", "Keisha", "Luis", "Mary", "Darnell", "Rosa", "Tom", "Fatima", "Kevin")
STREETS = ("Blue Hill Ave", "Dudley St", "Tremont St", "Washington St", "Columbia Rd", "Dorchester Ave", "Warren St")
SURNAMES = ("Diaz", "Okafor", "Nguyen", "Murphy", "Silva", "Johnson", "Haddad")
#: Phone numbers as call-takers type them (all in the 555-01xx range kept for fiction).
PHONE_FORMATS = ("617-555-01{:02d}", "(617) 555-01{:02d}", "+1 617 555 01{:02d}", "617.555.01{:02d}", "6175550{:03d}")
#: Call-taker notes: free text holding what de-identification must remove (names, phone numbers,
#: e-mail addresses, street addresses), so the export tests meet it.
NOTE_TEMPLATES = (
    "Caller {first} {last} asks for a call back on {phone}.",
    "Sister {first} can be reached at {email} or {phone}.",
    "Lives at {street}, second floor; door code 4471.",
    "{first} {last} ({phone}) says the neighbour at {street} called before.",
    "Case worker: {first}.{last}@example.org",
)


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _answer(rng: random.Random, question: CompiledQuestion, presentation: Presentation) -> Any:
    qid = question.id
    if question.type == "text":
        if "name" in qid:
            return rng.choice(FIRST_NAMES)
        return f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
    if question.type == "number":
        low = question.spec.min if question.spec.min is not None else 0
        high = question.spec.max if question.spec.max is not None else 100
        return rng.randint(int(low), int(high))
    options = [o.id for o in question.options]
    if question.type == "multi":
        chances = presentation.choice.get(qid, {})
        picked = [o for o in options if rng.random() < chances.get(o, 0.05)]
        return picked
    if question.type == "choice":
        weights = presentation.choice.get(qid) or BASE_CHOICE.get(qid)
        if weights:
            return _weighted(
                rng, {o: weights.get(o, 0.0) for o in options} | {o: 0.01 for o in options if o not in weights}
            )
        return rng.choice(options)
    # yes_no
    if question.safety and rng.random() < UNKNOWN_RATE:
        return "unknown"
    return "yes" if rng.random() < presentation.yes.get(qid, BASE_YES) else "no"


def stream_calls(protocol: Protocol, count: int, seed: int = 1, distinct: int = 2000) -> Iterator[dict[str, Any]]:
    """``count`` calls for volume tests: ``distinct`` generated calls, then the same again under new ids.

    Generating a call walks the engine once per answer; for a hundred thousand calls that is the
    slow part, and a replay's cost does not depend on whether calls repeat. Memory stays flat: only
    the ``distinct`` calls are kept.
    """
    pool: list[dict[str, Any]] = []
    for call in generate_calls(protocol, min(count, distinct), seed):
        pool.append(call)
        yield call
    for number in range(len(pool) + 1, count + 1):
        call = dict(pool[(number - 1) % len(pool)])
        call["id"] = f"syn-{seed}-{number:06d}"
        yield call


def generate_calls(
    protocol: Protocol, count: int, seed: int = 1, start: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` calls as replay-file dicts ({"id", "door", "district", "answers", ...})."""
    rng = random.Random(seed)
    districts = {d: w for d, w in DISTRICT_WEIGHTS.items() if d in protocol.districts} or dict.fromkeys(
        protocol.districts, 1
    )
    doors = {d: w for d, w in DOOR_WEIGHTS.items() if d in protocol.doors} or dict.fromkeys(protocol.doors, 1)
    languages = {lang: w for lang, w in LANGUAGE_WEIGHTS.items() if lang in protocol.languages}
    lines = [x.id for x in protocol.document.lines]
    interrupts = protocol.interrupts
    moment = start or datetime.fromisoformat("2026-01-05T00:00:00-05:00")
    presentation_weights = {p.name: p.weight for p in PRESENTATIONS}
    by_name = {p.name: p for p in PRESENTATIONS}
    for number in range(1, count + 1):
        moment += timedelta(minutes=rng.expovariate(1 / 52))  # ~28 mental-health calls a day
        presentation = by_name[_weighted(rng, presentation_weights)]
        door = _weighted(rng, doors)
        call: dict[str, Any] = {
            "id": f"syn-{seed}-{number:06d}",
            "door": door,
            "line": lines[0] if rng.random() < 0.82 or len(lines) == 1 else rng.choice(lines[1:]),
            "district": _weighted(rng, districts),
            "language": _weighted(rng, languages),
            "at": moment.isoformat(),
            "tags": [presentation.name],
        }
        session = CallSession(
            protocol,
            CallStarted(at=moment, door=door, line=call["line"], district=call["district"], language=call["language"]),
        )
        recorded = [i for i, p in presentation.interrupts.items() if i in interrupts and rng.random() < p]
        for interrupt in recorded:
            session.apply(InterruptRecorded(at=moment, interrupt=interrupt))
        answers: dict[str, Any] = {}
        # Ask in order, as the console would: the engine says which question comes next.
        while (question := next_question(protocol, session.state)) is not None:
            value = _answer(rng, question, presentation)
            answers[question.id] = value
            session.apply(Answered(at=moment, question=question.id, value=value))
        call["answers"] = answers
        call["interrupts"] = recorded
        notes = _notes(random.Random(f"{seed}/{number}/notes"))
        if notes:
            call["notes"] = notes
        # Drawn from a generator of its own, so the calls' answers are the same as without it.
        rec = session.assessment.recommendation
        fallback = list(protocol.models[rec.model].fallback) if rec.model in protocol.models else []
        directory = referral_directory(protocol)
        offered = (
            [
                (o.service_id, "family" if o.to == "family" else "caller", o.rule)
                for o in referrals_for_call(protocol, directory, session.state, session.assessment)
            ]
            if directory is not None
            else []
        )
        call["after"] = after_plan(protocol, random.Random(f"{seed}/{number}/after"), rec.model, fallback, offered)
        yield call


def _notes(rng: random.Random) -> list[str]:
    """Zero to two call-taker notes with personal details in free text (a separate generator, so
    adding notes changes nothing else about a seed's calls)."""
    notes = []
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        notes.append(
            rng.choice(NOTE_TEMPLATES).format(
                first=first,
                last=last,
                phone=rng.choice(PHONE_FORMATS).format(rng.randint(0, 99)),
                email=f"{first.lower()}.{last.lower()}@example.org",
                street=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
            )
        )
    return notes
