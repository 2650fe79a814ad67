"""Opening the record store a console's settings ask for.

:func:`open_journal` is what the console calls: it always journals locally (SQLite under the data
folder, with the fallback file chain) and, when ``settings.store`` is a ``postgresql://`` URL, ships
every event to that centre store in the background. :func:`open_reader` is for the commands that read
records (``records``, ``report``): the centre store when one is configured, else the local file.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard

from ..config import Settings, data_dir
from ..engine.events import AnyEvent
from .disk import DISK, Disk
from .durable import DurableJournal
from .journal import CallMeta, JournalError, StoredEvent
from .postgres import PostgresStore, redact
from .shipper import Shipper, ShippingStatus
from .sqlite import DEFAULT_BUSY_TIMEOUT_MS, SqliteJournal

DB_NAME = "records.sqlite3"
SWITCH_INTERVAL_S = 0.0005
"""GIL switch interval while a shipper thread runs beside the console (Python's default is 5 ms)."""
SHIP_STATEMENT_TIMEOUT_S = 30
"""A batch the centre server has not stored within this is abandoned and sent again later."""


def sqlite_path(folder: Path | None = None) -> Path:
    """The embedded store's file: ``<data dir>/records.sqlite3``."""
    return (folder or data_dir()) / DB_NAME


def fallback_dirs(folder: Path | None = None) -> list[Path]:
    """Where events go when SQLite fails: beside it, then the temp folder (often another disk).

    The temp folder is keyed by the data folder, so two stores on one machine never merge each
    other's fallback records.
    """
    import hashlib
    import os

    base = (folder or data_dir()).resolve()
    user = os.getuid() if hasattr(os, "getuid") else "user"
    key = hashlib.sha256(str(base).encode()).hexdigest()[:12]
    return [base / "fallback", Path(tempfile.gettempdir()) / f"crisis-triage-{user}" / key / "fallback"]


def is_postgres_url(store: str | None) -> TypeGuard[str]:
    return bool(store) and store is not None and store.split(":", 1)[0] in ("postgresql", "postgres")


class ShippingJournal(DurableJournal):
    """The local durable journal plus a background shipper to a centre's PostgreSQL store."""

    def __init__(
        self,
        open_primary: Callable[[], SqliteJournal],
        fallback: list[Path],
        store: PostgresStore,
        *,
        disk: Disk = DISK,
        on_problem: Callable[[str | None], None] | None = None,
        **shipper_options,
    ):
        self.shipper: Shipper | None = None
        self._store = store
        self._shipper_options = shipper_options
        super().__init__(open_primary, fallback, disk=disk, on_problem=on_problem, on_primary=self._attach)

    def _attach(self, primary: SqliteJournal) -> None:
        if self.shipper is None:
            # The shipper's Python work (building rows for a batch) holds the GIL; with the default
            # 5 ms switch interval the console's thread could wait that long for it after its commit.
            # A console prefers its own thread's latency: hand the GIL over sooner.
            if sys.getswitchinterval() > SWITCH_INTERVAL_S:
                sys.setswitchinterval(SWITCH_INTERVAL_S)
            self.shipper = Shipper(primary, self._store, **self._shipper_options).start()
        else:
            self.shipper.set_source(primary)

    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        record = super().start_call(meta, first)
        if self.shipper is not None:
            self.shipper.notify()
        return record

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        record = super().append(call_id, event)
        if self.shipper is not None:
            self.shipper.notify()
        return record

    def shipping(self) -> ShippingStatus | None:
        """How far shipping to the centre store has got (None until the local store first opened)."""
        return self.shipper.status() if self.shipper is not None else None

    def close(self, flush_timeout_s: float = 2.0) -> None:
        """Ship what can go within ``flush_timeout_s``, then close; the rest ships at the next start."""
        if self.shipper is not None:
            self.shipper.stop(flush_timeout_s)
        super().close()


def open_journal(
    settings: Settings,
    *,
    folder: Path | None = None,
    disk: Disk = DISK,
    on_problem: Callable[[str | None], None] | None = None,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    **shipper_options,
) -> DurableJournal:
    """The journal a console writes calls to, as ``settings`` say.

    Never raises for a broken local store: the journal falls back and sets ``journal.problem`` to a
    message to show the call-taker (``on_problem`` is called with it, and with None once the store
    works again). ``folder`` overrides the data folder (tests, bench); ``shipper_options`` tune the
    shipper (batch, idle_poll_s, backoff_s).
    """
    path = sqlite_path(folder)
    fallbacks = fallback_dirs(folder)

    def open_primary() -> SqliteJournal:
        return SqliteJournal(path, busy_timeout_ms=busy_timeout_ms, background_checkpoints=True)

    problem = None
    if is_postgres_url(settings.store):
        try:
            centre = PostgresStore(settings.store, statement_timeout_s=SHIP_STATEMENT_TIMEOUT_S)
        except JournalError as exc:
            problem = f"the centre store setting is wrong ({exc})"
        else:
            return ShippingJournal(open_primary, fallbacks, centre, disk=disk, on_problem=on_problem, **shipper_options)
    elif settings.store:
        problem = (
            f'unknown record store "{redact(settings.store)}" (leave it empty for the local file, or give a '
            "postgresql:// URL)"
        )
    journal = DurableJournal(open_primary, fallbacks, disk=disk, on_problem=on_problem)
    if problem and journal.problem is None:
        # A misconfigured centre store must not stop a call: record locally and say so.
        journal._set_problem(f"{problem}; calls are recorded on this console only. Tell your supervisor.")
    return journal


def open_reader(
    settings: Settings, *, local: bool = False, folder: Path | None = None
) -> SqliteJournal | PostgresStore:
    """The store the record commands read: the centre store if configured (unless ``local``), else the file."""
    if is_postgres_url(settings.store) and not local:
        return PostgresStore(settings.store)
    return SqliteJournal(sqlite_path(folder))
