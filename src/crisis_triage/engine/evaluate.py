"""Walk the protocol over a call's state: which questions apply, what they establish, the risk.

One pass over the questions in asking order. A question's condition sees the call as it stands
*before* that question (earlier answers, interrupts, the band so far), which is what makes
"ask only when the band is still low" well defined without cycles. Answers to questions that do not
apply are dropped, not counted.

Three entry points: :func:`evaluate` (everything the console shows, with every contribution,
source and reason), :func:`next_question` (the same walk, stopping at the next question to ask) and
:func:`decide_state` (only the decision, for replay at scale and benchmarks: the same steps compiled
into one function by :mod:`.compiled_walk`; tests and bench/engine.py check that they agree). What is
the same for every call of a protocol (defaults, band floors, the compiled functions) is worked out
once per protocol and kept with it.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED, RANK_SUFFIX, UNANSWERED_NUMBER
from . import compiled_walk
from .assessment import AppliedOverride, AskedQuestion, Assessment, Contribution, DroppedAnswer, RiskAssessment
from .recommend import choose, recommend
from .state import CallState

_DERIVED = {"band", "score", "suicide_level", "band" + RANK_SUFFIX}


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
        derived = {f for f, _ in protocol.derived_facts} | _DERIVED
        # One flat row per question with what the walk reads, so the hot loop does no attribute
        # chasing: (question, id, doors, condition function, reads the band or a derived fact,
        # multiple choice, risk points, facts by answer, sets).
        self.rows = tuple(
            (
                q,
                q.id,
                q.doors,
                q.when.test if q.when else None,
                bool(q.when and not q.when.names.isdisjoint(derived)),
                q.type == "multi",
                q.risk or None,
                q.facts_by_answer,
                q.sets,
            )
            for q in protocol.questions
        )
        self.floors = tuple(enumerate(b.min_score for b in protocol.bands))
        #: refresh(ns, score): derived facts, band and suicide level, compiled once (see compiled_walk).
        self.refresh = compiled_walk.build_refresh(protocol)
        self.band_ids = protocol.band_ids
        self.interrupt_fact = {i.id: i.fact for i in protocol.document.interrupts}
        self.door_caller = {d.id: d.caller for d in protocol.document.doors}
        self.zone = ZoneInfo(protocol.document.protocol.timezone)
        self._decision_walk = None

    @property
    def decision_walk(self):
        """The rows compiled into one function (see :mod:`.compiled_walk`), built on first use."""
        if self._decision_walk is None:
            self._decision_walk = compiled_walk.build(self.rows, self.refresh)
        return self._decision_walk


def _plan(protocol: Protocol) -> _Plan:
    return protocol.derived("engine.plan", _Plan)


def defaults(protocol: Protocol) -> dict[str, Any]:
    """The namespace before anything is known (shared: copy it before changing it)."""
    return _plan(protocol).defaults


def local_hour(protocol: Protocol, when) -> float:
    """The hour of day (with minutes as a fraction) in the protocol's time zone."""
    local = when.astimezone(_plan(protocol).zone) if when.tzinfo else when
    return local.hour + local.minute / 60


def _points_rank(plan: _Plan, score: int) -> int:
    rank = 0
    for i, floor in plan.floors:
        if score >= floor:
            rank = i
    return rank


def _refresh(plan: _Plan, ns: dict[str, Any], score: int) -> None:
    """Bring the derived part of the namespace up to date: derived facts, score, band, suicide level."""
    plan.refresh(ns, score)


def _start(plan: _Plan, state: CallState) -> tuple[dict[str, Any], set[str]]:
    """The namespace at the start of the walk: defaults, the call's context and its interrupts."""
    ns = plan.defaults.copy()
    door = state.door
    ns["door"] = door
    ns["caller"] = plan.door_caller.get(door) if door else None
    ns["line"] = state.line
    ns["district"] = state.district
    ns["language"] = state.language
    local = state.now.astimezone(plan.zone) if state.now.tzinfo else state.now
    ns["hour"] = local.hour + local.minute / 60
    # A set, not the frozenset of the defaults: conditions only test membership (answered(q)).
    answered: set[str] = set()
    ns[ANSWERED] = answered
    for interrupt_id in state.interrupts:
        ns[plan.interrupt_fact[interrupt_id]] = True
    return ns, answered


