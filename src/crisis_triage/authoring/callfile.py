"""Read one completed call for export: an events file (JSONL of engine events) or a calls file
(the replay format), rebuilt into a :class:`~crisis_triage.engine.CallSession` by the engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..engine.events import event_from_dict
from ..engine.session import CallSession, SessionError, session_from_answers
from ..protocol.compiled import Protocol
from ..untrusted import INPUT_FAILURES, UntrustedInputError, decode_utf8, describe_failure, load_json, read_bounded


class CallFileError(ValueError):
    """The call cannot be read or does not fit the protocol; the message says where and why."""


def read_call(
    protocol: Protocol,
    path: str | Path,
    call_id: str | None = None,
    on_bad_line: Callable[[str], None] | None = None,
) -> tuple[CallSession, str]:
    """The call in ``path`` as a session, and a label for it (the call id, or the file's name).

    In a calls file (one call per line) a line that cannot be read is passed to ``on_bad_line``
    (``file:line: what is wrong``) and skipped; in an events file every line belongs to the call, so
    a bad line is a :class:`CallFileError` naming it.
    """
    path = Path(path)
    try:
        text = decode_utf8(read_bounded(path, what="call file"), "call file")
    except UntrustedInputError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise CallFileError(f"{where}: {exc.message}") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise CallFileError(f"{path}: the file is empty")
    first_number, first_line = lines[0]
    try:
        first = load_json(first_line)
    except UntrustedInputError as exc:
        first = None
        if not first_line.lstrip().startswith("{") or '"kind"' in first_line:
            raise CallFileError(f"{path}:{first_number}: {exc.message}") from None
    if isinstance(first, dict) and "kind" in first:
        return _from_events(protocol, path, lines), path.stem
    return _from_calls(protocol, path, lines, call_id, on_bad_line or (lambda _message: None))


def _from_events(protocol: Protocol, path: Path, lines: list[tuple[int, str]]) -> CallSession:
    events = []
    for number, line in lines:
        try:
            events.append(event_from_dict(load_json(line)))
        except INPUT_FAILURES as exc:  # pydantic's ValidationError is a ValueError
            raise CallFileError(f"{path}:{number}: not an event: {describe_failure(exc)}") from None
    try:
        return CallSession.replay(protocol, events)
    except SessionError as exc:
        raise CallFileError(f"{path}: the events do not fit the protocol: {exc}") from None
    except INPUT_FAILURES as exc:
        raise CallFileError(f"{path}: the events cannot be replayed: {describe_failure(exc)}") from None


def _from_calls(
    protocol: Protocol,
    path: Path,
    lines: list[tuple[int, str]],
    call_id: str | None,
    on_bad_line: Callable[[str], None],
) -> tuple[CallSession, str]:
    from ..replay.calls import BadLine, default_time, read_line

    for number, line in lines:
        call = read_line(line, number)
        if isinstance(call, BadLine):
            on_bad_line(f"{path}:{call}")
            continue
        if call is None or (call_id is not None and call.id != call_id):
            continue
        try:
            session = session_from_answers(
                protocol,
                call.answers,
                at=call.at or default_time(protocol),
                door=call.door,
                line=call.line,
                district=call.district,
                language=call.language,
                interrupts=call.interrupts,
                unavailable=call.unavailable,
            )
        except SessionError as exc:
            raise CallFileError(f"{path}:{number}: call {call.id} does not fit the protocol: {exc}") from None
        except INPUT_FAILURES as exc:
            raise CallFileError(
                f"{path}:{number}: call {call.id} cannot be replayed: {describe_failure(exc)}"
            ) from None
        return session, call.id
    raise CallFileError(f"{path}: no call with the id {call_id!r}" if call_id else f"{path}: no call found")
