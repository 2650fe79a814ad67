"""The EIDO inbox: incidents another system sent by subscription, waiting for a call-taker to take them.

``crisis-triage eido subscribe URL --inbox`` subscribes to another system's EIDO notifier (a PSAP,
a 988 centre, a CAD) and keeps the latest EIDO of each incident it hears of in the inbox folder
(``<data dir>/eido/inbox/``); the console's inbox screen lists them, and taking one starts a call
from it as ``call --from-eido`` does (location, callback, caller, language, the sender's notes, and
the same incident id in every EIDO this console sends about it). A taken incident is marked with the
call that took it and leaves the list; later updates of it are still kept, for the record.

Everything here is read as untrusted input (the files were written from another system's messages),
and written readable by its owner only: it is health information.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..protocol.compiled import Protocol
from .eido_in import EidoInError, Transfer, check_eido, load_eido, read_transfer
from .eido_inbox_folder import TAKEN

log = logging.getLogger("crisis_triage.eido")

#: Most incidents listed (newest first): an inbox is a queue of a few, not an archive.
MAX_LISTED = 200


@dataclass(frozen=True)
class InboxEntry:
    """One incident waiting in the inbox."""

    path: Path
    received_at: datetime
    transfer: Transfer
    incident_type: str
    """The sender's incident type (NENA common registry code), or "" when it gave none."""
    status: str
    """The sender's incident status(es), joined with "/", or ""."""


def _file_name(incident_id: str) -> str:
    # Incident ids are urns with colons: the file is named by a digest, the id is inside it.
    return hashlib.sha256(incident_id.encode("utf-8")).hexdigest()[:32] + ".json"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step (a reader never sees half a file), owner-only."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)


def keep(document: Any, folder: Path) -> Path:
    """Keep an incoming EIDO in the inbox (the latest version of each incident wins); returns its file.

    Raises :class:`EidoInError` for a document that is not an EIDO, OSError when the folder cannot be
    written."""
    eido = check_eido(document, "the notification")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / _file_name(eido["$id"])
    _write_private(path, json.dumps(eido, ensure_ascii=False) + "\n")
    return path


def mark_taken(entry: InboxEntry, call_id: str) -> None:
    """Record that ``call_id`` took this incident: it leaves the list (raises OSError if unwritable)."""
    taken = entry.path.parent / TAKEN
    taken.mkdir(mode=0o700, exist_ok=True)
    record = {"incident": entry.transfer.incident_id, "call": call_id, "at": datetime.now(UTC).isoformat()}
    _write_private(taken / entry.path.name, json.dumps(record) + "\n")


def waiting(folder: Path, protocol: Protocol) -> tuple[list[InboxEntry], list[str]]:
    """(the incidents waiting, newest first; a line for each file that could not be read)."""
    if not folder.is_dir():
        return [], []
    taken = {p.name for p in (folder / TAKEN).glob("*.json")} if (folder / TAKEN).is_dir() else set()
    files = []
    for path in folder.glob("*.json"):
        if path.name in taken:
            continue
        try:
            files.append((path.stat().st_mtime, path))
        except OSError:
            continue  # removed meanwhile
    entries, problems = [], []
    for mtime, path in sorted(files, reverse=True)[:MAX_LISTED]:
        try:
            document = load_eido(str(path))
            transfer = read_transfer(document, protocol)
        except EidoInError as exc:
            problems.append(str(exc))
            continue
        incident = document.get("incidentComponent")
        incident = incident if isinstance(incident, dict) else {}
        entries.append(
            InboxEntry(
                path=path,
                received_at=datetime.fromtimestamp(mtime, UTC),
                transfer=transfer,
                incident_type=_short(incident.get("incidentTypeCommonRegistryText")),
                status=_short(incident.get("incidentStatusCommonRegistryText")),
            )
        )
    return entries, problems


def _short(value: Any) -> str:
    if isinstance(value, list):
        value = "/".join(v for v in value if isinstance(v, str))
    return value[:40] if isinstance(value, str) else ""
