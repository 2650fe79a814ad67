"""The pilot's figures from the records: what the evaluator asks for, computed by replaying each call.

Calls per model, district, band and door; the share with police involved and with a clinician;
handoffs to the call line and how many the counsellor accepted; calls whose preferred model was
unavailable, with the reasons; and the time from the start of the call to a final recommendation
(p50/p90). A call that cannot be replayed (its protocol file is missing, its events do not fit) is
listed with the reason, never silently dropped.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..store.journal import CallMeta
from .outcome import CallOutcome

#: Roles that mean "police involved" and "a clinician on the response" (Boston's role ids; a centre
#: with other role names passes its own with --police-role / --clinician-role).
POLICE_ROLES = ("police",)
CLINICIAN_ROLES = ("clinician", "mh_worker")
CALL_LINE_ROLES = ("call_line",)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Figures:
    calls: int = 0
    unreadable: Counter = field(default_factory=Counter)
    """Why calls could not be replayed -> how many calls (each reason names a protocol or a call)."""
    unfinished: int = 0
    per_model: Counter = field(default_factory=Counter)
    """By the model dispatched (the recommendation when the call ended before a dispatch)."""
    recommended: Counter = field(default_factory=Counter)
    per_district: Counter = field(default_factory=Counter)
    per_band: Counter = field(default_factory=Counter)
    per_door: Counter = field(default_factory=Counter)
    police: int = 0
    clinician: int = 0
    call_line: int = 0
    handoffs: int = 0
    handoff_outcomes: Counter = field(default_factory=Counter)
    preferred_unavailable: int = 0
    unavailable_reasons: Counter = field(default_factory=Counter)
    """(preferred model, model sent instead, reason) -> calls."""
    departures: int = 0
    departure_models: Counter = field(default_factory=Counter)
    """(recommended, dispatched) -> calls."""
    seconds_to_recommendation: list[float] = field(default_factory=list)
    seconds_to_dispatch: list[float] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    protocols: Counter = field(default_factory=Counter)
    """"id version" -> calls."""

    def share(self, count: int) -> float:
        return 100.0 * count / self.calls if self.calls else 0.0

    @property
    def handoffs_accepted(self) -> int:
        return self.handoff_outcomes.get("accepted", 0)

    def add(self, outcome: CallOutcome, police_roles: Sequence[str], clinician_roles: Sequence[str]) -> None:
        self.calls += 1
        self.unfinished += outcome.ended is None
        model = outcome.dispatched or outcome.recommended
        self.per_model[model] += 1
        self.recommended[outcome.recommended] += 1
        self.per_district[outcome.district or "(none)"] += 1
        self.per_band[outcome.band] += 1
        self.per_door[outcome.door or "(none)"] += 1
        roles = set(outcome.team)
        self.police += not roles.isdisjoint(police_roles)
        self.clinician += not roles.isdisjoint(clinician_roles)
        self.call_line += not roles.isdisjoint(CALL_LINE_ROLES) or outcome.handoff
        if outcome.handoff:
            self.handoffs += 1
            self.handoff_outcomes[outcome.handoff_outcome or "(not recorded)"] += 1
        if outcome.fallbacks:
            self.preferred_unavailable += 1
            for from_model, to_model, reason in outcome.fallbacks:
                self.unavailable_reasons[(from_model, to_model, reason)] += 1
        if outcome.departed:
            self.departures += 1
            self.departure_models[(outcome.recommended, outcome.dispatched)] += 1
        if outcome.seconds_to_recommendation is not None:
            self.seconds_to_recommendation.append(outcome.seconds_to_recommendation)
        if outcome.seconds_to_dispatch is not None:
            self.seconds_to_dispatch.append(outcome.seconds_to_dispatch)
        self.first = min(self.first, outcome.started_at) if self.first else outcome.started_at
        self.last = max(self.last, outcome.started_at) if self.last else outcome.started_at


def compute_figures(
    results: Iterable[tuple[CallMeta, "CallOutcome | str"]],
    *,
    police_roles: Sequence[str] = POLICE_ROLES,
    clinician_roles: Sequence[str] = CLINICIAN_ROLES,
) -> Figures:
    """Add up the figures from each call's outcome (or the reason it could not be replayed), as
    :func:`crisis_triage.reporting.outcomes.call_outcomes` yields them."""
    figures = Figures()
    for meta, result in results:
        if isinstance(result, str):
            figures.unreadable[result] += 1
            continue
        figures.protocols[f"{meta.protocol_id} {meta.protocol_version}"] += 1
        figures.add(result, police_roles, clinician_roles)
    return figures
