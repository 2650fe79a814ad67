"""Calls given all at once, for many calls: replay at scale, impact estimates, benchmarks.

A call as a dict of answers (the replay-file shape) becomes a checked :class:`CallState` with
:func:`call_state`, exactly the state :func:`crisis_triage.engine.session_from_answers` builds,
without creating an event per answer. :func:`assess` gives its whole :class:`Assessment` (what the
console would show); :func:`decide` only the :class:`Decision` (model, team, band, score), through
the compiled walk (:func:`crisis_triage.engine.evaluate.decide_state`); :func:`outcome` what replay
writes (the assessment's results without its explanation). Input is checked as strictly
as the session checks it, with the same messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from ..protocol.compiled import Protocol
from ..protocol.errors import did_you_mean
from ..protocol.models import is_language_tag
from .assessment import Assessment
from .evaluate import Decision, Outcome, decide_state, evaluate, outcome_state
from .session import MAX_TEXT, CallSession, SessionError
from .state import CallState


def _check(value: str | None, known: Iterable[str], what: str) -> None:
    if value is not None and value not in known:
        names = list(known)
        raise SessionError(f'unknown {what} "{value}"{did_you_mean(value, names)}; expected one of {", ".join(names)}')


class CheckedCall(NamedTuple):
    """A call given all at once, checked: what the walk and the decision read of it (the
    :class:`CallSetting` of :func:`decide`, lighter to build than a :class:`CallState`)."""

    now: datetime
    door: str | None
    line: str | None
    district: str | None
    language: str
    answers: dict[str, Any]
    """Answers in the form the session stores them (multiple choice: a tuple in option order)."""
    interrupts: dict[str, datetime]
    unavailable: dict[str, str]


def check_call(
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
) -> CheckedCall:
    """A call given all at once, checked as strictly as the session checks it; raises :class:`SessionError`."""
    if door is not None and door not in protocol.doors:
        _check(door, protocol.doors, "door")
    if line is not None and line not in protocol.line_ids:
        _check(line, protocol.line_ids, "line")
    if district is not None and district not in protocol.districts:
        _check(district, protocol.districts, "district")
    options = _options(protocol)
    # Any BCP 47 tag is a caller's language (an interpreter reads the protocol's scripts); the
    # protocol's own languages skip the tag check, the common case.
    if language not in options.languages and not is_language_tag(language):
        raise SessionError(f'"{language}" is not a language tag such as en, es, ht or pt-BR')
    recorded: dict[str, datetime] = {}
    if unavailable or interrupts:
        for model in unavailable or ():
            _check(model, protocol.models, "response model")
        for interrupt in interrupts:
            _check(interrupt, protocol.interrupts, "interrupt")
            recorded.setdefault(interrupt, at)
    single, texts, multi = options.single.get, options.texts, options.multi.get
    nothing = _NOTHING
    # Every answer as given, in its place; the loop replaces those not already in final form.
    normalised: dict[str, Any] = dict(answers)
    for qid, value in answers.items():
        if type(value) is str:
            # The common cases, already in final form: an option id, or text within bounds.
            if value in single(qid, nothing) or (qid in texts and len(value) <= MAX_TEXT):
                continue
        elif type(value) is list:
            order = multi(qid)
            if order is not None:
                picked = set(value)
                if picked <= order.keys():
                    # A multiple choice: the options picked, once each, in the protocol's order (as the session stores it).
                    normalised[qid] = tuple(sorted(picked, key=order.__getitem__))
                    continue
        by_id = protocol.question_by_id
        question = by_id.get(qid)
        if question is None:
            raise SessionError(f'no question "{qid}"{did_you_mean(qid, by_id)}')
        normalised[qid] = CallSession._normalise(question, value)
    return CheckedCall(
        at, door, line, district, language, normalised, recorded, dict(unavailable) if unavailable else {}
    )


def call_state(protocol: Protocol, answers: Mapping[str, Any], **call: Any) -> CallState:
    """The checked state of a call given all at once (keywords as :func:`check_call`); raises
    :class:`SessionError` on bad input."""
    checked = check_call(protocol, answers, **call)
    return CallState(
        started_at=checked.now,
        now=checked.now,
        door=checked.door,
        line=checked.line,
        district=checked.district,
        language=checked.language,
        answers=checked.answers,
        interrupts=checked.interrupts,
        unavailable=checked.unavailable,
    )


def decide(
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
) -> Decision:
    """What the engine decides for a call given all at once (keywords as :func:`check_call`; named
    here, not passed on as ``**call``: a dict built and taken apart again on every call)."""
    checked = check_call(
        protocol,
        answers,
        at=at,
        door=door,
        line=line,
        district=district,
        language=language,
        interrupts=interrupts,
        unavailable=unavailable,
    )
    return decide_state(protocol, checked)


def outcome(protocol: Protocol, answers: Mapping[str, Any], **call: Any) -> Outcome:
    """What replay writes of a call given all at once (keywords as :func:`check_call`): the
    :func:`assess` result with ``reasons=False``, without building the explanation."""
    return outcome_state(protocol, check_call(protocol, answers, **call))


def assess(protocol: Protocol, answers: Mapping[str, Any], *, reasons: bool = True, **call: Any) -> Assessment:
    """The whole assessment of a call given all at once (keywords as :func:`check_call`; ``reasons``
    as :func:`crisis_triage.engine.evaluate.evaluate`)."""
    return evaluate(protocol, call_state(protocol, answers, **call), reasons=reasons)


_NOTHING: frozenset[str] = frozenset()


class _Accepted:
    """What a call given all at once may hold, worked out once per protocol: the option ids of each
    one-answer question, which questions take text, each multiple choice's option order; languages."""

    __slots__ = ("languages", "multi", "single", "texts")

    def __init__(self, protocol: Protocol):
        questions = protocol.questions
        self.single = {q.id: q.option_ids for q in questions if q.type in ("yes_no", "choice")}
        self.texts = frozenset(q.id for q in questions if q.type == "text")
        self.multi = {q.id: {o.id: i for i, o in enumerate(q.options)} for q in questions if q.type == "multi"}
        self.languages = frozenset(protocol.languages)


def _options(protocol: Protocol) -> _Accepted:
    accepted: _Accepted = protocol.derived("engine.accepted_answers", _Accepted)
    return accepted


__all__ = ["CheckedCall", "Decision", "Outcome", "assess", "call_state", "check_call", "decide", "outcome"]
