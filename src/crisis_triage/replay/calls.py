"""Reading a calls file (JSONL, one call per line) and replaying each call through the engine.

A bad line is reported with its line number and skipped; the run goes on. Files are streamed, so
memory stays flat however many calls there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from ..engine.decide import check_call, decide
from ..engine.evaluate import outcome_state
from ..engine.event_base import AnswerValue
from ..engine.session import SessionError
from ..protocol.compiled import Protocol
from ..untrusted import (
    INPUT_FAILURES,
    MAX_LINE_CHARS,
    UntrustedInputError,
    bounded_lines,
    describe_failure,
    load_json,
)
from .after_plan import AfterPlan, check_after_plan, shape_of

#: Years a call's time may fall in: far enough either way for any real record, near enough that
#: moving the time to another zone or adding a call's minutes can never leave the calendar.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


class CallRecord(BaseModel):
    """One call as a replay file holds it."""

    # Mutable defaults by factory: a default written as {} or [] is deep-copied for every call read.
    model_config = ConfigDict(extra="forbid")

    id: str
    door: str | None = None
    line: str | None = None
    district: str | None = None
    language: str = "en"
    at: datetime | None = None
    """When the call was taken; defaults to noon local time (response hours depend on it)."""
    answers: dict[str, AnswerValue] = Field(default_factory=dict)
    """Answers by question id: an option id, a list of option ids, a number or text."""
    interrupts: list[str] = Field(default_factory=list)
    unavailable: dict[str, str] = Field(default_factory=dict)
    """Models unavailable on this call (model id -> reason)."""
    notes: list[str] = Field(default_factory=list)
    """The call-taker's notes (free text; replay ignores them, an import records them)."""
    tags: list[str] = Field(default_factory=list)
    """Free labels (the synthetic generator's presentation, a scenario name); ignored by replay."""
    after: AfterPlan | None = None
    """What happened after the questions (dispatch, response, disposition, follow-ups); ignored by replay."""

    @field_validator("at")
    @classmethod
    def _within_calendar(cls, value: datetime | None) -> datetime | None:
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValueError(f"the year {value.year} is not a year a call was taken ({EARLIEST_YEAR}-{LATEST_YEAR})")
        return value


@dataclass(frozen=True)
class BadLine:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class Summary:
    calls: int = 0
    bad_lines: int = 0
    per_model: dict[str, int] = field(default_factory=dict)
    per_band: dict[str, int] = field(default_factory=dict)
    fallbacks: int = 0
    with_police: int = 0

    def add(self, result: dict[str, Any]) -> None:
        self.calls += 1
        self.per_model[result["model"]] = self.per_model.get(result["model"], 0) + 1
        self.per_band[result["band"]] = self.per_band.get(result["band"], 0) + 1
        self.fallbacks += bool(result["fallback"])
        self.with_police += "police" in result["team"]

    def merge(self, other: Summary) -> None:
        """Add another part's counts (replay split across processes adds up each chunk's)."""
        self.calls += other.calls
        self.bad_lines += other.bad_lines
        for model, n in other.per_model.items():
            self.per_model[model] = self.per_model.get(model, 0) + n
        for band, n in other.per_band.items():
            self.per_band[band] = self.per_band.get(band, 0) + n
        self.fallbacks += other.fallbacks
        self.with_police += other.with_police


def default_time(protocol: Protocol) -> datetime:
    zone = ZoneInfo(protocol.document.protocol.timezone)
    return datetime.combine(datetime(2026, 1, 1).date(), time(12, 0), tzinfo=zone)


class _ReplayedCall(CallRecord):
    """A call as replay reads it when every answer is text or a list (the usual case): the answers
    checked without the per-value hook that turns a JSON true/false into yes/no (no such value is
    here), the after-plan checked but not built (see :func:`read_line`)."""

    answers: dict[str, str | list[str]] = Field(default_factory=dict)  # type: ignore[assignment]  # narrower than CallRecord's, on purpose


#: Checks a whole line's object as :class:`_ReplayedCall` (after-plan included) without building
#: either model; returns the checked dict (times parsed), with only the fields the line gives.
_check_replayed = TypeAdapter(shape_of(_ReplayedCall)).validate_python


