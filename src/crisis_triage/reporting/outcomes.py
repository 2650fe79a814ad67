"""Replaying every recorded call through its protocol, optionally on several worker processes.

With ``jobs > 1`` the calls are sent in chunks to worker processes, each with its own protocol
cache; results come back in call order. Since :func:`call_outcome` skips the evaluations whose
answer is certain, reading and parsing the rows costs about as much as replaying them, so on a
2-core machine one process is as fast (10,000 calls in ~7 s); workers help on bigger machines.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..engine.session import SessionError
from ..store.journal import CallMeta
from ..store.reading import select_calls
from ..store.rows import stored_from_row
from .outcome import CallOutcome, call_outcome
from .protocol_texts import ProtocolNotFound, ProtocolResolver

CHUNK = 200
"""Calls per task sent to a worker: big enough to amortise the hand-over, small enough to balance."""
PARALLEL_FROM = 2000
"""Below this many calls (a rough guess from the first rows) one process is quicker than starting workers."""

_resolver: ProtocolResolver | None = None
_now: datetime | None = None


def _init(candidates: list[str], now: datetime | None = None) -> None:
    global _resolver, _now
    _resolver = ProtocolResolver(candidates)
    _now = now


def outcome_of(
    resolver: ProtocolResolver, meta: CallMeta, rows: list[dict[str, Any]], now: datetime | None = None
) -> CallOutcome | str:
    """One call's outcome (open windows judged at ``now``), or a sentence saying why it could not be replayed."""
    try:
        protocol = resolver.for_call(meta)
        return call_outcome(protocol, meta, [stored_from_row(r).event for r in rows], now)
    except ProtocolNotFound as exc:
        return str(exc)
    except SessionError as exc:
        return f"call {meta.call_id}: its events do not fit protocol {meta.protocol_id} {meta.protocol_version}: {exc}"


def _work(chunk: list[tuple[CallMeta, list[dict[str, Any]]]]) -> list[tuple[CallMeta, CallOutcome | str]]:
    assert _resolver is not None
    return [(meta, outcome_of(_resolver, meta, rows, _now)) for meta, rows in chunk]


def _chunks(calls: Iterable[tuple[CallMeta, list[dict[str, Any]]]]) -> Iterator[list]:
    chunk: list = []
    for call in calls:
        chunk.append(call)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def call_outcomes(
    rows: Iterable[dict[str, Any]],
    candidates: Iterable[str | Path] = (),
    *,
    jobs: int | None = None,
    total_calls: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_practice: bool = False,
    now: datetime | None = None,
) -> Iterator[tuple[CallMeta, CallOutcome | str]]:
    """(meta, outcome or reason) for every call in ``rows`` (ordered by call, then sequence) that
    started in [since, until); practice calls only if asked. ``jobs`` worker processes (default 1)
    are used when ``total_calls`` says the store is large enough to be worth starting them. Contact
    windows and follow-ups still open are judged at ``now`` (default: each call's last event)."""
    candidates = [str(c) for c in candidates]

    def selected() -> Iterator[tuple[CallMeta, list[dict[str, Any]]]]:
        return select_calls(rows, since, until, include_practice)

    jobs = 1 if jobs is None else jobs
    if jobs <= 1 or (total_calls is not None and total_calls < PARALLEL_FROM):
        resolver = ProtocolResolver(candidates)
        for meta, call_rows in selected():
            yield meta, outcome_of(resolver, meta, call_rows, now)
        return
    # fork where available: workers start at once with everything already imported.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs, initializer=_init, initargs=(candidates, now)) as pool:
        for results in pool.imap(_work, _chunks(selected()), chunksize=1):
            yield from results
