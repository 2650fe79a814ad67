"""The assessment of a call: its walk explained, its risk, its recommendation. Pure.

The walk itself (asking order, doors, conditions, answers, points, facts, derived facts, band,
overrides, suicide level) is written once, in :mod:`.compiled_walk`, and compiled once per
protocol in four forms that share every block: :func:`evaluate` runs the explaining form
(everything the console shows, with every contribution, source and reason), :func:`next_question`
the form that stops at the next question to ask, :func:`decide_state` the decision-only form
(summaries at scale, benchmarks) and :func:`outcome_state` the form that reports only what replay
writes (the answers dropped, whether a required question is still to ask). What is the same for every call of a protocol (defaults, the compiled
walks) is worked out once per protocol and kept with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED, UNANSWERED_NUMBER
from ..protocol.models import localized
from .assessment import (
    AppliedOverride,
    AskedQuestion,
    Assessment,
    Contribution,
    DroppedAnswer,
    FallbackStep,
    GuaranteeApplied,
    RiskAssessment,
)
from .compiled_refresh import POINTS_RANK, build_mask, build_refresh
from .compiled_walk import Mode, build_walk
from .recommend import choice_plan, choose, deciding_values, notified, recommend
from .state import CallSetting, CallState


class Decision(NamedTuple):
    """Only what was decided: the model sent, its team, the band and the score (see :func:`decide_state`)."""

    model: str
    team: tuple[str, ...]
    band: str
    score: int
    preferred_model: str = ""
    """What the rule chose, before availability and guarantees."""
    fallback: bool = False
    """True when a fallback step was taken (as ``Recommendation.fallbacks`` is not empty)."""


class _Plan:
    """Everything about a protocol the walk needs that does not change from call to call."""

    def __init__(self, protocol: Protocol):
        self.protocol = protocol
        ns: dict[str, Any] = {ANSWERED: frozenset()}
        for question in protocol.questions:
            ns[question.id] = {"multi": frozenset(), "number": UNANSWERED_NUMBER}.get(question.type)
        for fact in protocol.facts:
            ns[fact] = False
        ns.update(band=protocol.bands[0].id, band_rank=0, score=0, suicide_level="none")
        self.defaults = ns
        self.refresh = build_refresh(protocol)
        self.choice = choice_plan(protocol)
        self.interrupt_fact = {i.id: i.fact for i in protocol.document.interrupts}
        self.door_caller = {d.id: d.caller for d in protocol.document.doors}
        self.zone = ZoneInfo(protocol.document.protocol.timezone)
        self.question_ids = tuple(q.id for q in protocol.questions)
        self.required = tuple(bool(q.spec.required) for q in protocol.questions)
        self.level_ids = frozenset(level.id for level, _ in protocol.screen_levels)
        self.sorted_facts = tuple(sorted(protocol.facts))
        self.fact_values = _values_of(self.sorted_facts)
        self.referral_rules = (
            build_mask([rule.when for rule in protocol.referral_rules], "<referral rules>")
            if protocol.referral_rules
            else None
        )
        """``referral_rules(ns)``: which referral rules hold (a bit each), tested as the walk finishes."""
        block = protocol.document.referrals
        self.age_question = block.age_question if block is not None else None
        self.referral_keys: dict[tuple[int, str | None, str, Any], tuple[int, str | None, str, Any]] = {}
        """One key object per referral key seen (see :func:`referral_key`), bounded."""
        self._walks: dict[Mode, Callable[..., int]] = {}
        self.decide: Callable[..., int] | None = None
        """The decision-only walk, kept in an attribute of its own: it is read on every call of a replay."""
        self.outcome: Callable[..., tuple[int, bool]] | None = None
        """The walk that gives what replay writes (``Mode.OUTCOME``), likewise."""

    def walk(self, mode: Mode) -> Callable[..., int]:
        """The walk compiled for ``mode`` (see :mod:`.compiled_walk`), built on first use."""
        walk = self._walks.get(mode)
        if walk is None:
            walk = self._walks[mode] = build_walk(self.protocol, mode, self.refresh)
            if mode is Mode.DECIDE:
                self.decide = walk
            elif mode is Mode.OUTCOME:
                self.outcome = walk  # type: ignore[assignment]  # this form returns (score, pending)
        return walk


def _values_of(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``values(ns)``: each name's value in ``ns``, in order, read at C speed (an itemgetter of
    several names; one of a single name would give the bare value, not a tuple)."""
    if len(names) > 1:
        values: Callable[[dict[str, Any]], tuple[Any, ...]] = itemgetter(*names)
        return values
    return lambda ns: tuple([ns[name] for name in names])