def parse_lines(
    lines: Iterable[str | bytes], *, build_after: bool = True
) -> Iterator[tuple[int, CallRecord | BadLine]]:
    """Each non-blank line as (line number, CallRecord), or (line number, BadLine) when unusable.

    Lines may be bytes (a file opened in binary): a line that is not UTF-8 is a bad line, not the end
    of the run. Every line goes through the bounded JSON reader (:mod:`crisis_triage.untrusted`):
    whatever a line holds (huge numbers, deep nesting, lone surrogates, duplicate keys, values of the
    wrong type), it becomes a BadLine with its number and the lines after it are still read.
    An open file is read line by line with a bound on each line's length. ``build_after`` as
    :func:`read_line`.
    """
    if hasattr(lines, "readline"):
        lines = bounded_lines(lines)
    for number, text in enumerate(lines, start=1):
        item = read_line(text, number, build_after=build_after)
        if item is not None:
            yield number, item


def read_line(text: str | bytes, number: int, *, build_after: bool = True) -> CallRecord | BadLine | None:
    """One line of a calls file as a CallRecord, a BadLine saying what is wrong, or None when blank.

    Without ``build_after`` (replay, which ignores what happened after a call) the call's after-plan
    is checked as strictly but not built: the record's ``after`` is None. Every line it refuses, it
    refuses with the same message either way (a line that fails the quick check is read again the
    full way, for the full way's message).
    """
    data = _load_line(text, number)
    if not isinstance(data, dict):
        return data
    return _read_record(data, number, build_after)


def _load_line(text: str | bytes, number: int) -> dict[str, Any] | BadLine | None:
    """The JSON object a line holds (read by the bounded reader), a BadLine, or None when blank."""
    if len(text) > MAX_LINE_CHARS:
        return BadLine(number, f"the line is {len(text):,} characters long; the limit is {MAX_LINE_CHARS:,}")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return BadLine(number, f"not UTF-8 text (byte {exc.start + 1} of the line)")
    if not text.strip():
        return None
    try:
        data = load_json(text)
    except UntrustedInputError as exc:
        return BadLine(number, exc.message)
    except INPUT_FAILURES as exc:
        return BadLine(number, describe_failure(exc))
    if not isinstance(data, dict):
        return BadLine(number, "expected a JSON object with id, door, district, answers ...")
    return data


def _read_record(data: dict[str, Any], number: int, build_after: bool) -> CallRecord | BadLine:
    try:
        if not build_after:
            quick = _read_quickly(data)
            if quick is not None:
                return quick
        return CallRecord.model_validate(data)
    except UntrustedInputError as exc:
        return BadLine(number, exc.message)
    except INPUT_FAILURES as exc:  # pydantic's ValidationError is a ValueError
        return BadLine(number, describe_failure(exc))


class ReplayedCall(NamedTuple):
    """What replay reads of a call (a :class:`CallRecord`'s fields that the engine takes), read from
    a line checked as strictly as a CallRecord, without building the record (see :func:`read_for_replay`)."""

    id: str
    door: str | None
    line: str | None
    district: str | None
    language: str
    at: datetime | None
    answers: dict[str, str | list[str]]
    interrupts: list[str]
    unavailable: dict[str, str]


def read_for_replay(text: str | bytes, number: int) -> ReplayedCall | CallRecord | BadLine | None:
    """One line as replay reads it: :func:`read_line` without ``build_after``, but in the usual case
    (every answer text or a list) the whole line, after-plan included, is checked in one pass as
    plain dicts against the shape of :class:`CallRecord` (its fields, constraints, validators and
    ``extra="forbid"``; see :func:`~crisis_triage.replay.after_plan.shape_of`) and no model is
    built. A line the check refuses is read the :func:`read_line` way, for its message (a property
    test holds the two readings to the same calls and the same refusals)."""
    data = _load_line(text, number)
    if not isinstance(data, dict):
        return data
    # No look at the answers first: a number or true/false (which the full reading converts) is not
    # text or a list of text, so the check refuses it and the full reading decides.
    try:
        call = _check_replayed(data)
    except INPUT_FAILURES:
        return _read_record(data, number, False)
    get = call.get
    return ReplayedCall(
        call["id"],
        get("door"),
        get("line"),
        get("district"),
        get("language", "en"),
        get("at"),
        get("answers") or {},
        get("interrupts") or [],
        get("unavailable") or {},
    )


_TEXT_OR_LIST = {str, list}


