"""Read one completed call for export: an events file (JSONL of engine events) or a calls file
(the replay format), rebuilt into a :class:`~crisis_triage.engine.CallSession` by the engine."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from ..engine.events import event_from_dict
from ..engine.session import CallSession, SessionError, session_from_answers
from ..protocol.compiled import Protocol


class CallFileError(ValueError):
    """The call cannot be read or does not fit the protocol; the message says where and why."""


def read_call(protocol: Protocol, path: str | Path, call_id: str | None = None) -> tuple[CallSession, str]:
    """The call in ``path`` as a session, and a label for it (the call id, or the file's name)."""
    path = Path(path)
    try:
        lines = [
            (n, line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if line.strip()
        ]
    except (OSError, UnicodeDecodeError) as exc:
        raise CallFileError(f"{path}: cannot read the file: {exc}") from None
    if not lines:
        raise CallFileError(f"{path}: the file is empty")
    parsed = []
    for number, line in lines:
        try:
            parsed.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise CallFileError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
    first = parsed[0][1]
    if isinstance(first, dict) and "kind" in first:
        return _from_events(protocol, path, parsed), path.stem
    return _from_calls(protocol, path, parsed, call_id)


def _from_events(protocol: Protocol, path: Path, parsed: list) -> CallSession:
    events = []
    for number, data in parsed:
        try:
            events.append(event_from_dict(data))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise CallFileError(
                f"{path}:{number}: not an event: {'.'.join(map(str, first['loc']))}: {first['msg']}"
            ) from None
    try:
        return CallSession.replay(protocol, events)
    except SessionError as exc:
        raise CallFileError(f"{path}: the events do not fit the protocol: {exc}") from None


def _from_calls(protocol: Protocol, path: Path, parsed: list, call_id: str | None) -> tuple[CallSession, str]:
    from ..replay.calls import CallRecord, default_time

    for number, data in parsed:
        if not isinstance(data, dict) or (call_id is not None and data.get("id") != call_id):
            continue
        try:
            call = CallRecord.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise CallFileError(
                f"{path}:{number}: not a call: {'.'.join(map(str, first['loc']))}: {first['msg']}"
            ) from None
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
        return session, call.id
    raise CallFileError(f"{path}: no call with the id {call_id!r}" if call_id else f"{path}: no call found")
