"""Offer referrals on a call: the referral rules that hold, and the services they bring, worked out
once per key and read per event (the services and their order: :mod:`.referral_ranking`).

Cost: the console asks again after every event. The offer depends only on which rules hold, the
district, the language, the age and where the moment falls between two opening or closing times of
the directory (in that stretch of the week no service opens or closes, so the ranking cannot change).
So offers are worked out once per such key and kept with the protocol, per directory (a bounded memo
of a pure function, keyed by the age question's answer as it stands: the age is worked out of it only
on a miss), and the week's stretches once per directory (a table from minute of the week to stretch).
Which rules hold is tested by the walk as it finishes (:func:`crisis_triage.engine.evaluate.referral_key`,
the rules compiled into one function run on the namespace the walk has just written), which records
the lookup's key in :attr:`Assessment.referral_key`; the step per call is then finding the minute's
stretch and reading the memo (``bench/referrals.py`` prints both parts, cold and warm).
"""

from __future__ import annotations

import ast
import math
from array import array
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.conditions import ANSWERED, RANK_SUFFIX
from ..protocol.directory import WEEK, Directory
from ..protocol.referral_models import ReferralRule
from .assessment import Assessment
from .compiled_refresh import build_mask, mask_indexes
from .evaluate import defaults, local_hour, referral_key_of, referral_rule_mask
from .referral_ranking import Age, OfferedReferral, work_out
from .state import CallState

#: Offers kept per directory before the memo starts afresh (a console sees a handful of keys a shift).
MEMO_LIMIT = 4096
#: Directories whose offers a protocol keeps before starting afresh (a console uses one).
BOOKS_LIMIT = 8


class _Plan:
    """What the referral step needs of a protocol, worked out once: the rules compiled into one test
    (which of them hold), the names they read and how to get each, and the memo of offers."""

    def __init__(self, protocol: Protocol):
        self.rules = tuple(rule.spec for rule in protocol.referral_rules)
        # The walk's own test (evaluate runs it as the walk finishes), for assessments without one.
        self.mask = referral_rule_mask(protocol) or build_mask([], "<referral rules>")
        self.books: dict[str, _Book] = {}
        """Per directory (by its digest): its stretches, clock and memo of offers."""
        block = protocol.document.referrals
        self.age_question = block.age_question if block is not None else None
        self.age_bands = dict(block.age_bands) if block is not None else {}
        base = defaults(protocol)
        names = []
        for key in sorted(_keys_read(protocol)):
            if key in protocol.facts:
                names.append((key, "fact", False))
            elif key in protocol.question_by_id:
                names.append((key, "multi" if protocol.question_by_id[key].type == "multi" else "answer", base[key]))
            else:
                names.append((key, key, base.get(key, False)))
        self.names = tuple(names)


class _Book:
    """A directory's offers under one protocol: the directory's week cut at every minute some service
    opens or closes (within one stretch no service opens or closes, so the offers cannot change) and
    the memo of offers, one table per stretch keyed by (fired rules, district, language, age answer):
    the key the walk records (:attr:`Assessment.referral_key`), read as it is.
    ``of_minute[m]`` is the stretch of minute ``m`` of the week; ``starts[s]`` the first minute of
    stretch ``s``; ``memo[s]`` the offers worked out in stretch ``s``; ``size`` how many in all."""

    __slots__ = ("keys", "memo", "of_minute", "size", "starts", "zone")

    def __init__(self, directory: Directory):
        marks = {0}
        for service in directory.services:
            for start, end in service.hours.intervals:
                marks.update((start % WEEK, end % WEEK))
        self.starts = sorted(marks)
        of_minute = array("B" if len(self.starts) <= 256 else "L")
        for stretch, start in enumerate(self.starts):
            end = self.starts[stretch + 1] if stretch + 1 < len(self.starts) else WEEK
            of_minute.extend([stretch] * (end - start))
        # Packed (a byte a minute when the week has at most 256 stretches: 10 KB, not a list's 80 KB of
        # pointers): the lookup reads one entry per call, from memory the walk has just crowded out.
        self.of_minute: Sequence[int] = bytes(of_minute) if of_minute.typecode == "B" else of_minute
        self.zone = directory.zone
        self.memo: list[dict[Any, tuple[OfferedReferral, ...]]] = [{} for _ in self.starts]
        self.size = 0
        self.keys: dict[Any, Any] = {}
        """One object per key the memo holds, whatever the stretch: a hit compares the walk's key with
        one of a few hundred shared tuples (kept warm by use), not with whichever call's came first."""

    def stretch(self, at: datetime) -> int:
        """The stretch of the week ``at`` falls in, on the directory's clock (naive: already local)."""
        local = at.astimezone(self.zone) if at.tzinfo else at
        return self.of_minute[local.weekday() * 1440 + local.hour * 60 + local.minute]


