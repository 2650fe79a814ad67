"""The pilot's figures from the records: what the evaluator asks for, computed by replaying each call.

Every figure has one definition here, tested against hand-computed values (tests/reporting):

- **counts**: calls by the model dispatched; a call with no dispatch is "not dispatched", counted by
  how it ended, never under a model. Police involved, with a clinician and with a mental-health
  professional count dispatched calls whose team holds one of the roles named (the protocol's
  ``evaluation`` block, or ``--police-role`` / ``--clinician-role``), and the report says which.
  The call line is either the response ("dispatched to the call line") or added beside a team.
- **outcomes**: of the calls with a disposition, the share resolved without arrest, emergency room,
  involuntary hold or the person not being found, and the share connected to care; arrests,
  involuntary holds and emergency-room transports by model; time from dispatch to on scene (p50/p90)
  by model and by district; contact confirmed within the protocol's window; follow-ups done on time.
- **no wrong door**: for calls with the same band and the same facts, whether the response differs
  by door, line or language.
- **no police requested**: calls where the caller feared police or asked for none; the share where
  no police went, and the safety line (guarantee or rule) that sent police where they did go.
- **trends**: by week (in the centre's zone), and any two periods or protocol versions side by side.

A call that cannot be replayed (its protocol file is missing, its events do not fit) is listed with
the reason, never silently dropped.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..store.journal import CallMeta
from .outcome import CallOutcome

#: Roles counted when the protocol names none (Boston's role ids).
POLICE_ROLES = ("police",)
CLINICIAN_ROLES = ("clinician",)
MENTAL_HEALTH_ROLES = ("clinician", "mh_worker")
NO_POLICE_FACTS = ("fears_police",)

#: Disposition marks that mean the crisis did not end in arrest, an emergency room or a hold, and
#: the person was found.
NOT_RESOLVED_MARKS = frozenset({"arrest", "emergency_room", "involuntary_hold", "not_found"})
CONTACT_STATES = ("in_time", "late", "missed", "open")
FOLLOW_UP_STATES = ("on_time", "late", "overdue", "open")
DOOR_DIMENSIONS = ("door", "line", "language")


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Roles:
    """Which team roles count as police, clinician and mental-health professional."""

    police: tuple[str, ...] = POLICE_ROLES
    clinician: tuple[str, ...] = CLINICIAN_ROLES
    mental_health: tuple[str, ...] = MENTAL_HEALTH_ROLES
    no_police_facts: tuple[str, ...] = NO_POLICE_FACTS


def roles_from_protocol(protocol) -> Roles:
    """The roles and facts the protocol's ``evaluation`` block names (the defaults where it has none)."""
    evaluation = protocol.document.evaluation
    if evaluation is None:
        return Roles()
    return Roles(
        police=tuple(evaluation.police_roles),
        clinician=tuple(evaluation.clinician_roles),
        mental_health=tuple(evaluation.mental_health_roles) or MENTAL_HEALTH_ROLES,
        no_police_facts=tuple(evaluation.no_police_facts),
    )


def no_police_honoured(o: CallOutcome, roles: Roles) -> bool | None:
    """On a dispatched call where the caller feared police or asked for none (the protocol's
    ``no_police_facts``): True when no police role went, False when one did (a safety line or the
    rule overrode the request). None when there was no such request or no team was dispatched."""
    if o.dispatched is None or set(o.facts).isdisjoint(roles.no_police_facts):
        return None
    return set(o.team).isdisjoint(roles.police)


@dataclass
class Week:
    calls: int = 0
    dispatched: int = 0
    police: int = 0
    with_disposition: int = 0
    resolved_without: int = 0


