"""Offer referrals: which services of the directory fit this call, open now (or next open), ranked.

Pure like the rest of the engine: the protocol's referral rules say which kinds of service fit which
facts, the directory says which services exist and when they are open, and the time comes in as an
argument. Every rule whose condition holds contributes its kinds in order (when there are more than
the protocol allows, each rule's kind keeps its best service first); within a kind, services
open now come first, then those in the caller's language, then those whose catchment is the caller's
district (rather than citywide), then the soonest to open, then the directory's own order.

A service is offered only when it serves the caller's district (citywide services serve every
district; with no district known, only citywide ones), serves whom the rule is for (the person or
their family), meets the rule's need, fits the person's age when the protocol asks it, and opens at
some time in the week.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.conditions import ANSWERED, RANK_SUFFIX
from ..protocol.directory import Directory, DirectoryService, minute_of_week
from ..protocol.directory_models import Service
from .assessment import Assessment
from .evaluate import defaults, local_hour
from .state import CallState


@dataclass(frozen=True)
class OfferedReferral:
    """One service offered on a call, with why and when."""

    service: Service
    kind: str
    to: str
    """``person`` (the person in crisis) or ``family`` (their family and friends)."""
    rule: str
    """The referral rule that offered it."""
    because: Mapping[str, str]
    """The rule's reason, per language."""
    open_now: bool
    opens_at: datetime | None
    """When it next opens (on the directory's clock) if closed now; None when open now."""
    speaks_language: bool
    """True when the service works in the caller's language."""
    local: bool
    """True when the caller's district is in the service's own catchment (not only citywide)."""

    @property
    def service_id(self) -> str:
        return self.service.id


def _serves(service: DirectoryService, district: str | None, to: str, need: str | None, age: float | None) -> bool:
    spec = service.spec
    serves = spec.serves
    if not service.serves_district(district):
        return False
    if not (serves.family if to == "family" else serves.person):
        return False
    if need is not None and serves.needs and need not in serves.needs:
        return False
    if age is not None and not math.isnan(age):
        if serves.min_age is not None and age < serves.min_age:
            return False
        if serves.max_age is not None and age > serves.max_age:
            return False
    return bool(service.hours.intervals)


def offer_referrals(
    protocol: Protocol,
    directory: Directory,
    names: Mapping[str, Any],
    *,
    district: str | None,
    language: str,
    at: datetime,
    age: float | None = None,
) -> tuple[OfferedReferral, ...]:
    """The services to offer for a call whose condition names hold ``names``, at ``at``, ranked."""
    block = protocol.document.referrals
    if block is None or not protocol.referral_rules:
        return ()
    local = directory.local(at)
    minute = minute_of_week(local)
    groups: list[list[OfferedReferral]] = []
    seen: set[tuple[str, str]] = set()
    for rule in protocol.referral_rules:
        if rule.when is not None and not rule.when.test(names):
            continue
        spec = rule.spec
        for kind in spec.offer:
            candidates = []
            for service in directory.by_kind.get(kind, ()):
                if (service.id, spec.to) in seen or not _serves(service, district, spec.to, spec.need, age):
                    continue
                wait = service.hours.minutes_until_open(minute)
                speaks = language in service.spec.languages
                in_catchment = service.spec.districts is not None
                candidates.append(((wait != 0, not speaks, not in_catchment, wait, service.index), service))
            candidates.sort(key=lambda pair: pair[0])
            group = []
            for (closed, mute, _, _, _), service in candidates[: block.per_kind]:
                seen.add((service.id, spec.to))
                group.append(
                    OfferedReferral(
                        service=service.spec,
                        kind=kind,
                        to=spec.to,
                        rule=spec.id,
                        because=spec.because,
                        open_now=not closed,
                        opens_at=directory.opens_at(service, at) if closed else None,
                        speaks_language=not mute,
                        local=service.spec.districts is not None,
                    )
                )
            if group:
                groups.append(group)
    return _within_limit(groups, block.most)


def _within_limit(groups: list[list[OfferedReferral]], most: int) -> tuple[OfferedReferral, ...]:
    """At most ``most`` offers, taken round by round (every rule's kind gets its best service before any
    gets a second), shown in rule and kind order."""
    keep: set[tuple[int, int]] = set()
    for rank in range(max((len(g) for g in groups), default=0)):
        for g, group in enumerate(groups):
            if rank < len(group) and len(keep) < most:
                keep.add((g, rank))
    return tuple(offer for g, group in enumerate(groups) for rank, offer in enumerate(group) if (g, rank) in keep)


def referral_names(protocol: Protocol, state: CallState, assessment: Assessment) -> dict[str, Any]:
    """The names referral conditions read, as the engine's walk had them at the end of the assessment."""
    ns = defaults(protocol).copy()
    answered: set[str] = set()
    for asked in assessment.asked:
        if asked.status == "answered":
            qid = asked.question.id
            ns[qid] = frozenset(asked.value) if asked.question.type == "multi" else asked.value
            answered.add(qid)
    ns[ANSWERED] = answered
    for fact in assessment.facts:
        ns[fact] = True
    door = state.door
    ns.update(
        door=door,
        caller=protocol.doors[door].caller if door is not None and door in protocol.doors else None,
        line=state.line,
        district=state.district,
        language=state.language,
        hour=local_hour(protocol, state.now),
        band=assessment.risk.band,
        score=assessment.risk.score,
        suicide_level=assessment.risk.suicide_level or "none",
    )
    ns["band" + RANK_SUFFIX] = protocol.band_ids.index(assessment.risk.band)
    return ns


def referrals_for_call(
    protocol: Protocol, directory: Directory, state: CallState, assessment: Assessment
) -> tuple[OfferedReferral, ...]:
    """The referrals to offer on a call as it stands (at the time of its latest event)."""
    if not protocol.referral_rules:
        return ()
    block = protocol.document.referrals
    age = None
    if block is not None and block.age_question is not None:
        value = state.answers.get(block.age_question)
        age = float(value) if isinstance(value, (int, float)) else None
    return offer_referrals(
        protocol,
        directory,
        referral_names(protocol, state, assessment),
        district=state.district,
        language=state.language,
        at=state.now,
        age=age,
    )


__all__ = ["OfferedReferral", "offer_referrals", "referral_names", "referrals_for_call"]
