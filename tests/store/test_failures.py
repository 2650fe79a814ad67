"""A damaged, locked or full store: a clear message, the call goes on (fallback journal), nothing lost."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from records_helpers import call_script

from crisis_triage.config import Settings
from crisis_triage.engine.session import CallSession
from crisis_triage.store.disk import Disk
from crisis_triage.store.durable import DurableJournal
from crisis_triage.store.fallback import fallback_files, read_fallback
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import fallback_dirs, open_journal, sqlite_path
from crisis_triage.store.sqlite import SqliteJournal


class FullDisk(Disk):
    """The seam: writes under the listed folders fail as a full disk does."""

    def __init__(self, *full: Path):
        self.full = [Path(f) for f in full]
        self._paths: dict[int, Path] = {}

    def _check(self, path: Path) -> None:
        if any(path == f or f in path.parents for f in self.full):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))

    def open_append(self, path: Path) -> int:
        self._check(path)
        fd = super().open_append(path)
        self._paths[fd] = path
        return fd

    def write(self, fd: int, data: bytes) -> None:
        self._check(self._paths[fd])  # a file opened before the disk filled fails too
        super().write(fd, data)


def _meta(protocol, call_id: str) -> CallMeta:
    return CallMeta(call_id, "console-1", "taker-1", protocol.id, protocol.version, protocol.sha256, protocol.file)


def _play(journal, protocol, call_id: str, events, problems: list) -> list:
    """Write a call through ``journal`` as the console does: append, then show (apply) the consequence."""
    records = [journal.start_call(_meta(protocol, call_id), events[0])]
    session = CallSession(protocol, events[0])
    for event in events[1:]:
        records.append(journal.append(call_id, event))
        session.apply(event)
        if journal.problem and journal.problem not in problems:
            problems.append(journal.problem)
    return records


def _assert_all_stored(path: Path, protocol, call_id: str, records, events) -> None:
    store = SqliteJournal(path)
    try:
        stored = store.stored_events(call_id)
        assert [s.event_id for s in stored] == [r.event_id for r in records]
        assert [s.sequence for s in stored] == list(range(1, len(events) + 1))
        assert [s.event for s in stored] == events
        CallSession.replay(protocol, [s.event for s in stored])
    finally:
        store.close()


def test_corrupt_store_falls_back_says_why_and_merges_back(tmp_path, boston):
    folder = tmp_path / "data"
    path = sqlite_path(folder)
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database, it was damaged by a bad disk sector " * 100
    path.write_bytes(garbage)
    events = call_script(boston, "corrupt-1")
    heard: list = []
    journal = open_journal(Settings(), folder=folder, on_problem=heard.append)
    assert journal.problem is not None and "damaged" in journal.problem and str(path) in journal.problem
    assert "fallback journal" in journal.problem and "nothing is lost" in journal.problem
    assert heard == [journal.problem]
    records = _play(journal, boston, "corrupt-1", events, [])
    # The console reads the call back (resume) from the fallback file.
    assert journal.events("corrupt-1") == events
    assert journal.unfinished_calls("console-1") == []  # the script ends the call
    journal.close()
    files = fallback_files(fallback_dirs(folder)[0])
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    assert [r.event_id for _, r in read_fallback(files[0])] == [r.event_id for r in records]
    assert path.read_bytes() == garbage, "the damaged file is evidence: never overwritten"

    # The operator moves the damaged file aside; the next start merges the fallback into a new store.
    path.rename(path.with_suffix(".damaged"))
    again = open_journal(Settings(), folder=folder)
    assert again.problem is None
    assert fallback_files(fallback_dirs(folder)[0]) == []
    again.close()
    _assert_all_stored(path, boston, "corrupt-1", records, events)


def test_locked_store_mid_call_goes_on_and_loses_nothing(tmp_path, boston):
    folder = tmp_path / "data"
    events = call_script(boston, "locked-1")
    journal = open_journal(Settings(), folder=folder, busy_timeout_ms=50)
    half = len(events) // 2
    records = _play(journal, boston, "locked-1", events[:half], [])
    assert journal.problem is None
    # Another program takes an exclusive lock on the file in the middle of the call.
    other = sqlite3.connect(sqlite_path(folder), isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        session = CallSession.replay(boston, events[:half])
        for event in events[half:]:
            records.append(journal.append("locked-1", event))
            session.apply(event)
        assert journal.problem is not None and "locked by another program" in journal.problem
        assert journal.events("locked-1") == events
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Lock gone: between calls the journal tries the store again and merges what it wrote aside.
    assert journal.recover() is True
    assert journal.problem is None
    journal.close()
    _assert_all_stored(sqlite_path(folder), boston, "locked-1", records, events)


def test_full_disk_everywhere_holds_in_memory_then_flushes_nothing_lost(tmp_path, boston):
    folder = tmp_path / "data"
    path = sqlite_path(folder)
    filler = SqliteJournal(path)
    _play(filler, boston, "earlier-call", call_script(boston, "earlier-call"), [])
    filler.close()
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    beside, in_temp = fallback_dirs(folder)
    disk = FullDisk(beside)
    heard: list = []
    # SQLite itself reports a genuinely full database (SQLITE_FULL) once the file cannot grow.
    journal = DurableJournal(
        lambda: SqliteJournal(path, max_pages=pages), [beside, in_temp], disk=disk, on_problem=heard.append
    )
    events = call_script(boston, "full-1")
    problems: list = []
    records = [journal.start_call(_meta(boston, "full-1"), events[0])]
    third = len(events) // 3
    for event in events[1:third]:
        records.append(journal.append("full-1", event))
    assert journal.problem is not None and "disk holding" in journal.problem and "full" in journal.problem
    # The folder beside the store is on the full disk too: events went to the temp folder.
    assert str(in_temp) in journal.problem
    assert fallback_files(beside) == [] and len(fallback_files(in_temp)) == 1

    # Now every disk is full: events are held in memory and the message says so plainly.
    disk.full.append(in_temp)
    for event in events[third : 2 * third]:
        records.append(journal.append("full-1", event))
        problems.append(journal.problem)
    assert all("held in memory only" in p for p in problems)
    assert journal.events("full-1") == events[: 2 * third]  # the call goes on, the screen reads it back

    # Space is freed: the next write flushes the held events to disk first.
    disk.full.clear()
    for event in events[2 * third :]:
        records.append(journal.append("full-1", event))
    assert "held in memory" not in journal.problem
    on_disk = [r.event_id for d in (beside, in_temp) for f in fallback_files(d) for _, r in read_fallback(f)]
    in_store = [s.event_id for s in SqliteJournal(path).stored_events("full-1")]
    assert sorted(on_disk + in_store) == sorted(r.event_id for r in records), "every event on disk exactly once"
    journal.close()
    assert heard[0] and heard[-1]  # told of every change

    # Restart with room in the store: everything merges back, once each, in order.
    restarted = DurableJournal(lambda: SqliteJournal(path), [beside, in_temp], disk=Disk())
    assert restarted.problem is None
    restarted.close()
    _assert_all_stored(path, boston, "full-1", records, events)


def test_unfinished_calls_found_in_fallback_files_after_a_crash(tmp_path, boston):
    folder = tmp_path / "data"
    path = sqlite_path(folder)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 64)
    events = call_script(boston, "crashed-1")[:7]
    journal = open_journal(Settings(), folder=folder)
    _play(journal, boston, "crashed-1", events, [])
    del journal  # the console dies without closing anything
    restarted = open_journal(Settings(), folder=folder)
    unfinished = restarted.unfinished_calls("console-1")
    assert [u.meta.call_id for u in unfinished] == ["crashed-1"] and unfinished[0].events == 7
    session = CallSession.replay(boston, restarted.events("crashed-1"))
    assert session.events == tuple(events)
    # Resuming appends after the last stored sequence.
    record = restarted.append("crashed-1", call_script(boston, "crashed-1")[7])
    assert record.sequence == 8
    restarted.close()


def test_torn_fallback_line_is_skipped_and_later_records_survive(tmp_path, boston):
    from crisis_triage.store.fallback import FallbackFile

    events = call_script(boston, "torn-1")[:3]
    meta = _meta(boston, "torn-1")
    from crisis_triage.store.journal import StoredEvent

    file = FallbackFile(tmp_path)
    file.write(meta, StoredEvent("a" * 32, "torn-1", 1, events[0]))
    file.close()
    with open(file.path, "ab") as handle:
        handle.write(b'\n{"event_id": "bbbb", "call_id": "torn-1", "seq')  # a write cut short by a crash
    file2 = FallbackFile(tmp_path)
    file2.path = file.path
    file2.write(meta, StoredEvent("c" * 32, "torn-1", 2, events[1]))
    file2.close()
    assert [r.event_id for _, r in read_fallback(file.path)] == ["a" * 32, "c" * 32]