def _plan(protocol: Protocol) -> _Plan:
    plan: _Plan = protocol.derived("engine.referrals.plan", _Plan)
    return plan


def offer_referrals(
    protocol: Protocol,
    directory: Directory,
    names: Mapping[str, Any],
    *,
    district: str | None,
    language: str,
    at: datetime,
    age: Age = None,
) -> tuple[OfferedReferral, ...]:
    """The services to offer for a call whose condition names hold ``names``, at ``at``, ranked."""
    plan = _plan(protocol)
    fired = plan.mask(names)
    if not fired:
        return ()
    book = _book(plan, directory)
    stretch = book.stretch(at)
    key = (fired, district, language, ("age", age))
    offers = book.memo[stretch].get(key)
    if offers is None:
        offers = _remember(plan, protocol, directory, book, key, fired, district, language, age, stretch)
    return offers


def _book(plan: _Plan, directory: Directory) -> _Book:
    book = plan.books.get(directory.sha256)
    if book is None:
        if len(plan.books) >= BOOKS_LIMIT:
            plan.books.clear()
        book = plan.books[directory.sha256] = _Book(directory)
    return book


def _remember(
    plan: _Plan,
    protocol: Protocol,
    directory: Directory,
    book: _Book,
    key: Any,
    fired: int,
    district: str | None,
    language: str,
    age: Age,
    stretch: int,
) -> tuple[OfferedReferral, ...]:
    """Work the offers out for a key the memo lacks (in stretch ``stretch`` of the week), and keep them."""
    block = protocol.document.referrals
    if block is None:  # rules fired, so the protocol has a referrals block
        return ()
    if book.size >= MEMO_LIMIT:
        for table in book.memo:
            table.clear()
        book.keys.clear()
        book.size = 0
    book.size += 1
    key = book.keys.setdefault(key, key)
    offers = book.memo[stretch][key] = work_out(
        tuple(plan.rules[i] for i in mask_indexes(fired)),
        directory,
        district,
        language,
        age,
        book.starts[stretch],
        block.per_kind,
        block.most,
    )
    return offers


def referral_kinds(protocol: Protocol, names: Mapping[str, Any]) -> list[tuple[ReferralRule, str, str]]:
    """(rule, kind, to whom) for every kind the rules that hold offer, in rule order."""
    return [
        (rule.spec, kind, rule.spec.to)
        for rule in protocol.referral_rules
        if rule.when is None or rule.when.test(names)
        for kind in rule.spec.offer
    ]


def _keys_read(protocol: Protocol) -> frozenset[str]:
    """The namespace keys the referral conditions read (from their checked trees)."""
    keys: set[str] = set()
    for rule in protocol.referral_rules:
        if rule.when is None:
            continue
        for node in ast.walk(rule.when.tree()):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                keys.add(node.slice.value)
    return frozenset(keys)


def referral_names(protocol: Protocol, state: CallState, assessment: Assessment) -> dict[str, Any]:
    """The names the referral conditions read, as the engine's walk had them at the end of the assessment."""
    plan = _plan(protocol)
    names: dict[str, Any] = {}
    facts = assessment.facts
    answers = state.answers
    dropped = {d.question.id for d in assessment.dropped} if assessment.dropped else ()
    for key, how, default in plan.names:
        if how == "fact":
            names[key] = key in facts
        elif how in ("answer", "multi"):
            value = answers.get(key)
            if value is None or key in dropped or key in state.skipped:
                names[key] = default
            else:
                names[key] = frozenset(value) if how == "multi" else value
        elif how == "band":
            names[key] = assessment.risk.band
        elif how == "band" + RANK_SUFFIX:
            names[key] = protocol.band_ids.index(assessment.risk.band)
        elif how == "score":
            names[key] = assessment.risk.score
        elif how == "suicide_level":
            names[key] = assessment.risk.suicide_level or "none"
        elif how == "caller":
            door = protocol.doors.get(state.door) if state.door else None
            names[key] = door.caller if door else None
        elif how == "hour":
            names[key] = local_hour(protocol, state.now)
        elif how == ANSWERED:
            names[key] = {a.question.id for a in assessment.asked if a.status == "answered"}
        elif how in ("door", "line", "district", "language"):
            names[key] = getattr(state, key)
        else:
            names[key] = default
    return names


def _age(plan: _Plan, answer: Any) -> Age:
    """The person's age from the age question's answer (a number, or a choice the age bands name)."""
    if isinstance(answer, (int, float)) and not math.isnan(answer):
        return float(answer)
    if isinstance(answer, str) and answer in plan.age_bands:
        low, high = plan.age_bands[answer]
        return (float(low), float(high))
    return None


