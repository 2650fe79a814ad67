"""After the dispatch: the response's progress, contact confirmation, disposition and the follow-ups owed.

Pure like the rest of the engine: :class:`AfterDispatch` is the part of a call's state these events
build, :func:`track` folds one event into it, :func:`check` says why an event cannot be accepted,
and the questions the console, the queue and the report ask (is contact overdue? which follow-ups
does the protocol owe? is the response resolved?) are answered from the state and a time passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..protocol.aftercare_models import ContactRule, Disposition
from .after_state import AfterDispatch
from .events import CallEnded, HandoffEnded, RecommendationAccepted
from .events_response import (
    CONTACT_SETTLING,
    ContactAlertAcknowledged,
    DispositionRecorded,
    FollowUpAttempted,
    FollowUpScheduled,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)

if TYPE_CHECKING:
    from ..protocol.compiled import Protocol
    from ..protocol.directory import Directory
    from .state import CallState

AFTER_EVENTS = (
    ResponseStatusChanged,
    DispositionRecorded,
    HandoffOutcomeRecorded,
    FollowUpScheduled,
    FollowUpAttempted,
    ContactAlertAcknowledged,
)
"""Events accepted after the phone call has ended."""


def track(after: AfterDispatch, event: object) -> None:
    """Fold ``event`` (already validated) into ``after``."""
    match event:
        case RecommendationAccepted():
            after.dispatched_at = event.at
            after.dispatches += 1
            after.statuses = []
            after.acknowledged_at = None  # a new team: a new window, a new alert
        case HandoffEnded():
            after.handoff_ended_at = event.at
        case CallEnded():
            after.ended_at = event.at
        case ResponseStatusChanged(status=status, source=source):
            after.statuses.append((event.at, status, source))
        case DispositionRecorded():
            after.disposition = event
        case HandoffOutcomeRecorded():
            after.landed = event
        case FollowUpScheduled(rule=rule, due=due):
            after.scheduled.setdefault(rule, due)
        case FollowUpAttempted():
            after.attempts.append(event)
        case ContactAlertAcknowledged():
            if after.acknowledged_at is None:
                after.acknowledged_at = event.at


def handoff_model(protocol: Protocol) -> str | None:
    handoff = protocol.document.handoff
    return handoff.model if handoff else None


def is_field_response(protocol: Protocol, state: CallState) -> bool:
    """A team was dispatched in person (not the call line on the phone)."""
    return state.accepted is not None and state.accepted[0] != handoff_model(protocol)


def disposition_spec(protocol: Protocol, code: str) -> Disposition | None:
    return next((d for d in protocol.document.dispositions if d.id == code), None)


def check(protocol: Protocol, state: CallState, event: object, directory: Directory | None = None) -> str | None:
    """Why ``event`` cannot be accepted on this call, or None if it can (a receiving service is checked
    against ``directory`` when one is given)."""
    after = state.after
    doc = protocol.document
    match event:
        case RecommendationAccepted(model=model) if state.accepted is not None and model == state.accepted[0]:
            # A change of team (the recommendation moved, or a departure with its reason) is a new dispatch.
            return f'the call is already dispatched to "{model}"; a second dispatch is not recorded'
        case ResponseStatusChanged():
            if state.accepted is None:
                return "no team has been dispatched on this call yet"
            if not is_field_response(protocol, state):
                return "the call went to the call line: there is no team in the field to track"
        case DispositionRecorded(code=code, details=details, recorded_by=role):
            if state.accepted is None:
                return "no team has been dispatched on this call yet"
            spec = disposition_spec(protocol, code)
            if spec is None:
                known = ", ".join(d.id for d in doc.dispositions) or "(the protocol defines none)"
                return f'unknown disposition "{code}"; expected one of {known}'
            return _check_details(spec, details, role, directory)
        case HandoffOutcomeRecorded(outcome=outcome):
            if state.accepted is None or state.accepted[0] != handoff_model(protocol):
                return "the call was not handed off to the call line"
            outcomes = [x.id for x in doc.follow_up.handoff_outcomes] if doc.follow_up else []
            if outcome not in outcomes:
                return f'unknown handoff outcome "{outcome}"; expected one of {", ".join(outcomes) or "(none defined)"}'
        case FollowUpScheduled(rule=rule):
            rules = [r.id for r in doc.follow_up.rules] if doc.follow_up else []
            if rule not in rules:
                return f'unknown follow-up rule "{rule}"; expected one of {", ".join(rules) or "(none defined)"}'
            if rule in after.scheduled:
                return f'the follow-up "{rule}" is already scheduled'
        case ContactAlertAcknowledged():
            window = contact_window(protocol, state)
            if window is None:
                return "this call has no contact-confirmation window to acknowledge"
            if window.settled_at is not None:
                return "contact is already confirmed (or the team reported it cannot find the person)"
            if not window.overdue(event.at):
                return "the contact-confirmation window is not overdue yet: there is no alert to acknowledge"
        case FollowUpAttempted(rule=rule):
            if rule not in after.scheduled:
                scheduled = ", ".join(after.scheduled) or "none"
                return f'no follow-up "{rule}" is owed on this call (scheduled: {scheduled})'
    return None


def _check_details(
    spec: Disposition, details: dict[str, str], role: str, directory: Directory | None = None
) -> str | None:
    if role not in spec.recorded_by:
        return f'"{spec.id}" may be recorded by {", ".join(spec.recorded_by)}, not by {role}'
    wanted = {d.id: d for d in spec.details}
    for name in details:
        if name not in wanted:
            return f'"{spec.id}" takes no detail "{name}"; it takes {", ".join(wanted) or "none"}'
    for detail in spec.details:
        value = details.get(detail.id, "").strip()
        if detail.required and not value:
            return f'"{spec.id}" needs the detail "{detail.id}" ({detail.label["en"]})'
        if value and detail.options is not None and value not in detail.options:
            return f'"{value}" is not a value of "{detail.id}"; expected one of {", ".join(detail.options)}'
        if len(value) > 500:
            return f'the detail "{detail.id}" may be at most 500 characters'
        if value and detail.from_directory and directory is not None:
            from .receiving_services import receiving_service_problem

            problem = receiving_service_problem(directory, value)
            if problem is not None:
                return problem
    return None


# -- contact confirmation ------------------------------------------------------------------------
@dataclass(frozen=True)
class ContactWindow:
    """The protocol's window for confirming the team reached the person."""

    rule: ContactRule
    deadline: datetime
    settled_at: datetime | None
    """When contact was made, or the team reported it could not find the person."""
    acknowledged_at: datetime | None = None
    """When someone acted on the overdue alert (contact still not confirmed)."""

    def overdue(self, now: datetime) -> bool:
        """Past the deadline with nothing settled: the console alerts until someone records the outcome."""
        return self.settled_at is None and now > self.deadline

    def alerting(self, now: datetime) -> bool:
        """Overdue and nobody has acted yet: the console shows the alert on every screen."""
        return self.overdue(now) and self.acknowledged_at is None

    @property
    def in_time(self) -> bool:
        """Contact was confirmed (contact made) before the deadline."""
        return self.settled_at is not None and self.settled_at <= self.deadline


