"""Which services of the directory fit a call's referral rules, open now (or next open), ranked.

Pure like the rest of the engine: the protocol's referral rules say which kinds of service fit which
facts, the directory says which services exist and when they are open, and the time comes in as an
argument. Every rule whose condition holds contributes its kinds in order (when there are more than
the protocol allows, each rule's kind keeps its best service first); within a kind, services open
now come first, then those in the caller's language, then those whose catchment is the caller's
district (rather than citywide), then the soonest to open, then the directory's own order.

A service is offered only when it serves the caller's district (citywide services serve every
district; with no district known, only citywide ones), serves whom the rule is for (the person or
their family), meets the rule's need, fits the person's age when the protocol asks it, and opens at
some time in the week.

The memo and the per-event step that use this (worked out once per key) are :mod:`.referrals`.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..protocol.directory import WEEK, Directory, DirectoryService
from ..protocol.directory_models import Service
from ..protocol.referral_models import ReferralRule


@dataclass(frozen=True, slots=True)
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
    opens_minute: int | None
    """When closed: the minute of the week it next opens (0 = Monday 00:00 of the call's week on the
    directory's clock; at or above one week, next week). None when open now."""
    speaks_language: bool
    """True when the service works in the caller's language."""
    local: bool
    """True when the caller's district is in the service's own catchment (not only citywide)."""

    @property
    def service_id(self) -> str:
        return self.service.id

    def opens_at(self, directory: Directory, at: datetime) -> datetime | None:
        """When it next opens, for a call at ``at`` (None when open now), on the directory's clock.

        Wall-clock arithmetic: "opens at 08:00" is 08:00 local even across a daylight-saving change.
        """
        if self.opens_minute is None:
            return None
        local = directory.local(at)
        monday = local.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) - timedelta(days=local.weekday())
        return (monday + timedelta(minutes=self.opens_minute)).replace(tzinfo=directory.zone)


Age = float | tuple[float, float] | None
"""The person's age (a number question), an age band's (lowest, highest) (a choice question and the
block's ``age_bands``), or None when not known."""


def _serves(service: DirectoryService, district: str | None, to: str, need: str | None, age: Age) -> bool:
    serves = service.spec.serves
    if not service.serves_district(district):
        return False
    if not (serves.family if to == "family" else serves.person):
        return False
    if need is not None and serves.needs and need not in serves.needs:
        return False
    if age is not None:
        # A band fits a service whose limits overlap it (a 13-17 band is offered a 14-24 drop-in).
        low, high = age if isinstance(age, tuple) else (age, age)
        if serves.min_age is not None and high < serves.min_age:
            return False
        if serves.max_age is not None and low > serves.max_age:
            return False
    return bool(service.hours.intervals)


def _next_start(service: DirectoryService, minute: int) -> int:
    """The minute of the week ``service`` next opens after ``minute`` (above ``WEEK``: next week)."""
    starts = [start for start, _ in service.hours.intervals]
    i = bisect.bisect_right(starts, minute)
    return starts[i] if i < len(starts) else starts[0] + WEEK


def work_out(
    fired: tuple[ReferralRule, ...],
    directory: Directory,
    district: str | None,
    language: str,
    age: Age,
    minute: int,
    per_kind: int,
    most: int,
) -> tuple[OfferedReferral, ...]:
    """The offers of the rules ``fired`` for a call in ``district`` and ``language`` at minute
    ``minute`` of the directory's week: at most ``per_kind`` services of each kind, ``most`` in all."""
    groups: list[list[OfferedReferral]] = []
    seen: set[tuple[str, str]] = set()
    for spec in fired:
        for kind in spec.offer:
            candidates = []
            for service in directory.by_kind.get(kind, ()):
                if (service.id, spec.to) in seen or not _serves(service, district, spec.to, spec.need, age):
                    continue
                is_open = service.hours.is_open_at(minute)
                opens = None if is_open else _next_start(service, minute)
                speaks = language in service.spec.languages
                in_catchment = service.spec.districts is not None
                rank = (not is_open, not speaks, not in_catchment, opens or 0, service.index)
                candidates.append((rank, service, opens, speaks))
            candidates.sort(key=lambda row: row[0])
            group = []
            for _, service, opens, speaks in candidates[:per_kind]:
                seen.add((service.id, spec.to))
                group.append(
                    OfferedReferral(
                        service=service.spec,
                        kind=kind,
                        to=spec.to,
                        rule=spec.id,
                        because=spec.because,
                        open_now=opens is None,
                        opens_minute=opens,
                        speaks_language=speaks,
                        local=service.spec.districts is not None,
                    )
                )
            if group:
                groups.append(group)
    return _within_limit(groups, most)


def _within_limit(groups: list[list[OfferedReferral]], most: int) -> tuple[OfferedReferral, ...]:
    """At most ``most`` offers, taken round by round (every rule's kind gets its best service before any
    gets a second), shown in rule and kind order."""
    keep: set[tuple[int, int]] = set()
    for rank in range(max((len(g) for g in groups), default=0)):
        for g, group in enumerate(groups):
            if rank < len(group) and len(keep) < most:
                keep.add((g, rank))
    return tuple(offer for g, group in enumerate(groups) for rank, offer in enumerate(group) if (g, rank) in keep)
