"""Walk the protocol over a call's state: which questions apply, what they establish, the risk.

One pass over the questions in asking order. A question's condition sees the call as it stands
*before* that question (earlier answers, interrupts, the band so far), which is what makes
"ask only when the band is still low" well defined without cycles. Answers to questions that do not
apply are dropped, not counted.
"""

from __future__ import annotations

import math
from typing import Any
from zoneinfo import ZoneInfo

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED, RANK_SUFFIX, UNANSWERED_NUMBER
from .assessment import AppliedOverride, answer_label, AskedQuestion, Assessment, Contribution, DroppedAnswer, RiskAssessment
from .recommend import recommend
from .state import CallState

_DERIVED = {"band", "score", "suicide_level", "band" + RANK_SUFFIX}


def defaults(protocol: Protocol) -> dict[str, Any]:
    """The namespace before anything is known; cached on first use per protocol."""
    cached = _DEFAULTS.get(id(protocol))
    if cached is not None and cached[0] is protocol:
        return cached[1]
    ns: dict[str, Any] = {ANSWERED: frozenset()}
    for question in protocol.questions:
        ns[question.id] = {"multi": frozenset(), "number": UNANSWERED_NUMBER}.get(question.type)
    for fact in protocol.facts:
        ns[fact] = False
    ns.update(band=protocol.bands[0].id, band_rank=0, score=0, suicide_level="none")
    _DEFAULTS[id(protocol)] = (protocol, ns)
    return ns


_DEFAULTS: dict[int, tuple[Protocol, dict[str, Any]]] = {}


def local_hour(protocol: Protocol, when) -> float:
    zone = _zone(protocol.document.protocol.timezone)
    local = when.astimezone(zone) if when.tzinfo else when
    return local.hour + local.minute / 60


_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    if name not in _ZONES:
        _ZONES[name] = ZoneInfo(name)
    return _ZONES[name]


class _Walk:
    """One evaluation: the namespace grows as the questions are walked in order."""

    def __init__(self, protocol: Protocol, state: CallState):
        self.protocol = protocol
        self.state = state
        ns = dict(defaults(protocol))
        door = protocol.doors.get(state.door) if state.door else None
        ns.update(
            door=state.door,
            caller=door.caller if door else None,
            line=state.line,
            district=state.district,
            language=state.language,
            hour=local_hour(protocol, state.now),
        )
        self.ns = ns
        self.answered: set[str] = set()
        self.score = 0
        self.contributions: list[Contribution] = []
        self.sources: dict[str, list[str]] = {}
        self.stale = True  # derived facts, band and suicide level need working out again
        interrupts = protocol.interrupts
        for interrupt_id in state.interrupts:
            interrupt = interrupts[interrupt_id]
            ns[interrupt.fact] = True
            self.sources.setdefault(interrupt.fact, []).append(f"interrupt:{interrupt_id}")

    # -- the derived part of the namespace -------------------------------------------------------
    def refresh(self) -> None:
        if not self.stale:
            return
        ns = self.ns
        for fact, condition in self.protocol.derived_facts:
            ns[fact] = condition.evaluate(ns)
        ns["score"] = self.score
        band_rank = self._points_rank()
        for override, condition in self.protocol.overrides:
            if condition.evaluate(ns):
                band_rank = max(band_rank, self.protocol.band_ids.index(override.at_least))
        level = None
        for screen_level, condition in self.protocol.screen_levels:
            if condition.evaluate(ns):
                level = screen_level
        if level is not None and level.at_least:
            band_rank = max(band_rank, self.protocol.band_ids.index(level.at_least))
        ns["suicide_level"] = level.id if level else "none"
        ns["band"] = self.protocol.bands[band_rank].id
        ns["band" + RANK_SUFFIX] = band_rank
        self.stale = False

    def _points_rank(self) -> int:
        rank = 0
        for i, band in enumerate(self.protocol.bands):
            if self.score >= band.min_score:
                rank = i
        return rank

    def applies(self, question: CompiledQuestion) -> bool:
        if question.doors is not None and self.state.door not in question.doors:
            return False
        if question.when is None:
            return True
        if self.stale and not question.when.names.isdisjoint(self._derived_names):
            self.refresh()
        return question.when.evaluate(self.ns)

    @property
    def _derived_names(self) -> set[str]:
        names = _DERIVED_CACHE.get(id(self.protocol))
        if names is None or names[0] is not self.protocol:
            derived = {f for f, _ in self.protocol.derived_facts} | _DERIVED
            names = (self.protocol, derived)
            _DERIVED_CACHE[id(self.protocol)] = names
        return names[1]

    def record(self, question: CompiledQuestion, value: Any) -> int:
        ns = self.ns
        ns[question.id] = frozenset(value) if question.type == "multi" else value
        self.answered.add(question.id)
        ns[ANSWERED] = ns[ANSWERED] | {question.id}
        points = 0
        if question.risk:
            if question.type == "multi":
                points = sum(question.risk.get(v, 0) for v in value)
            else:
                points = question.risk.get(value, 0)
            if points:
                self.score += points
                self.contributions.append(Contribution(question, value, points))
        if question.sets:
            ns["answer"] = ns[question.id]
            for fact, condition in question.sets:
                if condition.evaluate(ns):
                    ns[fact] = True
                    self.sources.setdefault(fact, []).append(f"question:{question.id}")
        self.stale = True
        return points


