"""The events after the dispatch: the response's progress, its disposition, the warm handoff's landing
and the follow-ups owed and attempted.

They may arrive after the phone call ended (a team reaches the person long after the caller hung up)
and from outside the console that took the call (a dispatcher's system through ``records update``,
another console of the centre, the follow-up queue). Like every event they carry their own time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from .event_base import Event

#: The response statuses, in the order a response normally goes through them.
RESPONSE_STATUSES = ("assigned", "en_route", "on_scene", "contact_made", "unable_to_locate", "cleared")
ResponseStatus = Literal["assigned", "en_route", "on_scene", "contact_made", "unable_to_locate", "cleared"]

#: Statuses that settle the protocol's contact-confirmation window (the team found the person, or
#: reports it cannot).
CONTACT_SETTLING = frozenset({"contact_made", "unable_to_locate", "cleared"})

#: How a follow-up attempt went; the first three close the follow-up, "no_answer" leaves it open.
FOLLOW_UP_OUTCOMES = ("reached_safe", "referred", "declined", "no_answer")
FollowUpOutcome = Literal["reached_safe", "referred", "declined", "no_answer"]
FOLLOW_UP_CLOSING = frozenset({"reached_safe", "referred", "declined"})


class ResponseStatusChanged(Event):
    """The dispatched team's status: assigned, en route, on scene, contact made, unable to locate, cleared."""

    kind: Literal["response_status"] = "response_status"
    status: ResponseStatus
    source: str = "console"
    """Who reported it: the console, a dispatcher's system (``records update``), another console."""
    note: str = ""


class DispositionRecorded(Event):
    """How the response ended, by one of the protocol's disposition codes, with the details it requires."""

    kind: Literal["disposition"] = "disposition"
    code: str
    details: dict[str, str] = {}
    recorded_by: str = "call_taker"
    """The role of whoever recorded it (the protocol says which roles may record each code)."""


class HandoffOutcomeRecorded(Event):
    """Where a warm handoff to the call line landed, as the counsellor reports it."""

    kind: Literal["handoff_landed"] = "handoff_landed"
    outcome: str
    note: str = ""


class FollowUpScheduled(Event):
    """A follow-up the protocol's rules owe this call (journalled once per rule, when it becomes owed)."""

    kind: Literal["follow_up_scheduled"] = "follow_up_scheduled"
    rule: str
    due: datetime
    """When it must be done by (the trigger's time plus the rule's window)."""


class FollowUpAttempted(Event):
    """One attempt at a follow-up and how it went."""

    kind: Literal["follow_up_attempt"] = "follow_up_attempt"
    rule: str
    outcome: FollowUpOutcome
    by: str = ""
    note: str = ""


class ContactAlertAcknowledged(Event):
    """Someone at the console acted on an overdue contact-confirmation alert (radioed the team, told
    the supervisor): the alert stops, and the record says who acted and when, though contact is still
    not confirmed."""

    kind: Literal["contact_acknowledged"] = "contact_acknowledged"
    by: str = ""
    note: str = ""
