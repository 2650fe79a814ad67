"""``eido serve`` outlives its store going away: while PostgreSQL cannot be reached the notifier keeps
serving (subscribers keep what they were sent), tries the store again with a growing wait, and once it
answers looks at it whole, so a change stored during the outage still reaches the subscriber. Real
PostgreSQL behind a proxy the test cuts (the shared server cannot be stopped), real sockets."""

from __future__ import annotations

import asyncio
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

from crisis_triage.interop.eido_store_feed import store_unreadable
from crisis_triage.store.postgres import PostgresStore
from tests.interop.test_eido_conveyance import Client
from tests.interop.test_eido_store_feed import _opening, _rows
from tests.store.tcp_proxy import TcpProxy

TOKEN = "store-outage-token"
PATIENCE_S = 30.0


class _Lines:
    """The server's stderr, read by a thread of its own (a full pipe never holds the server up)."""

    def __init__(self, stream):
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put("")

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + PATIENCE_S
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"the server did not say {text!r} within {PATIENCE_S} s: {''.join(self.seen)}"
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            assert line, f"the server ended before saying {text!r}: {''.join(self.seen)}"
            self.seen.append(line)
            if text in line:
                return line


def _through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))


@pytest.mark.postgres
def test_eido_serve_keeps_serving_through_a_store_outage_and_catches_up(boston, pg_url):
    writer = PostgresStore(pg_url)
    now = datetime.now().astimezone()
    writer.insert_rows(_rows(boston, "outage-a", 1, _opening(now)[:1]))
    proxy = TcpProxy(("127.0.0.1", urlsplit(pg_url).port or 5432)).start()
    env = {**os.environ, "CRISIS_TRIAGE_EIDO_TOKEN": TOKEN}
    command = [sys.executable, "-m", "crisis_triage", "eido", "serve", "--store", _through(proxy, pg_url)]
    command += ["--listen", "127.0.0.1:0", "--poll", "2", "-p", boston.file]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        lines = _Lines(server.stderr)
        port = int(lines.wait_for("serving EIDOs on").split("127.0.0.1:")[1].split()[0])

        async def subscriber() -> dict:
            client = await Client.open(SimpleNamespace(port=port), token=TOKEN)
            try:
                await client.subscribe()
                (opening,) = await client.events(1)
                assert opening["$id"].startswith("urn:emergency:uid:incidentid:outage-a:")
                proxy.stop()  # the store goes away
                await asyncio.to_thread(lines.wait_for, "the store cannot be read")
                # Stored meanwhile (by a console still reaching the server): nobody can tell the notifier.
                await asyncio.to_thread(writer.insert_rows, _rows(boston, "outage-a", 2, _opening(now)[1:]))
                await asyncio.sleep(3)  # a few failed tries: the notifier keeps serving its subscribers
                assert server.poll() is None, "the notifier is still running"
                proxy.start()  # the store is back, on the same address
                await asyncio.to_thread(lines.wait_for, "the store can be read again")
                (changed,) = await client.events(1)
                return changed
            finally:
                await client.connection.close()

        changed = asyncio.run(subscriber())
        assert changed["$id"].startswith("urn:emergency:uid:incidentid:outage-a:")
        assert "12 Main St" in str(changed["locationComponent"]), "the change stored during the outage"
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(10)
        proxy.stop()
        writer.close()


def test_an_unreadable_store_is_told_from_a_fault_of_ours():
    assert store_unreadable(sqlite3.OperationalError("database is locked"))
    assert store_unreadable(ConnectionResetError())
    assert not store_unreadable(KeyError("call"))
    assert not store_unreadable(sqlite3.IntegrityError("UNIQUE constraint failed"))
    psycopg = pytest.importorskip("psycopg")
    assert store_unreadable(psycopg.OperationalError("connection refused"))
    assert not store_unreadable(psycopg.ProgrammingError("syntax error"))