_DERIVED_CACHE: dict[int, tuple[Protocol, set[str]]] = {}


def evaluate(protocol: Protocol, state: CallState) -> Assessment:
    """The whole assessment of a call: next question, risk, recommendation. Pure."""
    walk = _Walk(protocol, state)
    asked: list[AskedQuestion] = []
    dropped: list[DroppedAnswer] = []
    next_question = None
    answers = state.answers
    for question in protocol.questions:
        qid = question.id
        if not walk.applies(question):
            if qid in answers:
                dropped.append(DroppedAnswer(question, answers[qid]))
            continue
        if qid in answers:
            value = answers[qid]
            points = walk.record(question, value)
            asked.append(AskedQuestion(question, "answered", value, points, qid in state.revised, state.language))
        elif qid in state.skipped:
            asked.append(AskedQuestion(question, "skipped"))
        else:
            asked.append(AskedQuestion(question, "pending"))
            if next_question is None:
                next_question = question
    walk.refresh()
    ns = walk.ns
    risk = _risk(protocol, walk)
    pending_required = any(a.status == "pending" and a.question.spec.required for a in asked)
    recommendation = recommend(protocol, ns, state, provisional=pending_required)
    facts = {f: tuple(walk.sources.get(f, ("derived",))) for f in protocol.facts if ns[f]}
    warnings = _conflicts(protocol, state, walk) if state.interrupts else []
    context = {"door": state.door, "line": state.line, "district": state.district, "language": state.language,
               "hour": ns["hour"]}
    return Assessment(next_question, tuple(asked), tuple(dropped), facts, risk, recommendation,
                      tuple(state.interrupts), tuple(warnings), context)


def _risk(protocol: Protocol, walk: _Walk) -> RiskAssessment:
    ns = walk.ns
    overrides = tuple(
        AppliedOverride(o.at_least, o.reason, c.source) for o, c in protocol.overrides if c.evaluate(ns)
    )
    level = next((lv for lv, _ in reversed(protocol.screen_levels) if lv.id == ns["suicide_level"]), None)
    return RiskAssessment(
        score=walk.score,
        band=ns["band"],
        points_band=protocol.bands[walk._points_rank()].id,
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
        for fact, condition in question.sets:
            if fact in interrupt_facts and value == "no":
                warnings.append(
                    f'"{question.id}" was answered no, but the interrupt "{interrupt_facts[fact]}" recorded '
                    f"{fact}; it stays recorded until the interrupt is withdrawn"
                )
    return warnings


def is_unanswered_number(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
