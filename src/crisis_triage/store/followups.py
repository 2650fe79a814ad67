"""The follow-up queue: what the protocol's follow-up rules owe, what is due, overdue and done.

Built from two kinds of event only (FollowUpScheduled, journalled when a rule makes a follow-up
owed, and FollowUpAttempted), read through an index on the event kind, so the queue loads without
replaying any call; it reads the same way from this console's SQLite file and from a centre's
PostgreSQL store, where every console's follow-ups meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..engine.events_response import FOLLOW_UP_CLOSING

KINDS = ("follow_up_scheduled", "follow_up_attempt")

Status = Literal["overdue", "due", "done"]


@dataclass(frozen=True)
class FollowUpItem:
    """One follow-up owed on one call."""

    call_id: str
    console_id: str
    rule: str
    scheduled_at: datetime
    due: datetime
    attempts: int
    last_outcome: str | None
    last_attempt_at: datetime | None
    done_at: datetime | None
    """When an attempt closed it (reached and safe, referred, declined); None while open."""

    def status(self, now: datetime) -> Status:
        if self.done_at is not None:
            return "done"
        return "overdue" if now > self.due else "due"

    @property
    def done_on_time(self) -> bool:
        return self.done_at is not None and self.done_at <= self.due


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def queue_from_rows(rows: list[dict[str, Any]]) -> list[FollowUpItem]:
    """Items from rows of (call_id, console_id, kind, rule, at, due, outcome), as the stores'
    ``followup_rows`` give them (the fields taken out of the event's JSON by the database)."""
    scheduled: dict[tuple[str, str], tuple[str, str, str]] = {}
    attempts: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
    for row in rows:
        key = (row["call_id"], row["rule"])
        if row["kind"] == "follow_up_scheduled":
            scheduled.setdefault(key, (row["console_id"], row["at"], row["due"]))
        else:
            attempts.setdefault(key, []).append((_moment(row["at"]), row["outcome"]))
    items = []
    for (call_id, rule), (console_id, at, due) in scheduled.items():
        tries = sorted(attempts.get((call_id, rule), ()))
        done = next((when for when, outcome in tries if outcome in FOLLOW_UP_CLOSING), None)
        items.append(
            FollowUpItem(
                call_id=call_id,
                console_id=console_id,
                rule=rule,
                scheduled_at=_moment(at),
                due=_moment(due),
                attempts=len(tries),
                last_outcome=tries[-1][1] if tries else None,
                last_attempt_at=tries[-1][0] if tries else None,
                done_at=done,
            )
        )
    return items


_ORDER = {"overdue": 0, "due": 1, "done": 2}


def load_queue(store: Any, now: datetime, *, include_done: bool = True) -> list[FollowUpItem]:
    """The queue from ``store`` (SqliteJournal or PostgresStore): overdue first (oldest due first),
    then due (soonest first), then done (most recent first)."""
    items = queue_from_rows(store.followup_rows())
    if not include_done:
        items = [i for i in items if i.done_at is None]
    return sort_queue(items, now)


def sort_queue(items: list[FollowUpItem], now: datetime) -> list[FollowUpItem]:
    def key(item: FollowUpItem) -> tuple:
        status = item.status(now)
        moment = -item.done_at.timestamp() if item.done_at is not None else item.due.timestamp()
        return (_ORDER[status], moment, item.call_id, item.rule)

    return sorted(items, key=key)


def queue_store(journal: Any, settings: Any) -> tuple[Any, bool]:
    """The store a console's follow-up queue reads and records attempts in, and whether the caller
    must close it: the centre's PostgreSQL store when one is set (every console's follow-ups meet
    there), else the console's own SQLite file (under its durable journal)."""
    from .opening import is_postgres_url

    if is_postgres_url(getattr(settings, "store", None)):
        from .postgres import PostgresStore

        return PostgresStore(settings.store), True
    primary = getattr(journal, "primary", None)
    return (primary if primary is not None else journal), False