def _plan(protocol: Protocol) -> _Plan:
    plan: _Plan = protocol.derived("engine.plan", _Plan)
    return plan


def referral_rule_mask(protocol: Protocol) -> Callable[[Mapping[str, Any]], int] | None:
    """``mask(ns)``: which of the protocol's referral rules hold in a walk's namespace (bit ``i``: rule
    ``i``), the test :func:`evaluate` runs as the walk finishes; None when the protocol has none."""
    return _plan(protocol).referral_rules


def referral_key_of(
    protocol: Protocol, state: CallState, ns: Mapping[str, Any]
) -> tuple[tuple[int, str | None, str, Any], int]:
    """(:attr:`Assessment.referral_key`, :attr:`Assessment.referral_minute`) for a call whose walk ended
    with the namespace ``ns``."""
    plan = _plan(protocol)
    return referral_key(plan, state, ns), _minute_of_week(_local(plan, state))


def defaults(protocol: Protocol) -> dict[str, Any]:
    """The namespace before anything is known (shared: copy it before changing it)."""
    return _plan(protocol).defaults


def local_hour(protocol: Protocol, when: datetime) -> float:
    """The hour of day (with minutes as a fraction) in the protocol's time zone."""
    local = when.astimezone(_plan(protocol).zone) if when.tzinfo else when
    return local.hour + local.minute / 60


def _local(plan: _Plan, state: CallSetting) -> datetime:
    """The call's time on the protocol's clock (a time without a zone is taken as already local)."""
    return state.now.astimezone(plan.zone) if state.now.tzinfo else state.now


def _minute_of_week(local: datetime) -> int:
    """Minutes since Monday 00:00 of ``local``'s week, wall-clock (as the directory's hours count them)."""
    return local.weekday() * 1440 + local.hour * 60 + local.minute


def _start(plan: _Plan, state: CallSetting, local: datetime | None = None) -> tuple[dict[str, Any], set[str]]:
    """The namespace at the start of the walk: defaults, the call's context and its interrupts."""
    ns = plan.defaults.copy()
    door = state.door
    ns["door"] = door
    ns["caller"] = plan.door_caller.get(door) if door else None
    ns["line"] = state.line
    ns["district"] = state.district
    ns["language"] = state.language
    if local is None:  # written out, not a call of _local: the decision-only path runs this per call
        local = state.now.astimezone(plan.zone) if state.now.tzinfo else state.now
    ns["hour"] = local.hour + local.minute / 60
    # A set, not the frozenset of the defaults: conditions only test membership (answered(q)).
    answered: set[str] = set()
    ns[ANSWERED] = answered
    for interrupt_id in state.interrupts:
        ns[plan.interrupt_fact[interrupt_id]] = True
    return ns, answered


class _Explained:
    """What the console shows of the walk, gathered from the explaining walk's reports."""

    __slots__ = ("asked", "contributions", "dropped", "next_question", "questions", "sources", "state")

    def __init__(self, plan: _Plan, state: CallState):
        self.questions = plan.protocol.questions
        self.state = state
        self.contributions: list[Contribution] = []
        self.sources: dict[str, list[str]] = {}
        self.asked: list[AskedQuestion] = []
        self.dropped: list[DroppedAnswer] = []
        self.next_question: CompiledQuestion | None = None
        for interrupt_id in state.interrupts:
            self.sources.setdefault(plan.interrupt_fact[interrupt_id], []).append(f"interrupt:{interrupt_id}")

    def unanswered(self, index: int) -> None:
        """A question that applies and has no answer: skipped, or still to ask."""
        question = self.questions[index]
        if question.id in self.state.skipped:
            self.asked.append(AskedQuestion(question, "skipped"))
            return
        if self.next_question is None:
            self.next_question = question
        self.asked.append(AskedQuestion(question, "pending"))

    def took(self, index: int, value: Any, points: int, facts: tuple[str, ...]) -> None:
        """An answer recorded, with the points it added and the facts it set."""
        question = self.questions[index]
        qid = question.id
        if points:
            self.contributions.append(Contribution(question, value, points))
        for fact in facts:
            self.sources.setdefault(fact, []).append(f"question:{qid}")
        state = self.state
        self.asked.append(AskedQuestion(question, "answered", value, points, qid in state.revised, state.language))

    def drop(self, index: int, value: Any) -> None:
        """An answer to a question that does not apply (any more): kept in the record, not counted."""
        self.dropped.append(DroppedAnswer(self.questions[index], value))