def contact_window(protocol: Protocol, state: CallState) -> ContactWindow | None:
    """The contact-confirmation window of the dispatched team, if the protocol asks for one."""
    after = state.after
    if state.accepted is None or after.dispatched_at is None:
        return None
    model = state.accepted[0]
    rule = next((r for r in protocol.document.contact_confirmation if model in r.models), None)
    if rule is None:
        return None
    settled = [at for at, status, _ in after.statuses if status in CONTACT_SETTLING]
    if after.disposition is not None:
        settled.append(after.disposition.at)
    deadline = after.dispatched_at + timedelta(minutes=rule.within_minutes)
    return ContactWindow(rule, deadline, min(settled, default=None), after.acknowledged_at)


# -- resolution and follow-up ---------------------------------------------------------------------
def response_resolved(protocol: Protocol, state: CallState) -> bool:
    """Nothing left to track: a disposition for a team in the field, the handoff's end for the call line,
    or nothing dispatched and the call over."""
    if state.accepted is None:
        return state.ended is not None
    if is_field_response(protocol, state):
        return state.after.disposition is not None
    return state.after.handoff_ended_at is not None or state.after.landed is not None


def _band_rank(protocol: Protocol, band: str | None) -> int:
    bands = protocol.band_ids
    return bands.index(band) if band in bands else -1


def owed_followups(protocol: Protocol, state: CallState, suicide_level: str | None) -> list[FollowUpScheduled]:
    """The follow-ups the protocol's rules owe this call that are not scheduled yet, each due its
    rule's window after the earliest event that triggered it."""
    follow_up = protocol.document.follow_up
    if follow_up is None:
        return []
    after = state.after
    level_band = next((lv.at_least for lv, _ in protocol.screen_levels if lv.id == suicide_level), None)
    owed = []
    for rule in follow_up.rules:
        if rule.id in after.scheduled:
            continue
        when = rule.after
        triggers = []
        if when.handoff and after.handoff_ended_at is not None:
            triggers.append(after.handoff_ended_at)
        if state.accepted is not None and state.accepted[0] in when.models and after.dispatched_at is not None:
            triggers.append(after.dispatched_at)
        if (
            when.suicide_screen_at_least is not None
            and after.ended_at is not None
            and level_band is not None
            and _band_rank(protocol, level_band) >= _band_rank(protocol, when.suicide_screen_at_least)
        ):
            triggers.append(after.ended_at)
        if after.disposition is not None and after.disposition.code in when.dispositions:
            triggers.append(after.disposition.at)
        if after.landed is not None and after.landed.outcome in when.handoff_outcomes:
            triggers.append(after.landed.at)
        if triggers:
            due = min(triggers) + timedelta(hours=rule.within_hours)
            owed.append(FollowUpScheduled(at=max(triggers), rule=rule.id, due=due))
    return owed
