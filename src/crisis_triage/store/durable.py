"""The journal a console uses: SQLite first, a fallback file when SQLite fails, never a lost event.

Writes go to the SQLite store. If it cannot take one (damaged file, locked by another program, disk
full), the journal says so in :attr:`DurableJournal.problem` (a sentence for the call-taker) and
writes that event, and the rest, to a fsynced fallback file beside the store, or in the temp folder
if that disk refuses too; as a last resort events are held in memory and flushed to disk at the
next write that succeeds. The call goes on either way.

Fallback files are merged back into SQLite by event id (idempotent) when the store works again:
on the next start, or between calls (:meth:`DurableJournal.recover`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from ..engine.events import AnyEvent, CallEnded
from .disk import DISK, Disk
from .fallback import FallbackFile, fallback_files, in_use_by_other_process, read_fallback
from .journal import OUTSIDE_SEQUENCE, CallMeta, CallSummary, JournalError, StoredEvent
from .sqlite import SqliteJournal

log = logging.getLogger("crisis_triage.records")

RECOVERY_INTERVAL_S = 30.0
"""How often, at most, a degraded journal tries the store again when a new call starts."""


class DurableJournal:
    """A :class:`~crisis_triage.store.journal.Journal` that survives a failing store (thread-safe)."""

    def __init__(
        self,
        open_primary: Callable[[], SqliteJournal],
        fallback_dirs: list[Path],
        *,
        disk: Disk = DISK,
        on_problem: Callable[[str | None], None] | None = None,
        on_primary: Callable[[SqliteJournal], None] | None = None,
    ):
        """``open_primary`` opens the SQLite store (raising JournalError); ``fallback_dirs`` are tried in
        order when it fails. ``on_problem`` hears every change of :attr:`problem`; ``on_primary`` is told
        each time a working store is (re)opened (the shipper to a centre's store reads from it)."""
        self._open_primary = open_primary
        self.fallback_dirs = [Path(d) for d in fallback_dirs]
        self.disk = disk
        self._on_problem = on_problem
        self._on_primary = on_primary
        self._lock = threading.RLock()
        self._meta: dict[str, CallMeta] = {}
        self._next: dict[str, int] = {}
        self._files: list[FallbackFile] = []
        self._written: list[tuple[CallMeta, StoredEvent]] = []
        """Records this process sent to fallback files or memory since the last recovery."""
        self._memory: list[tuple[CallMeta, StoredEvent]] = []
        """Records no disk would take yet: flushed to a file at the next chance."""
        self._last_recovery = 0.0
        self.problem: str | None = None
        """None while events go to the SQLite store; otherwise what is wrong and where events go."""
        self.primary: SqliteJournal | None = None
        """The SQLite store, while it can be opened: read even when writes go elsewhere."""
        self._degraded = False
        """True while writes go to the fallback chain."""
        self._primary_failure: str | None = None
        self._connect()
        self.recover()

    # -- the primary store ------------------------------------------------------------------------
    def _connect(self) -> bool:
        try:
            self.primary = self._open_primary()
        except JournalError as exc:
            self.primary = None
            self._degraded = True
            self._primary_failure = str(exc)
            return False
        if self._on_primary is not None:
            self._on_primary(self.primary)
        return True

    def _set_problem(self, problem: str | None) -> None:
        if problem != self.problem:
            self.problem = problem
            if problem:
                log.warning("%s", problem)
            else:
                log.info("record store working again; fallback records merged")
            if self._on_problem is not None:
                self._on_problem(problem)

    def _degrade(self, reason: str) -> None:
        """Stop writing to the store for now (reads still try it); later events go to the fallback chain."""
        self._degraded = True
        self._primary_failure = reason

    def recover(self) -> bool:
        """Try the store again and merge every fallback file into it; True if nothing is left outside it.

        Safe to call at any time; the console calls it between calls. Files another live console
        process is still writing are left for that process.
        """
        with self._lock:
            self._last_recovery = time.monotonic()
            if self.primary is None and not self._connect():
                self._report_fallback()
                return False
            records = list(self._memory)
            files: list[Path] = []
            for folder in self.fallback_dirs:
                for path in fallback_files(folder):
                    if in_use_by_other_process(path):
                        continue
                    files.append(path)
                    records.extend(read_fallback(path))
            if not self._merge(records):
                return False
            for fallback in self._files:
                fallback.close()
            self._files = []
            for path in files:
                try:
                    path.unlink()
                except OSError:
                    pass  # merged already; merging it again is harmless (idempotent by event id)
            self._memory.clear()
            self._written.clear()
            self._degraded = False
            self._primary_failure = None
            self._set_problem(None)
            return True

    def _merge(self, records: list[tuple[CallMeta, StoredEvent]]) -> bool:
        """Write ``records`` to the store (an empty list still proves it takes writes again)."""
        for attempt in (1, 2):
            assert self.primary is not None
            try:
                added = self.primary.insert_many(records)
            except JournalError as exc:
                self._degrade(str(exc))
                if attempt == 1:
                    # The connection itself may be what broke: one fresh try.
                    self.primary.close()
                    if self._connect():
                        continue
                self._report_fallback()
                return False
            if records:
                log.info("merged %d fallback records (%d new) into %s", len(records), added, self.primary.path)
            return True
        return False

    def _report_fallback(self) -> None:
        where = self._where()
        reason = self._primary_failure or "the record store is unavailable"
        if where is None:
            self._set_problem(
                f"{reason}. Calls are held in memory only: free disk space now and do not close "
                "the console. The call goes on."
            )
        else:
            self._set_problem(
                f"{reason}. Calls are being recorded to the fallback journal {where}; nothing is "
                "lost and the call goes on. Tell your supervisor."
            )

    def _where(self) -> Path | None:
        return self._files[-1].path if self._files else (self.fallback_dirs[0] if self.fallback_dirs else None)

    # -- writing -------------------------------------------------------------------------------
    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        with self._lock:
            if self._degraded and time.monotonic() - self._last_recovery > RECOVERY_INTERVAL_S:
                self.recover()  # between calls is the moment to try the store again
            self._meta[meta.call_id] = meta
            self._next[meta.call_id] = 1
            return self._write(meta, first)

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        """Make ``event`` durable (SQLite, else a fsynced fallback file) before returning."""
        with self._lock:
            return self._write(self.meta(call_id), event)

    def _write(self, meta: CallMeta, event: AnyEvent) -> StoredEvent:
        call_id = meta.call_id
        if call_id not in self._next:
            self._next[call_id] = self._last_sequence(call_id) + 1
        record = StoredEvent(uuid.uuid4().hex, call_id, self._next[call_id], event)
        if self.primary is not None and not self._degraded and not self._memory:
            try:
                self.primary.insert(meta, record)
                self._next[call_id] += 1
                return record
            except JournalError as exc:
                self._degrade(str(exc))
        self._write_fallback(meta, record)
        self._next[call_id] += 1
        return record

    def _write_fallback(self, meta: CallMeta, record: StoredEvent) -> None:
        pending = self._memory + [(meta, record)]
        for folder in self.fallback_dirs:
            current = (
                self._files[-1] if self._files and self._files[-1].folder == folder else FallbackFile(folder, self.disk)
            )
            done = 0
            try:
                for item in pending:
                    current.write(*item)
                    done += 1
            except OSError as exc:
                log.warning("fallback journal %s refused a write: %s", current.path, exc)
                # Records written before the failure are durable in that file; keep only the rest.
                if done:
                    self._written.extend(pending[:done])
                    if current not in self._files:
                        self._files.append(current)
                pending = pending[done:]
                continue
            if current not in self._files:
                self._files.append(current)
            self._written.extend(pending)
            self._memory.clear()
            self._report_fallback()
            return
        # No disk would take it: hold in memory (the process is still alive) and say so loudly.
        self._memory = pending
        self._files_failed()

    def _files_failed(self) -> None:
        reason = self._primary_failure or "the record store is unavailable"
        self._set_problem(
            f"{reason}, and no fallback folder can be written ({', '.join(map(str, self.fallback_dirs))}). "
            "Calls are held in memory only: free disk space now and do not close the console. "
            "The call goes on."
        )

    def _last_sequence(self, call_id: str) -> int:
        return max((s.sequence for s in self.stored_events(call_id) if s.sequence < OUTSIDE_SEQUENCE), default=0)

    # -- reading -------------------------------------------------------------------------------
    def stored_events(self, call_id: str) -> list[StoredEvent]:
        """The call's events from the store, fallback files and memory, by sequence, each once."""
        with self._lock:
            found: dict[str, StoredEvent] = {}
            if self.primary is not None:
                try:
                    found.update((s.event_id, s) for s in self.primary.stored_events(call_id))
                except JournalError as exc:
                    self._degrade(str(exc))
            for _meta, record in self._outside_records():
                if record.call_id == call_id:
                    found.setdefault(record.event_id, record)
            return sorted(found.values(), key=lambda s: s.sequence)

    def _outside_records(self) -> list[tuple[CallMeta, StoredEvent]]:
        """Records not in the store: this process's fallback writes and memory, plus other files on disk."""
        records = list(self._written) + list(self._memory)
        own = {f.path for f in self._files}
        for folder in self.fallback_dirs:
            for path in fallback_files(folder):
                if path not in own:
                    records.extend(read_fallback(path))
        return records

    def events(self, call_id: str) -> list[AnyEvent]:
        return [s.event for s in self.stored_events(call_id)]

    def meta(self, call_id: str) -> CallMeta:
        with self._lock:
            meta = self._meta.get(call_id)
            if meta is None and self.primary is not None:
                try:
                    meta = self.primary.meta(call_id)
                except KeyError:
                    meta = None
                except JournalError as exc:
                    self._degrade(str(exc))
            if meta is None:
                for candidate, record in self._outside_records():
                    if record.call_id == call_id:
                        meta = candidate
                        break
            if meta is None:
                raise KeyError(call_id)
            self._meta[call_id] = meta
            return meta

    def unfinished_calls(self, console_id: str | None = None) -> list[CallSummary]:
        """Calls with no CallEnded, wherever their events are (store, fallback files, memory)."""
        with self._lock:
            summaries: dict[str, CallSummary] = {}
            if self.primary is not None:
                try:
                    summaries = {s.meta.call_id: s for s in self.primary.unfinished_calls(console_id)}
                except JournalError as exc:
                    self._degrade(str(exc))
            outside: dict[str, tuple[CallMeta, list[StoredEvent]]] = {}
            for meta, record in self._outside_records():
                if console_id is None or meta.console_id == console_id:
                    outside.setdefault(record.call_id, (meta, []))[1].append(record)
            for call_id, (meta, _) in outside.items():
                records = self.stored_events(call_id)
                if any(isinstance(r.event, CallEnded) for r in records):
                    summaries.pop(call_id, None)
                    continue
                summaries[call_id] = CallSummary(meta, records[0].event.at, records[-1].event.at, len(records), None)
            return sorted(summaries.values(), key=lambda s: s.started_at)

    def calls(self, **filters) -> list[CallSummary]:
        """Calls in the store (see :meth:`SqliteJournal.calls` for the filters); [] while it cannot be read.

        Calls that exist only in fallback files are found by :meth:`unfinished_calls` and appear
        here once merged."""
        with self._lock:
            if self.primary is None:
                return []
            try:
                return self.primary.calls(**filters)
            except JournalError:
                return []

    def close(self) -> None:
        with self._lock:
            for fallback in self._files:
                fallback.close()
            if self.primary is not None:
                self.primary.close()