def evaluate(protocol: Protocol, state: CallState, *, reasons: bool = True) -> Assessment:
    """The whole assessment of a call: next question, risk, recommendation. Pure.

    ``reasons=False`` leaves out the recommendation's reasons for the console only (see
    :func:`crisis_triage.engine.recommend.recommend`): for replay at scale.
    """
    plan = _plan(protocol)
    local = _local(plan, state)
    ns, answered = _start(plan, state, local)
    walk = _Explained(plan, state)
    score = plan.walk(Mode.EXPLAIN)(ns, state.answers, state.door, answered, walk.unanswered, walk.took, walk.drop)
    asked = walk.asked
    risk = _risk(protocol, ns, score, walk.contributions)
    pending_required = any(a.status == "pending" and a.question.spec.required for a in asked)
    recommendation = recommend(protocol, ns, state, provisional=pending_required, reasons=reasons)
    facts = {f: tuple(walk.sources.get(f, ("derived",))) for f in protocol.facts if ns[f]}
    warnings = _conflicts(protocol, state, answered) if state.interrupts else []
    key = referral_key(plan, state, ns)
    context = {
        "door": state.door,
        "line": state.line,
        "district": state.district,
        "language": state.language,
        "hour": ns["hour"],
    }
    return Assessment(
        walk.next_question,
        tuple(asked),
        tuple(walk.dropped),
        facts,
        risk,
        recommendation,
        tuple(state.interrupts),
        tuple(warnings),
        context,
        ns,  # handed on as a Mapping: no reader changes it (a read-only proxy costs the referral step 15%)
        key,
        _minute_of_week(local) if key[0] else 0,
    )


def referral_key(plan: _Plan, state: CallState, ns: Mapping[str, Any]) -> tuple[int, str | None, str, Any]:
    """What the referral step looks its offers up by (:attr:`Assessment.referral_key`).

    Worked out by :func:`evaluate` as the walk finishes, on the namespace it has just written (still
    in the processor's caches), not later by the referral step on data read back from memory.
    """
    rules = plan.referral_rules
    if rules is None:
        return _NO_REFERRALS
    question = plan.age_question
    key = (
        rules(ns),
        state.district,
        state.language,
        state.answers.get(question) if question is not None else None,
    )
    if not key[0]:  # no rule holds: the referral step reads no further
        return key
    # The same object for the same key, call after call: the referral step's memo then finds it by
    # identity, and reads a handful of shared keys rather than each call's own, long out of cache.
    kept = plan.referral_keys.get(key)
    if kept is None:
        if len(plan.referral_keys) >= REFERRAL_KEYS_LIMIT:
            plan.referral_keys.clear()
        kept = plan.referral_keys[key] = key
    return kept


REFERRAL_KEYS_LIMIT = 4096
"""Referral keys kept (one object each) before starting afresh: a console sees a handful a shift."""

_NO_REFERRALS = (0, None, "", None)
"""The referral key of a protocol without referral rules: none holds."""


def next_question(protocol: Protocol, state: CallState) -> CompiledQuestion | None:
    """The next question to ask (as :attr:`Assessment.next_question`), walking only as far as it.

    A question's condition reads only what comes before it, so the walk stops at the first question
    that applies and has no answer; nothing is explained and nothing is recommended. For callers that
    need only the order (the synthetic call generator, path tools), this is several times cheaper.
    """
    plan = _plan(protocol)
    ns, answered = _start(plan, state)
    index = plan.walk(Mode.NEXT)(ns, state.answers, state.door, answered, state.skipped)
    return protocol.questions[index] if index >= 0 else None


def walk_answers(protocol: Protocol, state: CallSetting) -> dict[str, Any]:
    """The namespace at the end of the walk (what the rules read), without explanations."""
    plan = _plan(protocol)
    ns, answered = _start(plan, state)
    plan.walk(Mode.DECIDE)(ns, state.answers, state.door, answered)
    return ns


