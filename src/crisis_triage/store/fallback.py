"""The fallback journal: an append-only JSON Lines file, fsynced per event.

Used when the SQLite store cannot take a write (damaged, locked, disk full). Each line is
self-contained (event id, call id, sequence, the call's meta and the event), so the file can be
merged back into the store later by event id, or read by a person with any text tool.

Every record is written as ``"\\n" + json + "\\n"``: if a write is torn (a crash, a disk filling
mid-write), the fragment ends up on a line of its own that the reader skips, and the next record
still starts on a fresh line.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from ..engine.events import event_from_dict
from .disk import DISK, Disk
from .journal import CallMeta, StoredEvent

PREFIX = "fallback-"
SUFFIX = ".jsonl"


def encode(meta: CallMeta, record: StoredEvent) -> bytes:
    line = {
        "event_id": record.event_id,
        "call_id": record.call_id,
        "sequence": record.sequence,
        "meta": asdict(meta),
        "event": json.loads(record.event.model_dump_json()),
    }
    return ("\n" + json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class FallbackFile:
    """One process's fallback file in ``folder``; created on the first write."""

    def __init__(self, folder: Path, disk: Disk = DISK):
        self.folder = Path(folder)
        self.disk = disk
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = self.folder / f"{PREFIX}{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        self._fd: int | None = None

    def write(self, meta: CallMeta, record: StoredEvent) -> None:
        """Append and fsync one record; raises OSError if the disk refuses."""
        data = encode(meta, record)
        if self._fd is None:
            self._fd = self.disk.open_append(self.path)
        try:
            self.disk.write(self._fd, data)
            self.disk.fsync(self._fd)
        except OSError:
            # Reopen next time: some filesystems leave a descriptor unusable after ENOSPC/EIO.
            self.disk.close(self._fd)
            self._fd = None
            raise

    def close(self) -> None:
        if self._fd is not None:
            self.disk.close(self._fd)
            self._fd = None


def fallback_files(folder: Path) -> list[Path]:
    """Fallback files in ``folder``, oldest first."""
    try:
        return sorted(p for p in Path(folder).glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    except OSError:
        return []


def writer_pid(path: Path) -> int | None:
    """The id of the process that wrote ``path`` (from its name)."""
    parts = path.name[len(PREFIX) : -len(SUFFIX)].split("-")
    try:
        return int(parts[1])
    except (IndexError, ValueError):
        return None


def in_use_by_other_process(path: Path) -> bool:
    """True while another live console process may still be appending to ``path``."""
    pid = writer_pid(path)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_fallback(path: Path) -> Iterator[tuple[CallMeta, StoredEvent]]:
    """Every readable record in ``path``; torn or damaged lines are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            meta = CallMeta(**data["meta"])
            yield (
                meta,
                StoredEvent(data["event_id"], data["call_id"], int(data["sequence"]), event_from_dict(data["event"])),
            )
        except (ValueError, KeyError, TypeError):
            continue  # a torn last write; every complete record is on its own line
