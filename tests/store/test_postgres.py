"""The centre's PostgreSQL store: many consoles at once, an outage mid-run, idempotent shipping."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from records_helpers import call_script
from tcp_proxy import TcpProxy

from crisis_triage.config import Settings
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import open_journal
from crisis_triage.store.postgres import PostgresStore
from crisis_triage.store.rows import to_row

pytestmark = pytest.mark.postgres

FAST = {"idle_poll_s": 0.2, "backoff_s": (0.05, 0.4)}


def _meta(protocol, call_id: str, console: str) -> CallMeta:
    return CallMeta(call_id, console, "taker-1", protocol.id, protocol.version, protocol.sha256, protocol.file)


def _all_rows(url: str) -> list[tuple[str, str, int]]:
    store = PostgresStore(url)
    try:
        return [
            (r["event_id"], r["call_id"], r["sequence"])
            for r in store._rows(f"SELECT event_id, call_id, sequence FROM {store.schema}.events")
        ]
    finally:
        store.close()


def _assert_exactly(url: str, written: dict[str, list[str]]) -> None:
    """PostgreSQL holds each written event once, at its sequence: 0 lost, 0 duplicated."""
    rows = _all_rows(url)
    ids = [event_id for event_id, _, _ in rows]
    expected = [event_id for ids_ in written.values() for event_id in ids_]
    assert len(ids) == len(set(ids)), "duplicated events"
    assert set(ids) == set(expected), f"{len(set(expected) - set(ids))} events lost"
    by_call: dict[str, list[int]] = {}
    for _, call_id, sequence in rows:
        by_call.setdefault(call_id, []).append(sequence)
    assert set(by_call) == set(written)
    for call_id, sequences in by_call.items():
        assert sorted(sequences) == list(range(1, len(written[call_id]) + 1)), call_id


@pytest.mark.slow
def test_40_consoles_x_50_calls_lose_and_duplicate_nothing(tmp_path, boston, pg_url):
    consoles, calls = 40, 50
    scripts = {n: call_script(boston, f"script-{n}") for n in range(calls)}  # same shapes, distinct calls
    written: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(consoles)

    def console(number: int) -> None:
        try:
            name = f"console-{number:02d}"
            journal = open_journal(Settings(store=pg_url, console_id=name), folder=tmp_path / name, **FAST)
            start.wait()
            for n in range(calls):
                call_id = f"{name}-call-{n:02d}"
                events = scripts[n]
                ids = [journal.start_call(_meta(boston, call_id, name), events[0]).event_id]
                ids += [journal.append(call_id, event).event_id for event in events[1:]]
                with lock:
                    written[call_id] = ids
            assert journal.shipper.wait_until_shipped(120), f"{name}: backlog did not ship"
            assert journal.problem is None
            journal.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=console, args=(n,)) for n in range(consoles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    assert len(written) == consoles * calls
    _assert_exactly(pg_url, written)


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}"))


def test_server_down_mid_run_calls_go_on_and_backlog_ships(tmp_path, boston, pg_url):
    proxy = TcpProxy(("127.0.0.1", urlsplit(pg_url).port or 5432)).start()
    journal = open_journal(Settings(store=_via(pg_url, proxy.port)), folder=tmp_path / "console", **FAST)
    written: dict[str, list[str]] = {}

    def take_calls(first: int, count: int) -> None:
        for n in range(first, first + count):
            call_id = f"outage-{n:03d}"
            events = call_script(boston, call_id)
            ids = [journal.start_call(_meta(boston, call_id, "console-1"), events[0]).event_id]
            ids += [journal.append(call_id, event).event_id for event in events[1:]]
            written[call_id] = ids

    try:
        take_calls(0, 5)
        assert journal.shipper.wait_until_shipped(30)
        proxy.stop()  # the server goes down
        take_calls(5, 15)  # calls go on: every append returned with the event in the local store
        deadline = time.monotonic() + 10
        while journal.shipping().error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        status = journal.shipping()
        assert status.error is not None and "cannot ship" in status.error
        assert status.backlog > 0
        assert journal.problem is None  # the local journal is fine: nothing for the call-taker to do
        proxy.start()  # the server is back, on the same address
        assert journal.shipper.wait_until_shipped(60), "backlog did not ship after the server came back"
        take_calls(20, 3)
        assert journal.shipper.wait_until_shipped(30)
        assert journal.shipping().error is None
    finally:
        journal.close()
        proxy.stop()
    _assert_exactly(pg_url, written)


def test_shipping_is_idempotent_and_a_clash_is_quarantined_not_lost(boston, pg_url):
    store = PostgresStore(pg_url)
    try:
        events = call_script(boston, "idem-1")[:4]
        meta = _meta(boston, "idem-1", "console-1")
        from crisis_triage.store.journal import StoredEvent

        rows = [to_row(meta, StoredEvent(f"{n:032x}", "idem-1", n, e)) for n, e in enumerate(events, 1)]
        assert store.insert_rows(rows) == 4
        assert store.insert_rows(rows) == 0  # re-sent after a timeout: nothing twice
        clash = to_row(meta, StoredEvent("f" * 32, "idem-1", 2, events[1]))
        assert store.insert_rows(rows[:1] + [clash]) == 0
        kept = store._rows(f"SELECT event_id FROM {store.schema}.rejected_events")
        assert [r["event_id"] for r in kept] == ["f" * 32]
        assert [s.event for s in store.stored_events("idem-1")] == events
    finally:
        store.close()


def test_centre_store_reads_calls_rows_and_purges(tmp_path, boston, pg_url):
    journal = open_journal(Settings(store=pg_url), folder=tmp_path / "console", **FAST)
    for call_id in ("read-1", "read-2"):
        events = call_script(boston, call_id)
        journal.start_call(_meta(boston, call_id, "console-1"), events[0])
        for event in events[1:] if call_id == "read-1" else events[1:5]:
            journal.append(call_id, event)
    assert journal.shipper.wait_until_shipped(30)
    outbox = journal.primary.outbox_path
    journal.close()
    assert outbox.stat().st_mode & 0o777 == 0o600  # the shipping cursor file is private too
    store = PostgresStore(pg_url)
    try:
        calls = {c.meta.call_id: c for c in store.calls()}
        assert set(calls) == {"read-1", "read-2"}
        ending = next(e.outcome for e in call_script(boston, "read-1") if e.kind == "call_ended")
        assert calls["read-1"].ended == ending and calls["read-2"].ended is None
        assert [c.meta.call_id for c in store.unfinished_calls("console-1")] == ["read-2"]
        assert store.meta("read-1").protocol_sha256 == boston.sha256
        from crisis_triage.store.postgres import LATEST

        assert store._rows(f"SELECT max(version) AS v FROM {store.schema}.schema_version")[0]["v"] == LATEST
        rows = list(store.iter_rows())
        assert [r["call_id"] for r in rows].count("read-2") == 5
        assert store.count() == (2, len(rows))
        # Purge: finished calls older than the cutoff go; the unfinished one stays.
        removed = store.purge(datetime.now(UTC) + timedelta(days=1))
        assert removed[0] == 1
        assert [c.meta.call_id for c in store.calls()] == ["read-2"]
    finally:
        store.close()


def test_events_written_aside_while_the_local_file_was_locked_still_reach_the_centre(tmp_path, boston, pg_url):
    import sqlite3

    from crisis_triage.store.opening import sqlite_path

    folder = tmp_path / "console"
    journal = open_journal(Settings(store=pg_url), folder=folder, busy_timeout_ms=50, **FAST)
    events = call_script(boston, "aside-1")
    ids = [journal.start_call(_meta(boston, "aside-1", "console-1"), events[0]).event_id]
    other = sqlite3.connect(sqlite_path(folder), isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        ids += [journal.append("aside-1", event).event_id for event in events[1:]]
        assert journal.problem is not None and "locked" in journal.problem
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert journal.recover() and journal.problem is None
    assert journal.shipper.wait_until_shipped(30)
    journal.close()
    _assert_exactly(pg_url, {"aside-1": ids})
