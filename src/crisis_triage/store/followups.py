"""The follow-up queue: what the protocol's follow-up rules owe, what is due, overdue and done.

Built from two kinds of event only (FollowUpScheduled, journalled when a rule makes a follow-up
owed, and FollowUpAttempted), read through an index on the event kind, so the queue loads without
replaying any call; it reads the same way from this console's SQLite file and from a centre's
PostgreSQL store, where every console's follow-ups meet.
"""

from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from ..engine.events_response import FOLLOW_UP_CLOSING

KINDS = ("follow_up_scheduled", "follow_up_attempt")

Status = Literal["overdue", "due", "done"]


class FollowUpItem(NamedTuple):
    """One follow-up owed on one call (a tuple: the queue builds ten thousand of them in one load)."""

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


def queue_from_rows(rows: list[tuple[Any, ...]]) -> list[FollowUpItem]:
    """Items from rows of (call_id, console_id, kind, rule, at, due, outcome), as the stores'
    ``followup_rows`` give them, in call order.

    One pass, no per-row objects beyond the item itself: this is the queue's load time. Times come
    as ISO text (SQLite) or datetimes (PostgreSQL); text is parsed by the C parser directly."""
    parse = datetime.fromisoformat if rows and isinstance(rows[0][4], str) else _moment
    scheduled: dict[tuple[str, str], tuple[str, Any, Any]] = {}
    attempts: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
    for call_id, console_id, kind, rule, at, due, outcome in rows:
        if kind == "follow_up_scheduled":
            scheduled.setdefault((call_id, rule), (console_id, at, due))
        else:
            attempts.setdefault((call_id, rule), []).append((parse(at), outcome))
    items = []
    closing = FOLLOW_UP_CLOSING
    item = FollowUpItem
    for (call_id, rule), (console_id, at, due) in scheduled.items():
        tries = attempts.get((call_id, rule))
        if tries is None:
            items.append(item(call_id, console_id, rule, parse(at), parse(due), 0, None, None, None))
            continue
        tries.sort()
        done = next((when for when, outcome in tries if outcome in closing), None)
        last_at, last = tries[-1]
        items.append(item(call_id, console_id, rule, parse(at), parse(due), len(tries), last, last_at, done))
    return items


_ORDER = {"overdue": 0, "due": 1, "done": 2}


def followup_rows(store: Any) -> list[tuple[Any, ...]]:
    """The follow-up events' rows from ``store``: its own query (SQLite, PostgreSQL), or, for a
    journal without one (the in-memory journal of practice and tests), the same rows from its events."""
    query = getattr(store, "followup_rows", None)
    if query is not None:
        return query()
    rows = []
    for call_id in list(getattr(store, "stored", {})):
        meta = store.meta(call_id)
        if meta.practice:
            continue
        for stored in store.stored_events(call_id):
            event = stored.event
            if event.kind in KINDS:
                due, outcome = getattr(event, "due", None), getattr(event, "outcome", None)
                rows.append((call_id, meta.console_id, event.kind, getattr(event, "rule", ""), event.at, due, outcome))
    return rows


def load_queue(store: Any, now: datetime, *, include_done: bool = True) -> list[FollowUpItem]:
    """The queue from ``store`` (SqliteJournal or PostgresStore): overdue first (oldest due first),
    then due (soonest first), then done (most recent first)."""
    items = queue_from_rows(followup_rows(store))
    if not include_done:
        items = [i for i in items if i.done_at is None]
    return sort_queue(items, now)


def sort_queue(items: list[FollowUpItem], now: datetime) -> list[FollowUpItem]:
    """Overdue first (oldest due first), then due (soonest first), then done (most recent first).

    Three lists each sorted on the item's own fields (C comparisons of tuples, no key tuples built
    per item): ten thousand items sort in a few milliseconds."""
    overdue: list[FollowUpItem] = []
    due: list[FollowUpItem] = []
    done: list[FollowUpItem] = []
    for item in items:
        if item.done_at is not None:
            done.append(item)
        elif now > item.due:
            overdue.append(item)
        else:
            due.append(item)
    by_due = itemgetter(4, 0, 2)  # due, call_id, rule
    overdue.sort(key=by_due)
    due.sort(key=by_due)
    done.sort(key=itemgetter(0, 2))  # call_id, rule: the tie order under the stable sort below
    done.sort(key=itemgetter(8), reverse=True)  # most recent first
    return overdue + due + done


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
