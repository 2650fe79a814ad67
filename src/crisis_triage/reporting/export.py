"""Exporting records as JSON Lines or CSV: every event, or one line per call with its outcome.

Streams call by call, so memory stays flat however large the store. With a
:class:`~crisis_triage.reporting.deidentify.Deidentifier`, what leaves is de-identified for the evaluator.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from ..engine.session import SessionError
from ..store.journal import CallMeta
from ..store.reading import select_calls
from ..store.rows import COLUMNS, event_of
from .deidentify import REMOVED, Deidentifier, hour
from .figures import no_police_honoured, roles_from_protocol
from .outcome import call_outcome
from .protocol_texts import ProtocolNotFound, ProtocolResolver

EVENT_COLUMNS = [c for c in COLUMNS if c != "event"] + ["question", "value", "event"]
CALL_COLUMNS = [
    "call_id",
    "started_at",
    "console_id",
    "call_taker_id",
    "protocol_id",
    "protocol_version",
    "district",
    "door",
    "line",
    "language",
    "band",
    "recommended",
    "preferred",
    "dispatched",
    "departed",
    "team",
    "notify",
    "fallbacks",
    "handoff",
    "handoff_outcome",
    "interrupts",
    "seconds_to_recommendation",
    "seconds_to_dispatch",
    "seconds_total",
    "ended",
    "call_line_dispatched",
    "call_line_beside",
    "handoff_landed",
    "disposition",
    "disposition_marks",
    "seconds_to_on_scene",
    "contact_confirmation",
    "followups",
    "facts",
    "police_guarantees",
    # Issue 11: a caller who feared police or asked for none (the protocol's evaluation.no_police_facts),
    # on a dispatched call: true when no police went, false when a safety line or the rule sent them
    # (police_guarantees says which); empty without such a request or without a dispatch.
    "no_police_honoured",
    "problem",
]


@dataclass
class ExportCount:
    calls: int = 0
    events: int = 0
    problems: int = 0
    """Calls exported with a problem column filled (their protocol was missing or events did not fit)."""


class _Writer:
    def __init__(self, out: IO[str], fmt: str, columns: list[str]):
        self.out = out
        self.fmt = fmt
        self.columns = columns
        self._csv = None
        if fmt == "csv":
            self._csv = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            self._csv.writeheader()

    def write(self, record: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow({k: _cell(v) for k, v in record.items()})
        else:
            self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def export_records(
    rows: Iterable[dict[str, Any]],
    out: IO[str],
    *,
    fmt: str = "jsonl",
    level: str = "events",
    resolver: ProtocolResolver | None = None,
    deidentifier: Deidentifier | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_practice: bool = False,
    now: datetime | None = None,
) -> ExportCount:
    """Write ``rows`` (ordered by call, then sequence) to ``out``; return what was written.

    ``level`` is ``events`` (one record per event) or ``calls`` (one per call, from a replay through
    its protocol). ``fmt`` is ``jsonl`` or ``csv``.
    """
    if fmt not in ("jsonl", "csv") or level not in ("events", "calls"):
        raise ValueError(f"unknown export {fmt}/{level}")
    resolver = resolver or ProtocolResolver()
    writer = _Writer(out, fmt, EVENT_COLUMNS if level == "events" else CALL_COLUMNS)
    count = ExportCount()
    for meta, call_rows in select_calls(rows, since, until, include_practice):
        protocol = None
        if deidentifier is not None or level == "calls":
            try:
                protocol = resolver.for_call(meta)
            except ProtocolNotFound:
                protocol = None
        count.calls += 1
        count.events += len(call_rows)
        if level == "events":
            for row in call_rows:
                if deidentifier is not None:
                    row = deidentifier.row(row, protocol)
                event = json.loads(row["event"]) if isinstance(row["event"], str) else row["event"]
                record = {c: row[c] for c in COLUMNS}
                record["practice"] = bool(record["practice"])
                record["question"] = event.get("question")
                record["value"] = event.get("value")
                record["event"] = event
                writer.write(record)
        else:
            record = _call_record(meta, call_rows, protocol, deidentifier, now)
            count.problems += bool(record["problem"])
            writer.write(record)
    return count


def _call_record(
    meta: CallMeta,
    rows: list[dict[str, Any]],
    protocol,
    deidentifier: Deidentifier | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    events = [event_of(r) for r in rows]
    record: dict[str, Any] = dict.fromkeys(CALL_COLUMNS)
    record.update(
        call_id=meta.call_id,
        console_id=meta.console_id,
        call_taker_id=meta.call_taker_id,
        protocol_id=meta.protocol_id,
        protocol_version=meta.protocol_version,
        started_at=events[0].at.isoformat(),
        problem="",
    )
    if protocol is None:
        record["problem"] = f"protocol {meta.protocol_id} {meta.protocol_version} not found"
    else:
        try:
            o = call_outcome(protocol, meta, events, now)
        except SessionError as exc:
            record["problem"] = f"events do not fit the protocol: {exc}"
        else:
            record.update(
                district=o.district,
                door=o.door,
                line=o.line,
                language=o.language,
                band=o.band,
                recommended=o.recommended,
                preferred=o.preferred,
                dispatched=o.dispatched,
                departed=o.departed,
                team=list(o.team),
                notify=list(o.notify),
                fallbacks=[{"from": f, "to": t, "reason": r} for f, t, r in o.fallbacks],
                handoff=o.handoff,
                handoff_outcome=o.handoff_outcome,
                interrupts=o.interrupts,
                seconds_to_recommendation=_seconds(o.seconds_to_recommendation),
                seconds_to_dispatch=_seconds(o.seconds_to_dispatch),
                seconds_total=_seconds(o.seconds_total),
                ended=o.ended,
                call_line_dispatched=o.call_line_dispatched,
                call_line_beside=o.call_line_beside,
                handoff_landed=o.landed,
                disposition=o.disposition,
                disposition_marks=list(o.disposition_marks),
                seconds_to_on_scene=_seconds(o.seconds_to_on_scene),
                contact_confirmation=o.contact,
                followups=[{"rule": r, "status": st} for r, st in o.followups],
                facts=list(o.facts),
                police_guarantees=list(o.police_guarantees),
                no_police_honoured=no_police_honoured(o, roles_from_protocol(protocol)),
            )
    if deidentifier is not None:
        # A fallback's reason is what the call-taker typed when marking a team unavailable.
        record["fallbacks"] = [{**f, "reason": REMOVED if f["reason"] else ""} for f in record["fallbacks"] or []]
        record["call_id"] = deidentifier.pseudonym("call", meta.call_id)
        record["call_taker_id"] = deidentifier.pseudonym("taker", meta.call_taker_id)
        record["started_at"] = hour(events[0].at).isoformat()
    return record


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