@dataclass
class Figures:
    roles: Roles = field(default_factory=Roles)
    calls: int = 0
    unreadable: Counter = field(default_factory=Counter)
    """Why calls could not be replayed -> how many calls (each reason names a protocol or a call)."""
    unfinished: int = 0
    dispatched: int = 0
    per_model: Counter = field(default_factory=Counter)
    """Dispatched calls by the model dispatched (the last one, after any change of team)."""
    not_dispatched: Counter = field(default_factory=Counter)
    """Calls with no dispatch, by how the call ended ("(not ended)" for unfinished ones)."""
    recommended: Counter = field(default_factory=Counter)
    per_district: Counter = field(default_factory=Counter)
    per_band: Counter = field(default_factory=Counter)
    per_door: Counter = field(default_factory=Counter)
    police: int = 0
    clinician: int = 0
    mental_health: int = 0
    call_line_dispatched: int = 0
    call_line_beside: int = 0
    handoffs: int = 0
    handoff_outcomes: Counter = field(default_factory=Counter)
    landed: Counter = field(default_factory=Counter)
    preferred_unavailable: int = 0
    unavailable_reasons: Counter = field(default_factory=Counter)
    """(preferred model, model sent instead, reason) -> calls."""
    departures: int = 0
    departure_models: Counter = field(default_factory=Counter)
    """(recommended, dispatched) -> calls."""
    seconds_to_recommendation: list[float] = field(default_factory=list)
    seconds_to_dispatch: list[float] = field(default_factory=list)
    # -- outcomes
    dispositions: Counter = field(default_factory=Counter)
    with_disposition: int = 0
    resolved_without: int = 0
    connected: int = 0
    by_model: dict = field(default_factory=lambda: defaultdict(Counter))
    """model -> Counter(dispatched, disposition, arrest, involuntary_hold, emergency_room)."""
    on_scene_by_model: dict = field(default_factory=lambda: defaultdict(list))
    on_scene_by_district: dict = field(default_factory=lambda: defaultdict(list))
    contact: Counter = field(default_factory=Counter)
    """in_time / late / missed (window passed, nothing reported) / open (window not over yet)."""
    followups: Counter = field(default_factory=Counter)
    """on_time / late / overdue / open (not due yet)."""
    followups_by_rule: dict = field(default_factory=lambda: defaultdict(Counter))
    # -- no wrong door: (band, facts) -> dimension -> value -> Counter(model)
    strata: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(Counter))))
    # -- no police requested
    no_police_requests: int = 0
    no_police_honoured: int = 0
    no_police_overrides: Counter = field(default_factory=Counter)
    """The safety line that sent police anyway (a guarantee, else the deciding rule) -> calls."""
    weeks: dict = field(default_factory=lambda: defaultdict(Week))
    """ISO week in the centre's zone ("2026-W02") -> Week."""
    first: datetime | None = None
    last: datetime | None = None
    protocols: Counter = field(default_factory=Counter)
    referred: int = 0
    """Calls on which at least one referral was given."""
    referrals_by_kind: Counter = field(default_factory=Counter)
    """Kind of service -> referrals given."""
    referral_services: Counter = field(default_factory=Counter)
    """Service (as named when given) -> referrals given."""
    receiving_services: Counter = field(default_factory=Counter)
    """Directory service id (or ``other: <name>``) -> dispositions "connected to care" naming it."""
    """"id version" -> calls."""

    def share(self, count: int, of: int | None = None) -> float:
        whole = self.calls if of is None else of
        return 100.0 * count / whole if whole else 0.0

    @property
    def handoffs_accepted(self) -> int:
        return self.handoff_outcomes.get("accepted", 0)

    def add(self, outcome: CallOutcome, zone: tzinfo | None = None) -> None:
        o = outcome
        self.calls += 1
        self.unfinished += o.ended is None
        self.recommended[o.recommended] += 1
        self.per_district[o.district or "(none)"] += 1
        self.per_band[o.band] += 1
        self.per_door[o.door or "(none)"] += 1
        started = o.started_at.astimezone(zone) if zone else o.started_at
        year, week, _ = started.isocalendar()
        trend = self.weeks[f"{year}-W{week:02d}"]
        trend.calls += 1
        if o.dispatched is None:
            self.not_dispatched[o.ended or "(not ended)"] += 1
        else:
            self._add_dispatched(o, trend)
        if o.seconds_to_recommendation is not None:
            self.seconds_to_recommendation.append(o.seconds_to_recommendation)
        if o.fallbacks:
            self.preferred_unavailable += 1
            for from_model, to_model, reason in o.fallbacks:
                self.unavailable_reasons[(from_model, to_model, reason)] += 1
        if o.handoff_outcome is not None or o.call_line_dispatched:
            self.handoffs += 1
            self.handoff_outcomes[o.handoff_outcome or "(not recorded)"] += 1
        if o.landed is not None:
            self.landed[o.landed] += 1
        self.referred += bool(o.referrals)
        for kind, service, _to in o.referrals:
            self.referrals_by_kind[kind] += 1
            self.referral_services[service] += 1
        for rule, state in o.followups:
            self.followups[state] += 1
            self.followups_by_rule[rule][state] += 1
        stratum = (o.band, o.facts)
        for dimension in DOOR_DIMENSIONS:
            self.strata[stratum][dimension][getattr(o, dimension) or "(none)"][o.dispatched or "(not dispatched)"] += 1
        self.first = min(self.first, o.started_at) if self.first else o.started_at
        self.last = max(self.last, o.started_at) if self.last else o.started_at

    def _add_dispatched(self, o: CallOutcome, trend: Week) -> None:
        roles = self.roles
        self.dispatched += 1
        trend.dispatched += 1
        self.per_model[o.dispatched] += 1
        team = set(o.team)
        police = not team.isdisjoint(roles.police)
        self.police += police
        trend.police += police
        self.clinician += not team.isdisjoint(roles.clinician)
        self.mental_health += not team.isdisjoint(roles.mental_health)
        self.call_line_dispatched += o.call_line_dispatched
        self.call_line_beside += o.call_line_beside
        if o.departed:
            self.departures += 1
            self.departure_models[(o.recommended, o.dispatched)] += 1
        if o.seconds_to_dispatch is not None:
            self.seconds_to_dispatch.append(o.seconds_to_dispatch)
        model = self.by_model[o.dispatched]
        model["dispatched"] += 1
        if o.disposition is not None:
            marks = set(o.disposition_marks)
            self.with_disposition += 1
            trend.with_disposition += 1
            self.dispositions[o.disposition] += 1
            resolved = marks.isdisjoint(NOT_RESOLVED_MARKS)
            self.resolved_without += resolved
            trend.resolved_without += resolved
            self.connected += "connected_to_care" in marks
            self.receiving_services.update(o.receiving_services)
            model["disposition"] += 1
            for mark in ("arrest", "involuntary_hold", "emergency_room"):
                model[mark] += mark in marks
        if o.seconds_to_on_scene is not None:
            self.on_scene_by_model[o.dispatched].append(o.seconds_to_on_scene)
            self.on_scene_by_district[o.district or "(none)"].append(o.seconds_to_on_scene)
        if o.contact is not None:
            self.contact[o.contact] += 1
        honoured = no_police_honoured(o, roles)
        if honoured is not None:
            self.no_police_requests += 1
            if honoured:
                self.no_police_honoured += 1
            else:
                self.no_police_overrides[", ".join(o.police_guarantees) or f"rule {o.rule}"] += 1

    # -- derived tables ----------------------------------------------------------------------------
    def wrong_door(self) -> list[tuple[str, tuple[str, tuple[str, ...]], dict[str, Counter]]]:
        """(dimension, (band, facts), value -> models) for every stratum seen with two or more values
        of the dimension, where the most common response is not the same for every value."""
        rows = []
        for stratum, dimensions in sorted(self.strata.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            for dimension in DOOR_DIMENSIONS:
                values = dimensions.get(dimension, {})
                if len(values) < 2:
                    continue
                tops = {value: _top(models) for value, models in values.items()}
                if len(set(tops.values())) > 1:
                    rows.append((dimension, stratum, dict(values)))
        return rows

    def strata_compared(self) -> dict[str, int]:
        """Per dimension: strata seen with two or more of its values (the denominator of wrong_door)."""
        return {
            dimension: sum(1 for dims in self.strata.values() if len(dims.get(dimension, {})) >= 2)
            for dimension in DOOR_DIMENSIONS
        }


def _top(models: Counter) -> str:
    """The most common response (ties broken by name, so the answer is stable)."""
    best = max(models.values())
    return min(m for m, n in models.items() if n == best)


def compute_figures(
    results: Iterable[tuple[CallMeta, CallOutcome | str]],
    *,
    roles: Roles | None = None,
    zone: tzinfo | None = None,
) -> Figures:
    """Add up the figures from each call's outcome (or the reason it could not be replayed), as
    :func:`crisis_triage.reporting.outcomes.call_outcomes` yields them. Weeks are taken in ``zone``."""
    figures = Figures(roles=roles or Roles())
    for meta, result in results:
        if isinstance(result, str):
            figures.unreadable[result] += 1
            continue
        figures.protocols[f"{meta.protocol_id} {meta.protocol_version}"] += 1
        figures.add(result, zone)
    return figures