def _read_quickly(data: dict[str, Any]) -> CallRecord | None:
    """The call without building its after-plan, or None when the full reading must decide."""
    answers = data.get("answers")
    if answers is not None and (type(answers) is not dict or not {type(v) for v in answers.values()} <= _TEXT_OR_LIST):
        return None  # numbers, true/false, other shapes: the full reading converts or refuses them
    rest = dict(data)
    after = rest.pop("after", None)
    try:
        if after is not None:
            check_after_plan(after)
        return _ReplayedCall.model_validate(rest)
    except INPUT_FAILURES:
        return None


def _call_context(protocol: Protocol, call: CallRecord | ReplayedCall, at: datetime | None) -> dict[str, Any]:
    """The call's setting as keyword arguments of the engine's ``assess`` and ``decide``."""
    return {
        "at": call.at or at or default_time(protocol),
        "door": call.door,
        "line": call.line,
        "district": call.district,
        "language": call.language,
        "interrupts": call.interrupts,
        "unavailable": call.unavailable,
    }


def replay_call(protocol: Protocol, call: CallRecord | ReplayedCall, at: datetime | None = None) -> dict[str, Any]:
    """One call's outcome as a plain dict (the JSON line ``replay`` writes). Raises SessionError."""
    # What assess(reasons=False) says (the same walk and choice, the state a CallSession fed one
    # event per answer would reach), without building the explanation only the console shows.
    # (check_call and outcome_state called as decide.outcome calls them, without its keyword dicts.)
    checked = check_call(
        protocol,
        call.answers,
        at=call.at or at or default_time(protocol),
        door=call.door,
        line=call.line,
        district=call.district,
        language=call.language,
        interrupts=call.interrupts,
        unavailable=call.unavailable,
    )
    result = outcome_state(protocol, checked)
    return {
        "id": call.id,
        "model": result.model,
        "preferred_model": result.preferred_model,
        "team": list(result.team),
        "notify": list(result.notify),
        "band": result.band,
        "score": result.score,
        "suicide_level": result.suicide_level,
        "rule": result.rule,
        # (Each list built only when there is something in it: most calls have none, and a list
        # comprehension is a function call of its own.)
        "fallback": [{"from": f.from_model, "to": f.to_model, "reason": f.reason} for f in result.fallbacks]
        if result.fallbacks
        else [],
        "guarantees": [g.guarantee for g in result.guarantees] if result.guarantees else [],
        "rationale": result.because["en"],
        # The rule's notes carry what the caller asked for (a no-police request honoured, or why not).
        "notes": [note["en"] for note in result.notes] if result.notes else [],
        "deciding": dict(result.deciding_values),
        "facts": list(result.facts),
        "provisional": result.provisional,
        "dropped": list(result.dropped),
    }


def decide_call(protocol: Protocol, call: CallRecord | ReplayedCall, at: datetime | None = None) -> dict[str, Any]:
    """Only the decision for one call (what the summary counts), through the engine's fast path."""
    decision = decide(protocol, call.answers, **_call_context(protocol, call, at))
    return {
        "id": call.id,
        "model": decision.model,
        "preferred_model": decision.preferred_model,
        "team": list(decision.team),
        "band": decision.band,
        "score": decision.score,
        "fallback": decision.fallback,
    }


def replay_lines(
    protocol: Protocol, lines: Iterable[str | bytes], at: datetime | None = None, *, decision_only: bool = False
) -> Iterator[dict[str, Any] | BadLine]:
    """Replay every call; yield its result dict, or a BadLine for a line that could not be used.

    With ``decision_only`` each result holds only the decision (id, model, preferred_model, team,
    band, score, fallback as true/false): several times faster, for summaries of large files.
    """
    replay = decide_call if decision_only else replay_call
    if hasattr(lines, "readline"):
        lines = bounded_lines(lines)
    # Replay ignores what happened after each call: the after-plans are checked, not built.
    for number, text in enumerate(lines, start=1):
        item = read_for_replay(text, number)
        if item is None:
            continue
        if isinstance(item, BadLine):
            yield item
            continue
        try:
            yield replay(protocol, item, at)
        except SessionError as exc:
            yield BadLine(number, f"call {item.id}: {exc}")
        except INPUT_FAILURES as exc:  # a value the engine cannot use: this line is bad, the run goes on
            yield BadLine(number, f"call {item.id}: {describe_failure(exc)}")