class _Walk:
    """One pass over the questions in order; the namespace grows as answers are recorded.

    With ``explain`` the walk also keeps what the console shows (every question's status, each
    risk contribution, where each fact came from); without it, only what the decision needs.
    """

    __slots__ = ("answered", "asked", "contributions", "dropped", "next_question", "ns", "plan", "score", "sources")

    def __init__(self, protocol: Protocol, state: CallState, explain: bool = True):
        plan = _plan(protocol)
        self.plan = plan
        self.ns, self.answered = _start(plan, state)
        self.contributions: list[Contribution] = []
        self.sources: dict[str, list[str]] = {}
        self.asked: list[AskedQuestion] = []
        self.dropped: list[DroppedAnswer] = []
        self.next_question: CompiledQuestion | None = None
        if explain:
            for interrupt_id in state.interrupts:
                self.sources.setdefault(plan.interrupt_fact[interrupt_id], []).append(f"interrupt:{interrupt_id}")
        self._run(state, explain)

    def _run(self, state: CallState, explain: bool) -> None:
        """Walk every question (``explain``), or only up to the next question to ask (not ``explain``)."""
        plan = self.plan
        ns = self.ns
        answered = self.answered
        answers = state.answers
        door = state.door
        score = 0
        stale = True  # derived facts, band and suicide level need working out again
        for question, qid, doors, when, reads_derived, multi, risk, table, sets in plan.rows:
            value = answers.get(qid, _MISSING)
            if doors is not None and door not in doors:
                applies = False
            elif when is None:
                applies = True
            else:
                if stale and reads_derived:
                    _refresh(plan, ns, score)
                    stale = False
                applies = bool(when(ns))
            if not applies:
                if explain and value is not _MISSING:
                    self.dropped.append(DroppedAnswer(question, value))
                continue
            if value is _MISSING:
                if qid in state.skipped:
                    if explain:
                        self.asked.append(AskedQuestion(question, "skipped"))
                else:
                    if self.next_question is None:
                        self.next_question = question
                    if not explain:
                        break  # what comes after cannot change which question is next
                    self.asked.append(AskedQuestion(question, "pending"))
                continue
            # Record the answer: its value, its points, the facts it establishes.
            ns[qid] = frozenset(value) if multi else value
            answered.add(qid)
            points = 0
            if risk is not None:
                points = sum(risk.get(v, 0) for v in value) if multi else risk.get(value, 0)
                if points:
                    score += points
                    if explain:
                        self.contributions.append(Contribution(question, value, points))
            if sets:
                if table is not None:
                    established = table.get(value, ())
                else:
                    ns["answer"] = ns[qid]
                    established = tuple(fact for fact, condition in sets if condition.evaluate(ns))
                for fact in established:
                    ns[fact] = True
                    if explain:
                        self.sources.setdefault(fact, []).append(f"question:{qid}")
            stale = True
            if explain:
                self.asked.append(
                    AskedQuestion(question, "answered", value, points, qid in state.revised, state.language)
                )
        self.score = score
        if stale and explain:
            _refresh(plan, ns, score)


_MISSING = object()


def evaluate(protocol: Protocol, state: CallState) -> Assessment:
    """The whole assessment of a call: next question, risk, recommendation. Pure."""
    walk = _Walk(protocol, state)
    ns = walk.ns
    asked = walk.asked
    risk = _risk(protocol, walk)
    pending_required = any(a.status == "pending" and a.question.spec.required for a in asked)
    recommendation = recommend(protocol, ns, state, provisional=pending_required)
    facts = {f: tuple(walk.sources.get(f, ("derived",))) for f in protocol.facts if ns[f]}
    warnings = _conflicts(protocol, state, walk) if state.interrupts else []
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
    )


def next_question(protocol: Protocol, state: CallState) -> CompiledQuestion | None:
    """The next question to ask (as :attr:`Assessment.next_question`), walking only as far as it.

    A question's condition reads only what comes before it, so the walk stops at the first question
    that applies and has no answer; nothing is explained and nothing is recommended. For callers that
    need only the order (the synthetic call generator, path tools), this is several times cheaper.
    """
    return _Walk(protocol, state, explain=False).next_question


def decide_state(protocol: Protocol, state: CallState) -> Decision:
    """Only the decision for a call: the same steps as :func:`evaluate`, compiled, without explanations."""
    plan = _plan(protocol)
    ns, answered = _start(plan, state)
    score, stale = plan.decision_walk(ns, state.answers, state.door, answered)
    if stale:
        plan.refresh(ns, score)
    chosen = choose(protocol, ns, state)
    return Decision(
        chosen.model, tuple(chosen.team), ns["band"], score, chosen.rule.spec.recommend, bool(chosen.fallbacks)
    )


def _risk(protocol: Protocol, walk: _Walk) -> RiskAssessment:
    ns = walk.ns
    overrides = tuple(AppliedOverride(o.at_least, o.reason, c.source) for o, c in protocol.overrides if c.evaluate(ns))
    level = next((lv for lv, _ in reversed(protocol.screen_levels) if lv.id == ns["suicide_level"]), None)
    return RiskAssessment(
        score=walk.score,
        band=ns["band"],
        points_band=protocol.bands[_points_rank(walk.plan, walk.score)].id,
        contributions=tuple(walk.contributions),
        overrides=overrides,
        suicide_level=level.id if level else None,
        suicide_reason=level.reason if level else None,
    )


def _conflicts(protocol: Protocol, state: CallState, walk: _Walk) -> list[str]:
    """An answer that contradicts an interrupt is worth a look; the fact stays true (safety first)."""
    warnings = []
    interrupt_facts = {protocol.interrupts[i].fact: i for i in state.interrupts}
    for question in protocol.questions:
        value = state.answers.get(question.id)
        if value is None or question.id not in walk.answered:
            continue
        for fact, _condition in question.sets:
            if fact in interrupt_facts and value == "no":
                warnings.append(
                    f'"{question.id}" was answered no, but the interrupt "{interrupt_facts[fact]}" recorded '
                    f"{fact}; it stays recorded until the interrupt is withdrawn"
                )
    return warnings
