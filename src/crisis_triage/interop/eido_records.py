"""Stored calls as EIDOs: one JSON line per call, for ``crisis-triage records export --format eido``.

Each call is replayed through the protocol text it was triaged with (found by its sha256), so the
EIDO says what the console said at the time. A call that cannot be replayed is reported on stderr by
the caller and skipped; the others are still written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from ..engine.session import CallSession, SessionError
from ..reporting.protocol_texts import ProtocolNotFound, ProtocolResolver
from ..store.reading import select_calls
from ..store.rows import event_of
from .eido import eido_document


@dataclass(frozen=True)
class Skipped:
    call_id: str
    reason: str


def stored_eidos(
    rows: Iterable[dict[str, Any]], resolver: ProtocolResolver, **selection: Any
) -> Iterator[dict[str, Any] | Skipped]:
    """The EIDO of each call in ``rows`` (``selection``: since, until, include_practice), or why not."""
    for meta, call_rows in select_calls(rows, **selection):
        try:
            protocol = resolver.for_call(meta)
            session = CallSession.replay(protocol, [event_of(r) for r in call_rows])
        except (ProtocolNotFound, SessionError) as exc:
            yield Skipped(meta.call_id, str(exc))
            continue
        yield eido_document(protocol, session, meta.call_id)


def write_eidos(documents: Iterable[dict[str, Any] | Skipped], out: IO[str], problems: IO[str]) -> tuple[int, int]:
    """Write each EIDO as one JSON line to ``out`` and each skipped call to ``problems``: (written, skipped)."""
    written = skipped = 0
    for document in documents:
        if isinstance(document, Skipped):
            problems.write(f"call {document.call_id}: not exported: {document.reason}\n")
            skipped += 1
        else:
            out.write(json.dumps(document, ensure_ascii=False) + "\n")
            written += 1
    return written, skipped
