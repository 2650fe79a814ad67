"""One stored event as a flat row: what every backend writes (SQLite, PostgreSQL, the fallback file).

Each row carries the call's meta (console, call-taker, protocol id/version/sha256) so that any single
row says who recorded what, with which protocol text; rows are self-contained for shipping and export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..engine.events import AnyEvent, event_from_json
from .journal import CallMeta, StoredEvent

#: Column order shared by the SQLite and PostgreSQL tables and the CSV export.
COLUMNS = (
    "event_id",
    "call_id",
    "sequence",
    "at",
    "console_id",
    "call_taker_id",
    "protocol_id",
    "protocol_version",
    "protocol_sha256",
    "protocol_file",
    "practice",
    "kind",
    "event",
)


def utc_text(moment: datetime) -> str:
    """A timestamp as sortable UTC ISO text (SQLite compares these as strings)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def to_row(meta: CallMeta, record: StoredEvent) -> dict[str, Any]:
    """The row stored for ``record`` of the call described by ``meta``."""
    return {
        "event_id": record.event_id,
        "call_id": record.call_id,
        "sequence": record.sequence,
        "at": utc_text(record.event.at),
        "console_id": meta.console_id,
        "call_taker_id": meta.call_taker_id,
        "protocol_id": meta.protocol_id,
        "protocol_version": meta.protocol_version,
        "protocol_sha256": meta.protocol_sha256,
        "protocol_file": meta.protocol_file,
        "practice": bool(meta.practice),
        "kind": record.event.kind,
        "event": record.event.model_dump_json(),
    }


def meta_from_row(row: dict[str, Any]) -> CallMeta:
    return CallMeta(
        call_id=row["call_id"],
        console_id=row["console_id"],
        call_taker_id=row["call_taker_id"],
        protocol_id=row["protocol_id"],
        protocol_version=row["protocol_version"],
        protocol_sha256=row["protocol_sha256"],
        protocol_file=row.get("protocol_file") or "",
        practice=bool(row.get("practice")),
    )


def stored_from_row(row: dict[str, Any]) -> StoredEvent:
    event = row["event"]
    if not isinstance(event, (str, bytes)):  # PostgreSQL jsonb comes back as a dict
        event = json.dumps(event)
    return StoredEvent(row["event_id"], row["call_id"], int(row["sequence"]), event_from_json(event))


def event_of(row: dict[str, Any]) -> AnyEvent:
    return stored_from_row(row).event
