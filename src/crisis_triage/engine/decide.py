"""Calls given all at once, for many calls: replay at scale, impact estimates, benchmarks.

A call as a dict of answers (the replay-file shape) becomes a checked :class:`CallState` with
:func:`call_state`, exactly the state :func:`crisis_triage.engine.session_from_answers` builds,
without creating an event per answer. :func:`assess` gives its whole :class:`Assessment` (what the
console would show); :func:`decide` only the :class:`Decision` (model, team, band, score), through
the compiled walk (:func:`crisis_triage.engine.evaluate.decide_state`). Input is checked as strictly
as the session checks it, with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.errors import did_you_mean
from .assessment import Assessment
from .evaluate import Decision, decide_state, evaluate
from .session import MAX_TEXT, CallSession, SessionError
from .state import CallState


def _check(value: str | None, known: Iterable[str], what: str) -> None:
    if value is not None and value not in known:
        known = list(known)
        raise SessionError(f'unknown {what} "{value}"{did_you_mean(value, known)}; expected one of {", ".join(known)}')


def call_state(
    protocol: Protocol,
    answers: Mapping[str, Any],
    *,
    at: datetime,
    door: str | None = None,
    line: str | None = None,
    district: str | None = None,
    language: str = "en",
    interrupts: Iterable[str] = (),
    unavailable: Mapping[str, str] | None = None,
) -> CallState:
    """The checked state of a call given all at once; raises :class:`SessionError` on bad input."""
    if door is not None and door not in protocol.doors:
        _check(door, protocol.doors, "door")
    if line is not None and line not in protocol.line_ids:
        _check(line, protocol.line_ids, "line")
    if district is not None and district not in protocol.districts:
        _check(district, protocol.districts, "district")
    _check(language, protocol.languages, "language")
    recorded: dict[str, datetime] = {}
    if unavailable or interrupts:
        for model in unavailable or ():
            _check(model, protocol.models, "response model")
        for interrupt in interrupts:
            _check(interrupt, protocol.interrupts, "interrupt")
            recorded.setdefault(interrupt, at)
    by_id = protocol.question_by_id
    options = _options(protocol)
    normalised: dict[str, Any] = {}
    for qid, value in answers.items():
        accepted = options.get(qid, _NOTHING)
        if type(value) is str:
            if value in accepted and type(accepted) is not dict:  # (a multi answer given as one text: slow path)
                normalised[qid] = value  # the common cases: an option id, or text; already in final form
                continue
        elif type(value) is list and type(accepted) is dict and all(v in accepted for v in value):
            # A multiple choice: the options picked, once each, in the protocol's order (as the session stores it).
            normalised[qid] = tuple(sorted(set(value), key=accepted.__getitem__))
            continue
        question = by_id.get(qid)
        if question is None:
            raise SessionError(f'no question "{qid}"{did_you_mean(qid, by_id)}')
        normalised[qid] = CallSession._normalise(question, value)
    return CallState(
        started_at=at,
        now=at,
        door=door,
        line=line,
        district=district,
        language=language,
        answers=normalised,
        interrupts=recorded,
        unavailable=dict(unavailable or {}),
    )


def decide(protocol: Protocol, answers: Mapping[str, Any], **call: Any) -> Decision:
    """What the engine decides for a call given all at once (keywords as :func:`call_state`)."""
    return decide_state(protocol, call_state(protocol, answers, **call))


def assess(protocol: Protocol, answers: Mapping[str, Any], *, reasons: bool = True, **call: Any) -> Assessment:
    """The whole assessment of a call given all at once (keywords as :func:`call_state`; ``reasons``
    as :func:`crisis_triage.engine.evaluate.evaluate`)."""
    return evaluate(protocol, call_state(protocol, answers, **call), reasons=reasons)


class _AnyText:
    """What a free-text question accepts: any text up to MAX_TEXT characters."""

    __slots__ = ()

    def __contains__(self, value: str) -> bool:
        return len(value) <= MAX_TEXT


_TEXT = _AnyText()
_NOTHING: frozenset[str] = frozenset()


def _options(protocol: Protocol) -> dict[str, Any]:
    """What each question accepts without the slow path, worked out once per protocol: option ids of
    one-answer questions, any text for text questions, option order for multiple choice."""
    return protocol.derived("engine.accepted_answers", _accepted_answers)


def _accepted_answers(protocol: Protocol) -> dict[str, Any]:
    table: dict[str, Any] = {q.id: q.option_ids for q in protocol.questions if q.type in ("yes_no", "choice")}
    table.update((q.id, _TEXT) for q in protocol.questions if q.type == "text")
    table.update((q.id, {o.id: i for i, o in enumerate(q.options)}) for q in protocol.questions if q.type == "multi")
    return table


__all__ = ["Decision", "assess", "call_state", "decide"]