#: A call's referrals as it stands: ``step(state, assessment)``.
ReferralStep = Callable[[CallState, Assessment], tuple[OfferedReferral, ...]]


def referral_step(protocol: Protocol, directory: Directory) -> ReferralStep:
    """The referral step prepared for one protocol and directory (its rules' plan and the directory's
    book looked up once): what :func:`referrals_for_call` runs, for a caller that asks on every event."""
    plan = _plan(protocol)
    book = _book(plan, directory)
    has_rules = bool(protocol.referral_rules)
    zone = book.zone
    # The walk records the minute of the week on the protocol's clock: the directory's stretches read
    # it as it is when the two clocks are one (as in every shipped pair), else from the call's time.
    same_clock = getattr(zone, "key", None) == protocol.document.protocol.timezone
    of_minute = book.of_minute
    memo = book.memo

    def step(state: CallState, assessment: Assessment) -> tuple[OfferedReferral, ...]:
        key = assessment.referral_key  # recorded by the walk as it finished (see evaluate)
        minute = assessment.referral_minute
        if key is None:  # an assessment built by hand: gathered from its parts
            if not has_rules:
                return ()
            names = assessment.names or referral_names(protocol, state, assessment)
            key, minute = referral_key_of(protocol, state, names)
        fired = key[0]
        if not fired:
            return ()
        if not same_clock:
            at = state.now
            local = at.astimezone(zone) if at.tzinfo else at
            minute = local.weekday() * 1440 + local.hour * 60 + local.minute
        stretch = of_minute[minute]
        offers = memo[stretch].get(key)
        if offers is None:
            _, district, language, answer = key
            age = _age(plan, answer)
            offers = _remember(plan, protocol, directory, book, key, fired, district, language, age, stretch)
        return offers

    return step


_last_step: tuple[Protocol | None, Directory | None, ReferralStep | None] = (None, None, None)
"""The step last prepared, with its protocol and directory: a console asks for the same pair on every
event (one pair kept alive, as the console keeps it anyway)."""

# The last pair's step written out for :func:`referrals_for_call` to run in place (no call of the
# step, no unpacking of a tuple): the protocol and directory it holds for (None: none yet, or their
# clocks differ and the step works the minute out of the call's time), the stretches of the week
# and the memo of the directory's book. Set with ``_last_step``, by :func:`_prepare`.
_fast_protocol: Protocol | None = None
_fast_directory: Directory | None = None
_fast_of_minute: Sequence[int] = b""
_fast_memo: list[dict[Any, tuple[OfferedReferral, ...]]] = []


def referrals_for_call(
    protocol: Protocol, directory: Directory, state: CallState, assessment: Assessment
) -> tuple[OfferedReferral, ...]:
    """The referrals to offer on a call as it stands (at the time of its latest event).

    The console asks after every event. The walk has already tested the referral rules as it finished
    (:attr:`Assessment.referral_key`); what is left is the minute's stretch of the week and one memo
    lookup keyed by the rules that hold, the district, the language, the age question's answer as it
    stands (the age is worked out of it only when the offers are), in the stretch's table.
    """
    if protocol is _fast_protocol and directory is _fast_directory:
        # The step for the pair last asked, in place, when the walk recorded the key (else ``key[0]``
        # raises TypeError) and the memo has its offers (else KeyError): a try costs nothing until
        # it raises, and a subscript is cheaper than ``get``. Anything else is the step's to do.
        try:
            key: Any = assessment.referral_key  # None when not recorded: key[0] raises TypeError
            if not key[0]:
                return ()
            return _fast_memo[_fast_of_minute[assessment.referral_minute]][key]
        except (KeyError, TypeError):
            pass
    return _prepare(protocol, directory)(state, assessment)


def _prepare(protocol: Protocol, directory: Directory) -> ReferralStep:
    """The step for ``protocol`` and ``directory``, prepared on the first call for the pair."""
    global _last_step, _fast_protocol, _fast_directory, _fast_of_minute, _fast_memo
    last_protocol, last_directory, step = _last_step
    if step is None or last_protocol is not protocol or last_directory is not directory:
        step = referral_step(protocol, directory)
        _last_step = (protocol, directory, step)
        book = _book(_plan(protocol), directory)
        same_clock = getattr(book.zone, "key", None) == protocol.document.protocol.timezone
        _fast_protocol, _fast_directory = (protocol, directory) if same_clock else (None, None)
        _fast_of_minute, _fast_memo = book.of_minute, book.memo
    return step


__all__ = [
    "OfferedReferral",
    "ReferralStep",
    "offer_referrals",
    "referral_kinds",
    "referral_names",
    "referral_step",
    "referrals_for_call",
]
