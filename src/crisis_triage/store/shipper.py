"""Ships a console's local journal to the centre's PostgreSQL store, in the background.

A call never waits for the network: the console's write is done when SQLite commits. This thread
reads the local outbox (events past the last acknowledged ``seq``), sends them in batches inside
one PostgreSQL transaction (``ON CONFLICT (event_id) DO NOTHING``), and only then moves the local
cursor. A crash between the two re-sends the batch, which the server ignores: exactly-once in
effect, idempotent by event id. When the server is slow or down the thread backs off and retries;
the backlog ships when it comes back.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from .journal import JournalError
from .postgres import PostgresStore, redact
from .sqlite import SqliteJournal

log = logging.getLogger("crisis_triage.records")


@dataclass(frozen=True)
class ShippingStatus:
    target: str
    backlog: int
    """Events journalled locally but not yet acknowledged by the centre store."""
    shipped: int
    """Events sent since this console started (new to the server or already there)."""
    error: str | None
    """The last failure, while the server is unreachable; None when shipping works."""


class Shipper:
    """Background sender from one local SQLite journal to one PostgreSQL store."""

    def __init__(
        self,
        source: SqliteJournal,
        store: PostgresStore,
        *,
        batch: int = 500,
        idle_poll_s: float = 1.0,
        backoff_s: tuple[float, float] = (0.25, 10.0),
        coalesce_s: float = 0.02,
    ):
        """``coalesce_s``: after being woken, wait this long so a burst of events goes in one batch
        (and the console's thread is not interrupted once per event)."""
        self.source = source
        self.store = store
        self.target = redact(store.url)
        self.batch = batch
        self.idle_poll_s = idle_poll_s
        self.backoff_min, self.backoff_max = backoff_s
        self.coalesce_s = coalesce_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.shipped = 0
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="crisis-triage-shipper", daemon=True)

    def start(self) -> "Shipper":
        self._thread.start()
        return self

    def notify(self) -> None:
        """New events are in the journal: ship now rather than at the next poll."""
        self._wake.set()

    def set_source(self, source: SqliteJournal) -> None:
        """Read from another journal object (the store was reopened after a failure)."""
        with self._lock:
            self.source = source
        self.notify()

    def status(self) -> ShippingStatus:
        try:
            backlog = self.source.backlog(self.target)
        except JournalError:
            backlog = -1
        return ShippingStatus(self.target, backlog, self.shipped, self.error)

    def ship_once(self) -> int:
        """Send everything pending now; return how many events were sent. Raises on failure."""
        sent = 0
        while not self._stopping.is_set() or sent == 0:
            with self._lock:
                source = self.source
            pending = source.pending(self.target, self.batch)
            if not pending:
                break
            self.store.insert_rows([row for _, row in pending])
            source.mark_shipped(self.target, pending[-1][0])
            sent += len(pending)
            self.shipped += len(pending)
            if len(pending) < self.batch:
                break
        return sent

    def _run(self) -> None:
        delay = self.backoff_min
        while not self._stopping.is_set():
            try:
                self.ship_once()
                if self.error is not None:
                    log.info("centre store %s reachable again", self.target)
                self.error = None
                delay = self.backoff_min
                if self._wake.wait(self.idle_poll_s) and self.coalesce_s:
                    self._stopping.wait(self.coalesce_s)
                self._wake.clear()
            except Exception as exc:
                message = f"cannot ship to the centre store {self.target}: {exc}".strip()
                if message != self.error:
                    log.warning("%s (events stay in the local journal and ship later)", message)
                self.error = message
                self.store.close()
                self._stopping.wait(delay)
                delay = min(self.backoff_max, delay * 2)

    def stop(self, flush_timeout_s: float = 2.0) -> None:
        """Ship what can be shipped within ``flush_timeout_s``, then stop; the rest ships next start."""
        deadline = time.monotonic() + flush_timeout_s
        while self._thread.is_alive() and self.error is None and time.monotonic() < deadline:
            try:
                if self.source.backlog(self.target) == 0:
                    break
            except JournalError:
                break
            self.notify()
            time.sleep(0.02)
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=max(0.1, deadline - time.monotonic()) + 5)
        self.store.close()

    def wait_until_shipped(self, timeout_s: float) -> bool:
        """Block until the backlog is empty (tests, ``records`` commands); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if self.source.backlog(self.target) == 0:
                    return True
            except JournalError:
                pass
            self.notify()
            time.sleep(0.05)
        return False
