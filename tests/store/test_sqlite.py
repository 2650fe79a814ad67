"""The embedded SQLite store: durability settings, privacy, migrations, the journal contract, purge."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from records_helpers import call_script

from crisis_triage.config import Settings
from crisis_triage.engine.session import CallSession
from crisis_triage.store.journal import CallMeta, JournalError, MemoryJournal, StoredEvent
from crisis_triage.store.opening import open_journal, sqlite_path
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.store.sqlite_schema import LATEST


def _meta(protocol, call_id: str, console: str = "console-1") -> CallMeta:
    return CallMeta(call_id, console, "taker-1", protocol.id, protocol.version, protocol.sha256, protocol.file)


def test_file_is_private_wal_synchronous_full_and_migrated(tmp_path, boston):
    journal = open_journal(Settings(), folder=tmp_path / "data")
    events = call_script(boston, "durable-1")
    journal.start_call(_meta(boston, "durable-1"), events[0])
    path = sqlite_path(tmp_path / "data")
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_mode & 0o777 == 0o600
    db = journal.primary._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    journal.close()


def test_every_row_names_the_call_console_taker_and_protocol(tmp_path, boston):
    journal = SqliteJournal(tmp_path / "r.sqlite3")
    events = call_script(boston, "row-1")[:3]
    journal.start_call(_meta(boston, "row-1"), events[0])
    for event in events[1:]:
        journal.append("row-1", event)
    rows = list(journal.iter_rows())
    assert [r["sequence"] for r in rows] == [1, 2, 3]
    row = rows[1]
    assert len(row["event_id"]) == 32 and row["call_id"] == "row-1"
    assert (row["console_id"], row["call_taker_id"]) == ("console-1", "taker-1")
    assert (row["protocol_id"], row["protocol_version"], row["protocol_sha256"]) == (
        boston.id,
        boston.version,
        boston.sha256,
    )
    assert row["kind"] == events[1].kind and row["at"].endswith("+00:00")
    journal.close()


def test_reopening_continues_the_call_and_resume_rebuilds_the_session(tmp_path, boston):
    events = call_script(boston, "resume-1")
    journal = open_journal(Settings(console_id="console-7"), folder=tmp_path)
    journal.start_call(_meta(boston, "resume-1", "console-7"), events[0])
    for event in events[1:6]:
        journal.append("resume-1", event)
    other = call_script(boston, "other-console")
    journal.start_call(_meta(boston, "other-console", "console-8"), other[0])
    journal.close()

    again = open_journal(Settings(console_id="console-7"), folder=tmp_path)
    unfinished = again.unfinished_calls("console-7")
    assert [u.meta.call_id for u in unfinished] == ["resume-1"]
    assert unfinished[0].events == 6 and unfinished[0].ended is None
    assert {u.meta.call_id for u in again.unfinished_calls()} == {"resume-1", "other-console"}
    session = CallSession.replay(boston, again.events("resume-1"))
    expected = CallSession.replay(boston, events[:6])
    assert session.assessment == expected.assessment
    for event in events[6:]:
        assert again.append("resume-1", event).sequence == events.index(event) + 1
    assert again.unfinished_calls("console-7") == []
    again.close()


def test_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "r.sqlite3"
    SqliteJournal(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer crisis-triage"):
        SqliteJournal(path)


def test_migration_from_an_empty_file_and_idempotent_insert(tmp_path, boston):
    path = tmp_path / "r.sqlite3"
    path.touch()
    journal = SqliteJournal(path)
    events = call_script(boston, "idem")[:2]
    meta = _meta(boston, "idem")
    record = StoredEvent("e" * 32, "idem", 1, events[0])
    assert journal.insert(meta, record) is True
    assert journal.insert(meta, record) is False  # merged twice, stored once
    assert journal.count() == (1, 1)
    with pytest.raises(JournalError, match="clashes"):
        journal.insert(meta, StoredEvent("f" * 32, "idem", 1, events[1]))
    journal.close()


def test_purge_removes_only_old_finished_calls(tmp_path, boston):
    journal = SqliteJournal(tmp_path / "r.sqlite3")
    old_at = datetime(2020, 1, 1, tzinfo=UTC)
    for call_id, finished in (("old-done", True), ("old-open", False)):
        events = call_script(boston, call_id)
        shift = old_at - events[0].at
        events = [e.model_copy(update={"at": e.at + shift}) for e in events]
        events = events if finished else events[:4]
        journal.start_call(_meta(boston, call_id), events[0])
        for event in events[1:]:
            journal.append(call_id, event)
    fresh = call_script(boston, "fresh")
    journal.start_call(_meta(boston, "fresh"), fresh[0].model_copy(update={"at": datetime.now(UTC)}))
    removed = journal.purge(datetime.now(UTC) - timedelta(days=30))
    assert removed[0] == 1 and removed[1] > 10
    assert {c.meta.call_id for c in journal.calls()} == {"old-open", "fresh"}
    assert journal.events("old-done") == []
    journal.close()


def test_purge_with_a_centre_store_keeps_what_has_not_shipped(tmp_path, boston):
    journal = SqliteJournal(tmp_path / "r.sqlite3")
    events = call_script(boston, "unshipped")
    shift = datetime(2020, 1, 1, tzinfo=UTC) - events[0].at
    journal.start_call(_meta(boston, "unshipped"), events[0].model_copy(update={"at": events[0].at + shift}))
    for event in events[1:]:
        journal.append("unshipped", event.model_copy(update={"at": event.at + shift}))
    cutoff = datetime.now(UTC)
    assert journal.purge(cutoff, shipped_to="centre")[0] == 0
    assert journal.backlog("centre") == len(events)
    last = journal.pending("centre", 1000)[-1][0]
    journal.mark_shipped("centre", last)
    assert journal.backlog("centre") == 0
    assert journal.purge(cutoff, shipped_to="centre")[0] == 1
    journal.close()


def test_memory_journal_still_keeps_the_contract(boston, noon):
    journal = MemoryJournal()
    events = call_script(boston, "mem")
    journal.start_call(_meta(boston, "mem"), events[0])
    journal.append("mem", events[1])
    assert [s.sequence for s in journal.stored_events("mem")] == [1, 2]
    assert journal.problem is None
    assert [u.meta.call_id for u in journal.unfinished_calls("console-1")] == ["mem"]


def test_a_clash_in_a_merge_is_quarantined_not_dropped(tmp_path, boston):
    journal = SqliteJournal(tmp_path / "r.sqlite3")
    events = call_script(boston, "clash")[:2]
    meta = _meta(boston, "clash")
    journal.insert(meta, StoredEvent("a" * 32, "clash", 1, events[0]))
    added = journal.insert_many(
        [(meta, StoredEvent("b" * 32, "clash", 1, events[1])), (meta, StoredEvent("c" * 32, "clash", 2, events[1]))]
    )
    assert added == 1
    kept = journal._query("SELECT event_id FROM rejected_events")
    assert [r[0] for r in kept] == ["b" * 32]
    journal.close()


def test_a_wrong_store_setting_records_locally_and_says_so(tmp_path, boston):
    journal = open_journal(Settings(store="mysql://centre/records"), folder=tmp_path)
    assert journal.problem is not None and 'unknown record store "mysql://centre/records"' in journal.problem
    events = call_script(boston, "local-only")[:2]
    journal.start_call(_meta(boston, "local-only"), events[0])
    journal.append("local-only", events[1])
    assert [c.meta.call_id for c in journal.calls()] == ["local-only"]
    journal.close()
    bad_schema = open_journal(Settings(store="postgresql://h/db?schema=Bad-Name"), folder=tmp_path)
    assert "centre store setting is wrong" in bad_schema.problem
    bad_schema.close()


def test_headless_record_code_never_imports_the_tui():
    import subprocess
    import sys

    code = (
        "import sys, crisis_triage.store.opening, crisis_triage.reporting.export, crisis_triage.reporting.outcomes, "
        "crisis_triage.reporting.review, crisis_triage.cli.records, crisis_triage.cli.report; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
