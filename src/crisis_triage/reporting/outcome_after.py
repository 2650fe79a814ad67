"""What happened after the dispatch, in words: for ``records show`` and ``records review``.

The response's statuses with their times, the contact-confirmation window and whether it was met,
the disposition with its details and who recorded it, the handoff's landing and the follow-ups owed.
Times are in the centre's zone (the protocol's), labelled.
"""

from __future__ import annotations

from datetime import datetime

from ..engine.aftercare import contact_window, disposition_spec, response_resolved
from ..engine.events_response import (
    ContactAlertAcknowledged,
    DispositionRecorded,
    FollowUpAttempted,
    FollowUpScheduled,
    HandoffOutcomeRecorded,
    ResponseStatusChanged,
)
from ..engine.receiving_services import receiving_service_id
from ..engine.session import CallSession
from ..engine.state import CallState
from ..engine.views import centre_time
from ..protocol.compiled import Protocol
from ..protocol.models import localized


def stamp(protocol: Protocol, moment: datetime) -> str:
    """A time in the centre's zone, with the zone's abbreviation (EST, EDT)."""
    return f"{centre_time(protocol, moment):%Y-%m-%d %H:%M %Z}"


def describe_after(protocol: Protocol, event: object) -> str | None:
    """One line for an after-dispatch event (None for other events)."""
    match event:
        case ResponseStatusChanged(status=status, source=source, note=note):
            return (
                f"response: {status.replace('_', ' ')}"
                + (f" (from {source})" if source != "console" else "")
                + (f": {note}" if note else "")
            )
        case DispositionRecorded(code=code, details=details, recorded_by=role):
            spec = disposition_spec(protocol, code)
            label = localized(spec.label, "en") if spec else code
            extra = "; ".join(f"{k}: {v}" for k, v in details.items())
            return f"disposition: {label}" + (f" ({extra})" if extra else "") + f", recorded by {role}"
        case HandoffOutcomeRecorded(outcome=outcome, note=note):
            return f"handoff landed: {outcome.replace('_', ' ')}" + (f": {note}" if note else "")
        case FollowUpScheduled(rule=rule, due=due):
            return f"follow-up owed: {rule}, due {stamp(protocol, due)}"
        case ContactAlertAcknowledged(by=by, note=note):
            return (
                "overdue-contact alert acknowledged (contact not confirmed)"
                + (f" by {by}" if by else "")
                + (f": {note}" if note else "")
            )
        case FollowUpAttempted(rule=rule, outcome=outcome, by=by, note=note):
            return (
                f"follow-up {rule}: {outcome.replace('_', ' ')}"
                + (f" by {by}" if by else "")
                + (f": {note}" if note else "")
            )
    return None


def after_lines(protocol: Protocol, state: CallState, now: datetime | None = None) -> list[str]:
    """The after-dispatch summary of a replayed call (empty when nothing was dispatched)."""
    after = state.after
    if state.accepted is None:
        return [f"response: not dispatched (call ended: {state.ended or 'not ended'})"]
    dispatched = stamp(protocol, after.dispatched_at) if after.dispatched_at else "at an unknown time"
    lines = [f"response: {state.accepted[0]}, dispatched {dispatched}"]
    if after.dispatches > 1:
        lines[-1] += f" (team changed {after.dispatches - 1} time(s) after the first dispatch)"
    for at, status, source in sorted(after.statuses):
        lines.append(
            f"  {stamp(protocol, at)}  {status.replace('_', ' ')}" + (f"  ({source})" if source != "console" else "")
        )
    window = contact_window(protocol, state)
    if window is not None:
        if window.settled_at is None:
            late = now is not None and window.overdue(now)
            lines.append(
                f"contact confirmation: due by {stamp(protocol, window.deadline)}, "
                + ("OVERDUE, not confirmed" if late else "not confirmed yet")
                + (f"; alert acknowledged {stamp(protocol, window.acknowledged_at)}" if window.acknowledged_at else "")
            )
        else:
            verdict = "in time" if window.in_time else "LATE"
            lines.append(
                f"contact confirmation: settled {stamp(protocol, window.settled_at)} ({verdict}, "
                f"window {window.rule.within_minutes} min)"
            )
    if after.disposition is not None:
        lines.append(describe_after(protocol, after.disposition) or "")
    elif not response_resolved(protocol, state):
        lines.append("disposition: not recorded yet (the response is still active)")
    if after.landed is not None:
        lines.append(describe_after(protocol, after.landed) or "")
    for rule, due in after.scheduled.items():
        done = after.followup_done(rule)
        tries = [a for a in after.attempts if a.rule == rule]
        if done is not None:
            status = f"done {stamp(protocol, done.at)} ({done.outcome.replace('_', ' ')})" + (
                ", on time" if done.at <= due else ", LATE"
            )
        else:
            status = "OVERDUE" if now is not None and now > due else "open"
        lines.append(f"follow-up {rule}: due {stamp(protocol, due)}, {status}, {len(tries)} attempt(s)")
    return lines


def after_dispatch(protocol: Protocol, session: CallSession, now: datetime) -> dict:
    """The after-dispatch fields of a call's outcome (see reporting.outcome.CallOutcome)."""
    state = session.state
    after = state.after
    disposition = after.disposition
    spec = disposition_spec(protocol, disposition.code) if disposition else None
    on_scene = after.status_at("on_scene")
    window = contact_window(protocol, state)
    if window is None:
        contact = None
    elif window.settled_at is not None:
        contact = "in_time" if window.in_time else "late"
    else:
        contact = "missed" if window.overdue(now) else "open"
    followups = []
    for rule, due in after.scheduled.items():
        done = after.followup_done(rule)
        if done is not None:
            followups.append((rule, "on_time" if done.at <= due else "late"))
        else:
            followups.append((rule, "overdue" if now > due else "open"))
    return {
        "landed": after.landed.outcome if after.landed else None,
        "disposition": disposition.code if disposition else None,
        "disposition_marks": tuple(spec.marks) if spec else (),
        "receiving_services": tuple(
            receiving_service_id(value)
            for d in spec.details
            if d.from_directory and (value := disposition.details.get(d.id, "").strip())
        )
        if spec and disposition
        else (),
        "seconds_to_on_scene": (on_scene - after.dispatched_at).total_seconds()
        if on_scene is not None and after.dispatched_at is not None
        else None,
        "contact": contact,
        "followups": tuple(followups),
    }