def decide_state(protocol: Protocol, state: CallSetting) -> Decision:
    """Only the decision for a call: the same walk as :func:`evaluate`, without explanations."""
    plan = _plan(protocol)
    ns, answered = _start(plan, state)
    score = (plan.decide or plan.walk(Mode.DECIDE))(ns, state.answers, state.door, answered)
    chosen = choose(protocol, ns, state, plan.choice)
    return Decision(
        chosen.model, tuple(chosen.team), ns["band"], score, chosen.rule.spec.recommend, bool(chosen.fallbacks)
    )


class Outcome(NamedTuple):
    """A call's outcome as replay writes it: the recommendation without the reasons only the console
    shows, the risk without its contributions (see :func:`outcome_state`)."""

    model: str
    preferred_model: str
    team: tuple[str, ...]
    notify: tuple[str, ...]
    band: str
    score: int
    suicide_level: str | None
    rule: str
    because: dict[str, str]
    notes: tuple[dict[str, str], ...]
    fallbacks: tuple[FallbackStep, ...]
    guarantees: tuple[GuaranteeApplied, ...]
    deciding_values: tuple[tuple[str, Any], ...]
    facts: tuple[str, ...]
    """The facts that hold, sorted."""
    provisional: bool
    dropped: tuple[str, ...]
    """Questions answered that do not apply, in asking order."""


def outcome_state(protocol: Protocol, state: CallSetting) -> Outcome:
    """What :func:`evaluate` with ``reasons=False`` says of a call with no skipped question, without
    building the explanation (each question's status, contributions, sources): the same walk and
    choice, for replay at scale. The replay tests hold the two to the same results."""
    plan = _plan(protocol)
    ns, answered = _start(plan, state)
    dropped: list[str] = []
    walk: Callable[..., tuple[int, bool]] = plan.outcome or plan.walk(Mode.OUTCOME)  # type: ignore[assignment]
    score, pending = walk(ns, state.answers, state.door, answered, dropped.append)
    choice = choose(protocol, ns, state, plan.choice)
    rule = choice.rule
    spec = rule.spec
    level = ns["suicide_level"]
    # Built positionally (tuple.__new__, not the keyword constructor): this runs once per replayed call.
    return _new_outcome(
        Outcome,
        (
            choice.model,
            spec.recommend,
            tuple(choice.team),
            notified(choice),
            ns["band"],
            score,
            level if level in plan.level_ids else None,
            spec.id,
            spec.because,
            tuple(choice.notes),
            tuple(choice.fallbacks),
            tuple(choice.guarantees),
            deciding_values(rule, ns, plan.choice.deciding_names[choice.index]),
            tuple(compress(plan.sorted_facts, plan.fact_values(ns))),  # the facts that hold, sorted
            pending,
            tuple(dropped),
        ),
    )


_new_outcome = tuple.__new__


def _risk(protocol: Protocol, ns: dict[str, Any], score: int, contributions: list[Contribution]) -> RiskAssessment:
    overrides = tuple(AppliedOverride(o.at_least, o.reason, c.source) for o, c in protocol.overrides if c.evaluate(ns))
    level = next((lv for lv, _ in reversed(protocol.screen_levels) if lv.id == ns["suicide_level"]), None)
    return RiskAssessment(
        score=score,
        band=ns["band"],
        points_band=protocol.band_ids[ns[POINTS_RANK]],
        contributions=tuple(contributions),
        overrides=overrides,
        suicide_level=level.id if level else None,
        suicide_reason=level.reason if level else None,
    )


def _conflicts(protocol: Protocol, state: CallState, answered: set[str]) -> list[str]:
    """An answer that contradicts an interrupt is worth a look; the fact stays true (safety first)."""
    warnings = []
    interrupt_facts = {protocol.interrupts[i].fact: i for i in state.interrupts}
    for question in protocol.questions:
        value = state.answers.get(question.id)
        if value is None or question.id not in answered:
            continue
        for fact, _condition in question.sets:
            if fact in interrupt_facts and value == "no":
                # In the words on screen (labels), never internal ids.
                asked = localized(question.spec.label, "en") if question.spec.label else question.id.replace("_", " ")
                interrupt = localized(protocol.interrupts[interrupt_facts[fact]].label, "en")
                warnings.append(
                    f'"{asked}" was answered no, but the interrupt "{interrupt}" was recorded; '
                    "it stays recorded until the interrupt is withdrawn"
                )
    return warnings
