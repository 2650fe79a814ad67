"""Recording from outside the console, and the follow-up queue, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from click.testing import CliRunner
from records_helpers import call_script

from crisis_triage.cli import cli
from crisis_triage.engine.events import RecommendationAccepted
from crisis_triage.engine.events_response import DispositionRecorded, FollowUpAttempted, ResponseStatusChanged
from crisis_triage.engine.session import CallSession, SessionError
from crisis_triage.store.followups import load_queue
from crisis_triage.store.journal import OUTSIDE_SEQUENCE, CallMeta
from crisis_triage.store.outside import outside_events, record_outside
from crisis_triage.store.postgres import PostgresStore
from crisis_triage.store.rows import to_row
from crisis_triage.store.sqlite import SqliteJournal


def _meta(protocol, call_id: str, console: str = "console-1") -> CallMeta:
    return CallMeta(call_id, console, "ct-1", protocol.id, protocol.version, protocol.sha256, protocol.file)


def _dispatched_script(protocol, call_id: str) -> list:
    """A realistic call that ends dispatched to a team in the field (never the call line)."""
    events = call_script(protocol, call_id)
    end = next(i for i, e in enumerate(events) if e.kind == "call_ended")
    events = [e for e in events[: end + 1] if e.kind not in ("handoff_step", "handoff_ended")]
    accepted = [e for e in events if isinstance(e, RecommendationAccepted)]
    if not accepted or accepted[0].model == "call_line":
        events = [
            e.model_copy(update={"model": "co_response", "recommended": "co_response"})
            if isinstance(e, RecommendationAccepted)
            else e
            for e in events
        ]
        if not accepted:
            at = events[-2].at
            events.insert(-1, RecommendationAccepted(at=at, model="co_response", recommended="co_response"))
    return events


def _sqlite_with_calls(tmp_path, protocol, n: int) -> tuple[SqliteJournal, list[str]]:
    journal = SqliteJournal(tmp_path / "calls.sqlite")
    ids = []
    for i in range(n):
        call_id = f"call-{i:03d}"
        events = _dispatched_script(protocol, call_id)
        journal.start_call(_meta(protocol, call_id), events[0])
        for event in events[1:]:
            journal.append(call_id, event)
        ids.append(call_id)
    return journal, ids


def test_outside_events_take_their_own_numbers_and_the_console_keeps_its_own(tmp_path, boston):
    journal, (call_id,) = _sqlite_with_calls(tmp_path, boston, 1)
    last = journal.last_sequence(call_id)
    at = journal.events(call_id)[-1].at + timedelta(minutes=5)
    written = record_outside(journal, boston, call_id, [ResponseStatusChanged(at=at, status="on_scene")])
    assert [w.sequence for w in written] == [OUTSIDE_SEQUENCE]
    assert journal.last_sequence(call_id) == last  # the console's next event is still last + 1
    journal.append(call_id, ResponseStatusChanged(at=at + timedelta(minutes=1), status="contact_made"))
    assert journal.last_sequence(call_id) == last + 1
    assert [s.event_id for s in outside_events(journal, call_id, set())] == [written[0].event_id]
    session = CallSession.replay(boston, journal.events(call_id))
    assert session.state.after.status == "contact_made"


def test_outside_events_are_checked_against_the_call(tmp_path, boston):
    journal, (call_id,) = _sqlite_with_calls(tmp_path, boston, 1)
    at = journal.events(call_id)[-1].at
    with pytest.raises(SessionError, match="needs the detail"):
        record_outside(journal, boston, call_id, [DispositionRecorded(at=at, code="connected_to_care")])
    assert all(s.sequence < OUTSIDE_SEQUENCE for s in journal.stored_events(call_id))


def test_queue_due_overdue_done_on_sqlite(tmp_path, boston):
    journal, ids = _sqlite_with_calls(tmp_path, boston, 3)
    at = journal.events(ids[0])[-1].at + timedelta(hours=1)
    for call_id in ids:
        record_outside(journal, boston, call_id, [DispositionRecorded(at=at, code="not_found")])
    record_outside(journal, boston, ids[1], [FollowUpAttempted(at=at, rule="not_found_recheck", outcome="no_answer")])
    record_outside(
        journal, boston, ids[2], [FollowUpAttempted(at=at, rule="not_found_recheck", outcome="reached_safe")]
    )
    now = at + timedelta(hours=5)  # past the 4-hour window
    queue = [i for i in load_queue(journal, now) if i.rule == "not_found_recheck"]
    assert [(i.call_id, i.status(now), i.attempts) for i in queue] == [
        (ids[0], "overdue", 0),
        (ids[1], "overdue", 1),
        (ids[2], "done", 1),
    ]
    assert queue[2].done_on_time
    still_open = [i for i in load_queue(journal, at, include_done=False) if i.rule == "not_found_recheck"]
    assert [i.status(at) for i in still_open] == ["due", "due"]


def test_records_update_and_followups_commands(tmp_path, boston, monkeypatch):
    from crisis_triage.store.opening import sqlite_path

    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(tmp_path / "data"))
    journal, (call_id,) = _sqlite_with_calls(tmp_path, boston, 1)
    journal.close()
    sqlite_path().parent.mkdir(parents=True)
    (tmp_path / "calls.sqlite").rename(sqlite_path())
    runner = CliRunner()
    refused = runner.invoke(cli, ["records", "update", call_id[:6], "--disposition", "arrest", "--by", "call_taker"])
    assert refused.exit_code == 1 and "not recorded" in refused.output and "not by call_taker" in refused.output
    result = runner.invoke(cli, ["records", "update", call_id, "--status", "on_scene", "--at", "2026-06-01T10:00"])
    assert result.exit_code == 0, result.output
    assert "response: on scene (from dispatch)" in result.output
    result = runner.invoke(
        cli, ["records", "update", call_id, "--disposition", "not_found", "--at", "2026-06-01T11:00"]
    )
    assert "follow-up owed: not_found_recheck" in result.output
    queue = runner.invoke(cli, ["followups", "--show", "all", "--json"])
    assert '"rule": "not_found_recheck", "status": "overdue"' in queue.output, queue.output
    done = runner.invoke(cli, ["followups", "record", call_id, "not_found_recheck", "--outcome", "referred"])
    assert done.exit_code == 0, done.output
    assert (
        '"rule": "not_found_recheck", "status": "done"'
        in runner.invoke(cli, ["followups", "--show", "done", "--json"]).output
    )
    shown = runner.invoke(cli, ["records", "show", call_id]).output
    assert "disposition: Person not found, recorded by dispatcher" in shown
    assert "follow-up not_found_recheck" in shown and "(referred), LATE" in shown


def test_queue_on_postgresql_with_two_consoles(pg_url, boston):
    """Two consoles ship their calls to the centre; the queue is one, and either console records on it."""
    store_a, store_b = PostgresStore(pg_url), PostgresStore(pg_url)
    try:
        ids = []
        for console, store in (("console-a", store_a), ("console-b", store_b)):
            for i in range(2):
                call_id = f"{console}-{uuid.uuid4().hex[:6]}-{i}"
                events = _dispatched_script(boston, call_id)
                meta = _meta(boston, call_id, console)
                from crisis_triage.store.journal import StoredEvent

                rows = [to_row(meta, StoredEvent(uuid.uuid4().hex, call_id, n + 1, e)) for n, e in enumerate(events)]
                assert store.insert_rows(rows) == len(rows)
                ids.append(call_id)
        at = max(e.at for c in ids for e in store_a.events(c)) + timedelta(minutes=30)
        # console A records the dispositions of console B's calls and vice versa
        for n, call_id in enumerate(ids):
            store = store_b if call_id.startswith("console-a") else store_a
            record_outside(
                store, boston, call_id, [DispositionRecorded(at=at + timedelta(minutes=n), code="not_found")]
            )
        # both record an attempt on the same call at once: each gets its own number
        record_outside(
            store_a, boston, ids[0], [FollowUpAttempted(at=at, rule="not_found_recheck", outcome="no_answer")]
        )
        record_outside(
            store_b, boston, ids[0], [FollowUpAttempted(at=at, rule="not_found_recheck", outcome="reached_safe")]
        )
        now = at + timedelta(hours=1)
        queue_a, queue_b = load_queue(store_a, now), load_queue(store_b, now)
        assert queue_a == queue_b
        queue_a = [i for i in queue_a if i.rule == "not_found_recheck"]
        assert {i.call_id: i.status(now) for i in queue_a} == {
            ids[0]: "done",
            ids[1]: "due",
            ids[2]: "due",
            ids[3]: "due",
        }
        assert {i.console_id for i in queue_a} == {"console-a", "console-b"}
        assert next(i for i in queue_a if i.call_id == ids[0]).attempts == 2
    finally:
        store_a.close()
        store_b.close()
