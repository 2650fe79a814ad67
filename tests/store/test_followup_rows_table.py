"""The follow-up queue's rows table (SQLite schema 4): the insert and delete triggers keep it equal
to the follow-up events themselves, a file written before it gets it filled on upgrade, and the
queue read from it is the queue the events say."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

from crisis_triage.engine.events_response import FollowUpAttempted, FollowUpScheduled
from crisis_triage.store.followups import load_queue, queue_from_rows, sort_queue
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.store.sqlite_schema import MIGRATIONS
from tests.store.test_followups import _sqlite_with_calls


def _from_events(path) -> list[tuple]:
    """The rows as the events' own JSON gives them (what the queue read before schema 4)."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT call_id, console_id, event FROM events WHERE kind IN ('follow_up_scheduled', 'follow_up_attempt') "
            "AND practice = 0 ORDER BY call_id, sequence"
        ).fetchall()
    result = []
    for call_id, console_id, event in rows:
        f = json.loads(event)
        result.append((call_id, console_id, f["kind"], f["rule"], f["at"], f.get("due"), f.get("outcome")))
    return result


def _with_followups(tmp_path, boston, n: int) -> SqliteJournal:
    """``n`` dispatched calls, each owing a caring contact; some attempted, a few closed."""
    journal, ids = _sqlite_with_calls(tmp_path, boston, n)
    for i, call_id in enumerate(ids):
        at = journal.events(call_id)[-1].at
        journal.append(call_id, FollowUpScheduled(at=at, rule="caring_contact", due=at + timedelta(hours=24)))
        if i % 2:
            journal.append(
                call_id, FollowUpAttempted(at=at + timedelta(hours=2), rule="caring_contact", outcome="no_answer")
            )
        if i % 3 == 0:
            journal.append(
                call_id, FollowUpAttempted(at=at + timedelta(hours=5), rule="caring_contact", outcome="reached_safe")
            )
    return journal


def test_the_rows_table_follows_inserts_and_purges(tmp_path, boston):
    journal = _with_followups(tmp_path, boston, 12)
    path = tmp_path / "calls.sqlite"
    rows = journal.followup_rows()
    assert len(rows) == 12 + 6 + 4 and rows == _from_events(path)
    now = datetime.now(UTC)
    assert load_queue(journal, now) == load_queue_from(rows, now)
    journal.purge(now + timedelta(days=3650))  # every call finished long "ago": all gone, rows too
    assert journal.followup_rows() == [] == _from_events(path)
    journal.close()


def load_queue_from(rows, now):
    return sort_queue(queue_from_rows(rows), now)


def test_a_file_written_at_schema_3_gets_its_rows_on_upgrade(tmp_path, boston):
    journal = _with_followups(tmp_path, boston, 8)
    path = tmp_path / "calls.sqlite"
    expected = journal.followup_rows()
    assert len(expected) == 8 + 4 + 3
    journal.close()
    with sqlite3.connect(path) as db:  # back to schema 3, as a console before this version left it
        db.executescript(
            "DROP TRIGGER followup_rows_insert; DROP TRIGGER followup_rows_delete; DROP TABLE followup_rows;"
            f"PRAGMA user_version = {MIGRATIONS[-2][0]};"
        )
    journal = SqliteJournal(path)
    assert journal.followup_rows() == expected
    journal.close()
