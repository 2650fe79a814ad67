"""``eido serve`` fed by the record store: a change stored by another connection reaches subscribers
as soon as it is stored (PostgreSQL LISTEN/NOTIFY; a SQLite file's write order), not at the next
look at the whole store, and polling takes over when LISTEN is lost. Real PostgreSQL, real sockets."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from crisis_triage.engine import Answered, CallStarted
from crisis_triage.interop.eido_store_feed import StorePoller, follow_store
from crisis_triage.reporting.protocol_texts import ProtocolResolver
from crisis_triage.store.event_feed import PostgresChanges, SqliteChanges, open_changes
from crisis_triage.store.journal import CallMeta, StoredEvent
from crisis_triage.store.postgres import PostgresStore, events_channel
from crisis_triage.store.rows import to_row
from crisis_triage.store.sqlite import SqliteJournal
from tests.interop.test_eido_conveyance import Client

TOKEN = "store-feed-token"
#: The whole store is looked at this rarely in these tests: whatever arrives sooner was pushed.
SLOW_POLL_S = 60.0
#: A bound on waiting for something that should come at once (far below SLOW_POLL_S).
PATIENCE_S = 20.0


def _meta(protocol, call_id: str) -> CallMeta:
    return CallMeta(call_id, "console-2", "taker", protocol.id, protocol.version, protocol.sha256, protocol.file)


def _rows(protocol, call_id: str, first: int, events: list) -> list[dict]:
    meta = _meta(protocol, call_id)
    return [to_row(meta, StoredEvent(f"{call_id}-{n}", call_id, n, e)) for n, e in enumerate(events, first)]


def _opening(at: datetime) -> list:
    return [
        CallStarted(at=at, door="self", line="e911", district="B2"),
        Answered(at=at + timedelta(seconds=1), question="location", value="12 Main St"),
    ]


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {PATIENCE_S} s"
        time.sleep(0.01)


@pytest.mark.postgres
def test_postgres_tells_which_calls_gained_events(boston, pg_url):
    writer = PostgresStore(pg_url)
    changes = PostgresChanges(pg_url)
    try:
        writer.connection()
        assert changes.wait(0.1) is None and changes.pushing, "the first wait only starts listening"
        now = datetime.now().astimezone()
        writer.insert_rows(_rows(boston, "pg-a", 1, _opening(now)) + _rows(boston, "pg-b", 1, _opening(now)))
        assert changes.wait(PATIENCE_S) == {"pg-a", "pg-b"}, "one answer for a batch, one id a call"
        # Sent again after a timeout: nothing new was stored, so nobody is told.
        writer.insert_rows(_rows(boston, "pg-a", 1, _opening(now)))
        assert changes.wait(0.3) == set()
        record = StoredEvent("outside-1", "pg-b", 1000, Answered(at=now, question="weapon", value="no"))
        assert writer.insert_if_free(_meta(boston, "pg-b"), record)
        assert changes.wait(PATIENCE_S) == {"pg-b"}, "writers outside the console are heard too"
        # LISTEN lost (the server ended the connection): the caller is told to look at everything.
        pid = changes._conn.info.backend_pid
        writer.connection().execute("SELECT pg_terminate_backend(%s)", (pid,))
        writer.connection().commit()
        assert changes.wait(PATIENCE_S) is None and not changes.pushing and changes.problem
    finally:
        changes.close()
        writer.close()


def test_the_channel_fits_postgresql_names():
    assert events_channel("crisis_triage") == "crisis_triage_event_calls"
    assert len(events_channel("s" * 63)) == 63


def test_listen_impossible_means_polling():
    changes = PostgresChanges("postgresql://nobody@127.0.0.1:1/none", connect_timeout=1)
    try:
        assert changes.wait(0.01) is None and not changes.pushing and "connect" in changes.problem.lower()
    finally:
        changes.close()


def test_a_sqlite_store_is_watched_by_its_write_order(boston, tmp_path):
    path = tmp_path / "records.sqlite3"
    console = SqliteJournal(path)
    now = datetime.now().astimezone()
    console.start_call(_meta(boston, "sq-a"), _opening(now)[0])
    changes = open_changes(SqliteJournal(path))
    assert isinstance(changes, SqliteChanges)
    try:
        assert changes.wait(0.01) is None, "the first wait marks where the feed starts"
        assert changes.wait(0.01) == set()
        console.append("sq-a", _opening(now)[1])
        console.start_call(_meta(boston, "sq-b"), _opening(now)[0])
        assert changes.wait(PATIENCE_S) == {"sq-a", "sq-b"}
    finally:
        changes.close()
        console.close()


def test_a_sqlite_fed_notifier_sends_a_change_before_its_next_poll(boston, tmp_path):
    """follow_store with a SQLite store (another connection writes, as a console does)."""
    path = tmp_path / "records.sqlite3"
    console = SqliteJournal(path)
    now = datetime.now().astimezone()
    console.start_call(_meta(boston, "sq-c"), _opening(now)[0])
    reader = SqliteJournal(path)
    published: list[dict] = []
    poller = StorePoller(reader, ProtocolResolver([boston.file]), published.append)
    changes = open_changes(reader)
    stop = threading.Event()
    feed = threading.Thread(
        target=follow_store, args=(poller, changes), kwargs={"poll_s": SLOW_POLL_S, "hours": 1, "stop": stop}
    )
    feed.start()
    try:
        _wait_until(lambda: len(published) == 1, "the opening look")
        console.append("sq-c", _opening(now)[1])
        _wait_until(lambda: len(published) == 2, "the change's EIDO")
        assert published[1]["$id"] == published[0]["$id"]
        assert "12 Main St" in str(published[1]["locationComponent"])
    finally:
        stop.set()
        feed.join(5)
        changes.close()
        reader.close()
        console.close()
    assert not feed.is_alive(), "asked to stop, the feed stops"


def _lines_until(process: subprocess.Popen, text: str) -> list[str]:
    lines: list[str] = []
    while not lines or text not in lines[-1]:
        lines.append(process.stderr.readline())
        assert lines[-1], f"the server ended before saying {text!r}: {''.join(lines)}"
    return lines


@pytest.mark.postgres
def test_eido_serve_pushes_a_change_stored_by_another_console(boston, pg_url):
    """The CLI end to end: `eido serve --poll 60` on a PostgreSQL store, a real subscriber, and a
    change stored by another connection arriving without waiting for the poll."""
    writer = PostgresStore(pg_url)
    now = datetime.now().astimezone()
    writer.insert_rows(_rows(boston, "served-a", 1, _opening(now)[:1]))
    env = {**os.environ, "CRISIS_TRIAGE_EIDO_TOKEN": TOKEN}
    command = [sys.executable, "-m", "crisis_triage", "eido", "serve", "--store", pg_url]
    command += ["--listen", "127.0.0.1:0", "--poll", str(SLOW_POLL_S), "-p", boston.file]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = _lines_until(server, "serving EIDOs on")
        port = int(lines[-1].split("127.0.0.1:")[1].split()[0])
        # From here every change stored is told (and nothing before it was missed): what arrives
        # within seconds was pushed, the next look at the whole store being a minute away.
        _lines_until(server, "tells of each change as it is stored")
        # The server logs every request: read its stderr so a full pipe never holds it up.
        threading.Thread(target=server.stderr.read, daemon=True).start()

        async def subscriber() -> list[dict]:
            client = await Client.open(SimpleNamespace(port=port), token=TOKEN)
            try:
                await client.subscribe()
                (opening,) = await client.events(1)
                assert opening["$id"].startswith("urn:emergency:uid:incidentid:served-a:")
                await asyncio.to_thread(writer.insert_rows, _rows(boston, "served-a", 2, _opening(now)[1:]))
                await asyncio.to_thread(writer.insert_rows, _rows(boston, "served-b", 1, _opening(now)[:1]))
                # Client.next waits at most 10 s: far less than the 60 s before the next look.
                return await client.events(2)
            finally:
                await client.connection.close()

        changed, started = asyncio.run(subscriber())
        assert changed["$id"].startswith("urn:emergency:uid:incidentid:served-a:")
        assert "12 Main St" in str(changed["locationComponent"]), "the change itself, not the old EIDO"
        assert started["$id"].startswith("urn:emergency:uid:incidentid:served-b:"), "a new call too"
    finally:
        server.terminate()
        server.wait(10)
        writer.close()


def test_a_call_told_of_again_gets_the_same_eido_as_a_whole_replay(boston, tmp_path):
    """Sessions are kept between changes and only new events applied, except when a later console
    event sorts before a status recorded from outside (numbered after the console's range): then
    the call is replayed whole. Either way the EIDO is the one a whole replay gives."""
    from crisis_triage.engine.session import CallSession
    from crisis_triage.interop.eido import eido_document
    from crisis_triage.store.journal import OUTSIDE_SEQUENCE

    journal = SqliteJournal(tmp_path / "records.sqlite3")
    published: list[dict] = []
    poller = StorePoller(journal, ProtocolResolver([boston.file]), published.append)
    now = datetime.now().astimezone()
    meta = _meta(boston, "kept-a")

    def told_and_checked() -> None:
        assert poller.refresh({"kept-a"}) == 1
        whole = CallSession.replay(boston, journal.events("kept-a"))
        assert published[-1] == eido_document(boston, whole, "kept-a")

    journal.start_call(meta, _opening(now)[0])
    told_and_checked()
    journal.append("kept-a", _opening(now)[1])
    told_and_checked()
    assert len(poller.sessions["kept-a"].event_ids) == 2, "the session was kept and the new event applied"
    outside = StoredEvent("outside-1", "kept-a", OUTSIDE_SEQUENCE, Answered(at=now, question="weapon", value="no"))
    assert journal.insert_if_free(meta, outside)
    told_and_checked()
    journal.append("kept-a", Answered(at=now + timedelta(seconds=5), question="location", value="14 Main St"))
    told_and_checked()  # sorts before the outside status: replayed whole
    assert poller.sessions["kept-a"].event_ids[-1] == "outside-1"
    assert poller.refresh({"kept-a"}) == 0, "told twice of one change: sent once"
    journal.close()
