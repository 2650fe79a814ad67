"""Replay spread over processes: a calls file cut into chunks of lines, each chunk replayed whole by
one of N worker processes, the chunks' results handed back in input order.

A chunk is replayed by :func:`replay_chunk` whether there is one job or many (one job runs it in
this process), so the output does not depend on the number of jobs. At most a few chunks per job
are in flight at once, so memory stays flat however long the input is.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.loader import load_protocol
from ..untrusted import bounded_lines
from .calls import BadLine, Summary, replay_lines

CHUNK_LINES = 1000
"""Lines per chunk: large enough that handing a chunk to a process costs little beside replaying it."""
IN_FLIGHT_PER_JOB = 2
"""Chunks handed out per job and not yet written: enough to keep every process busy, and no more."""


#: What ``json.dumps(result, ensure_ascii=False)`` writes, with the encoder built once, not per line
#: (and no check for cycles: a result is plain data built fresh for each call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _line_encoder() -> Callable[[dict[str, Any]], str]:
    """``_ENCODER.encode``, with its C encoder built once: ``JSONEncoder.encode`` builds one (and a
    closure) for every value it is given, a tenth of encoding a result. The same C encoder with the
    same settings as ``encode`` passes it; the plain ``encode`` where this Python has none, or its
    C encoder takes other settings (tests/replay/test_jobs.py holds the two to the same text)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - a Python without the C accelerator
        return _ENCODER.encode
    e = _ENCODER
    try:
        encode = make(
            None, e.default, json.encoder.encode_basestring, None, e.key_separator, e.item_separator, False, False, True
        )
    except TypeError:  # pragma: no cover - another Python's C encoder
        return _ENCODER.encode
    join = "".join
    return lambda result: join(encode(result, 0))


_encode = _line_encoder()


@dataclass
class ChunkResult:
    """What replaying one chunk gave: the JSON lines to write, the bad lines, the chunk's counts."""

    output: str
    """One JSON line per call, in input order (empty when only the summary is wanted)."""
    bad_lines: list[BadLine] = field(default_factory=list)
    """Lines that could not be used, numbered as in the whole file."""
    summary: Summary = field(default_factory=Summary)


def default_jobs() -> int:
    """The machine's cores (those this process may run on)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def replay_chunk(
    protocol: Protocol,
    first_line: int,
    lines: Iterable[str | bytes],
    at: datetime | None = None,
    *,
    decision_only: bool = False,
    write: bool = True,
) -> ChunkResult:
    """Replay a chunk whose first line is line ``first_line`` of the file."""
    summary = Summary()
    bad: list[BadLine] = []
    written: list[str] = []
    for result in replay_lines(protocol, lines, at, decision_only=decision_only):
        if isinstance(result, BadLine):
            bad.append(BadLine(result.line + first_line - 1, result.message))
            summary.bad_lines += 1
            continue
        summary.add(result)
        if write:
            written.append(_encode(result))
    return ChunkResult("\n".join(written) + "\n" if written else "", bad, summary)


def _chunks(lines: Iterable[str | bytes], size: int) -> Iterator[tuple[int, list[str | bytes]]]:
    """(number of the chunk's first line, its lines); an open file is read with each line bounded."""
    iterator = bounded_lines(lines) if hasattr(lines, "readline") else iter(lines)
    first = 1
    while chunk := list(islice(iterator, size)):
        yield first, chunk
        first += len(chunk)


# -- the worker processes ---------------------------------------------------------------------------
_worker_protocol: Protocol | None = None
"""The protocol a worker replays with: inherited when the process is forked, else loaded by file."""


def _start_worker(file: str, sha256: str) -> None:
    global _worker_protocol
    if _worker_protocol is None or _worker_protocol.sha256 != sha256:
        _worker_protocol = load_protocol(file)
        if _worker_protocol.sha256 != sha256:
            raise RuntimeError(f"{file} changed while the replay was starting")


def _replay_in_worker(
    first_line: int, lines: list[str | bytes], at: datetime | None, decision_only: bool, write: bool
) -> ChunkResult:
    assert _worker_protocol is not None, "the worker was started without a protocol"
    return replay_chunk(_worker_protocol, first_line, lines, at, decision_only=decision_only, write=write)


def replay_in_chunks(
    protocol: Protocol,
    lines: Iterable[str | bytes],
    at: datetime | None = None,
    *,
    jobs: int = 1,
    decision_only: bool = False,
    write: bool = True,
    chunk_lines: int = CHUNK_LINES,
) -> Iterator[ChunkResult]:
    """Replay every line, with ``jobs`` processes; yield each chunk's result in input order.

    The processes start only once there is more than one chunk: a small file is replayed here.
    """
    chunks = _chunks(lines, chunk_lines)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None)
    if jobs <= 1 or second is None:
        for first_line, chunk in (first,) if second is None else _chain(first, second, chunks):
            yield replay_chunk(protocol, first_line, chunk, at, decision_only=decision_only, write=write)
        return
    global _worker_protocol
    _worker_protocol = protocol  # a forked worker inherits it instead of loading the file again
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with context.Pool(jobs, initializer=_start_worker, initargs=(protocol.file, protocol.sha256)) as pool:
        pending: deque[AsyncResult[ChunkResult]] = deque()
        for first_line, chunk in _chain(first, second, chunks):
            pending.append(pool.apply_async(_replay_in_worker, (first_line, chunk, at, decision_only, write)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _chain(
    first: tuple[int, list[str | bytes]],
    second: tuple[int, list[str | bytes]],
    rest: Iterator[tuple[int, list[str | bytes]]],
) -> Iterator[tuple[int, list[str | bytes]]]:
    yield first
    yield second
    yield from rest
