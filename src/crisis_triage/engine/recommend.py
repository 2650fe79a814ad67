"""Choose the response: first matching rule, availability and fallbacks, additions, guarantees.

Every step leaves a reason behind, so the console can say which answers and rules produced the
recommendation, what was ruled out and why, and which fallback was taken. :func:`choose` makes the
decision; :func:`recommend` adds the explanation (the reasons models were ruled out, the values that
decided) that only a person reading the screen needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..protocol.compiled import CompiledRule, Protocol
from ..protocol.models import ResponseModel
from . import compiled_refresh
from .assessment import Addition, FallbackStep, GuaranteeApplied, Recommendation, RuledOut
from .state import CallSetting, CallState


def unavailable_reason(protocol: Protocol, model: ResponseModel, state: CallSetting, hour: float) -> str | None:
    """Why ``model`` cannot be sent on this call right now, or None if it can."""
    available = model.available
    if (
        available.enabled
        and available.districts is None
        and available.hours is None
        and model.id not in state.unavailable
    ):
        return None  # the common case, decided without building a sentence
    if model.id in state.unavailable:
        return state.unavailable[model.id] or "marked unavailable for this call"
    available = model.available
    note = f" ({available.note})" if available.note else ""
    if not available.enabled:
        return f"switched off{note}"
    if available.districts is not None:
        if state.district is None:
            return f"only in districts {', '.join(available.districts)}, and the district is not known yet"
        if state.district not in available.districts:
            return f"not offered in district {state.district}{note}"
    if available.hours is not None and not _within(available.hours, hour):
        return f"outside its hours {available.hours}{note}"
    return None


def _within(hours: str, hour: float) -> bool:
    start_text, end_text = hours.split("-")
    start = int(start_text[:2]) + int(start_text[3:]) / 60
    end = int(end_text[:2]) + int(end_text[3:]) / 60
    if start <= end:
        return start <= hour < end
    return hour >= start or hour < end  # runs past midnight


def _resolve(protocol: Protocol, model_id: str, state: CallSetting, hour: float, steps: list[FallbackStep]) -> str:
    """Follow the fallback chain from ``model_id`` to the first model that can be sent."""
    models = protocol.models
    seen = set()
    current = model_id
    while current not in seen:
        seen.add(current)
        model = models[current]
        reason = unavailable_reason(protocol, model, state, hour)
        if reason is None:
            return current
        nxt = next((f for f in model.fallback if f not in seen), None)
        if nxt is None:
            # Checked at load time: every chain ends in an always-available model. A call-time
            # "unavailable" mark on that last one cannot leave the caller with no one.
            steps.append(FallbackStep(current, current, f"{reason}; no fallback left, so it stays recommended"))
            return current
        steps.append(FallbackStep(current, nxt, reason))
        current = nxt
    return current


class Choice:
    """The decision before it is explained: the rule, the model sent, the team and how they came about."""

    __slots__ = (
        "additions",
        "fallbacks",
        "guarantees",
        "index",
        "model",
        "not_matched",
        "notes",
        "notify",
        "rule",
        "team",
    )

    def __init__(
        self,
        index: int,
        rule: CompiledRule,
        not_matched: tuple[CompiledRule, ...],
        model: str,
        team: list[str],
        notify: list[str],
        fallbacks: list[FallbackStep],
    ):
        self.index = index  # the rule's place in the protocol's rules
        self.rule = rule
        self.not_matched = not_matched
        self.model = model
        self.team = team
        self.notify = notify
        self.fallbacks = fallbacks
        self.additions: list[Addition] = []
        self.notes: list[dict[str, str]] = []
        self.guarantees: list[GuaranteeApplied] = []


class ChoicePlan:
    """What :func:`choose` reads on every call, worked out once per protocol."""

    __slots__ = ("also", "deciding_names", "first_rule", "free", "guarantees", "guarantees_holding", "roles")

    def __init__(self, protocol: Protocol):
        #: first_rule(ns) -> index of the first rule whose condition holds (compiled)
        self.first_rule = compiled_refresh.build_first_rule(protocol)
        #: models no district, hour or switch limits: available unless marked so on the call
        self.free = frozenset(
            m.id
            for m in protocol.models.values()
            if m.available.enabled and m.available.districts is None and m.available.hours is None
        )
        self.roles = frozenset(protocol.document.responses.roles)
        self.also = tuple(
            tuple((addition, condition.test if condition is not None else None) for addition, condition in rule.also)
            for rule in protocol.rules
        )
        self.guarantees = tuple(guarantee for guarantee, _ in protocol.guarantees)
        #: guarantees_holding(ns) -> bit i set when guarantee i's condition holds (compiled, one call)
        self.guarantees_holding = compiled_refresh.build_mask(
            [condition for _, condition in protocol.guarantees], "<protocol guarantees>"
        )
        #: per rule, the names its condition reads, sorted (what :func:`deciding_values` reports)
        self.deciding_names = tuple(tuple(sorted(rule.when.names)) if rule.when else () for rule in protocol.rules)


def choice_plan(protocol: Protocol) -> ChoicePlan:
    """The protocol's :class:`ChoicePlan`, built on first use and kept with the protocol."""
    plan: ChoicePlan = protocol.derived("engine.choice_plan", ChoicePlan)
    return plan


def choose(protocol: Protocol, ns: Mapping[str, Any], state: CallSetting, plan: ChoicePlan | None = None) -> Choice:
    """First matching rule, fallbacks for unavailable models, the rule's additions, then the guarantees.

    ``plan`` is the protocol's :func:`choice_plan`, for callers that already hold it.
    """
    if plan is None:
        plan = choice_plan(protocol)
    models = protocol.models
    hour = ns["hour"]
    index = plan.first_rule(ns)
    chosen_rule = protocol.rules[index]
    spec = chosen_rule.spec
    fallbacks: list[FallbackStep] = []
    model_id = spec.recommend
    if model_id not in plan.free or model_id in state.unavailable:
        model_id = _resolve(protocol, model_id, state, hour, fallbacks)
    model = models[model_id]
    choice = Choice(
        index, chosen_rule, protocol.rules[:index], model_id, list(model.team), list(model.notify), fallbacks
    )
    team = choice.team
    for addition, test in plan.also[index]:
        if test is not None and not test(ns):
            continue
        if addition.note:
            choice.notes.append(addition.note)
        if addition.add:
            for role in [addition.add] if addition.add in plan.roles else models[addition.add].team:
                if role not in team:
                    team.append(role)
                    choice.additions.append(Addition(role, addition.because or spec.because, spec.id))

    holding = plan.guarantees_holding(ns)
    for i, guarantee in enumerate(plan.guarantees):
        if not holding >> i & 1 or guarantee.require in choice.team:
            continue
        if guarantee.switch_to:
            target = _resolve(protocol, guarantee.switch_to, state, hour, fallbacks)
            kept = [r for r in choice.team if r not in models[choice.model].team]
            choice.model = target
            choice.team = list(models[target].team) + [r for r in kept if r not in models[target].team]
            choice.notify = list(models[target].notify)
            action = f"switched to {target}"
            if guarantee.require not in choice.team:
                choice.team.append(guarantee.require)
                action += f" and added {guarantee.require}"
        else:
            choice.team.append(guarantee.require)
            choice.additions.append(Addition(guarantee.require, guarantee.because, guarantee.id))
            action = f"added {guarantee.require}"
        choice.guarantees.append(GuaranteeApplied(guarantee.id, guarantee.because, action))
    return choice


def recommend(
    protocol: Protocol, ns: Mapping[str, Any], state: CallState, *, provisional: bool, reasons: bool = True
) -> Recommendation:
    """The decision of :func:`choose` with everything the call-taker is shown about it.

    Without ``reasons`` the two explanations only a person at the console reads are left empty:
    why each other model was not sent (``ruled_out``) and the roles any other team must still
    include (``required``). Replay at scale reports neither.
    """
    choice = choose(protocol, ns, state)
    models = protocol.models
    model_id = choice.model
    model = models[model_id]
    team = choice.team
    chosen_rule = choice.rule
    spec = chosen_rule.spec
    hour = ns["hour"]
    handoff_model = protocol.document.handoff.model if protocol.document.handoff else None
    handoff = handoff_model is not None and (
        model_id == handoff_model or any(role in team for role in models[handoff_model].team)
    )

    dedicated = None
    if model.dedicated:
        if state.district in model.dedicated.districts:
            dedicated = model.dedicated.note
        else:
            dedicated = model.dedicated.elsewhere

    ruled_out = (
        _ruled_out(protocol, ns, chosen_rule, choice.not_matched, model_id, choice.fallbacks, state, hour)
        if reasons
        else ()
    )
    return Recommendation(
        model=model_id,
        preferred_model=spec.recommend,
        team=tuple(team),
        notify=notified(choice),
        rule=spec.id,
        because=spec.because,
        condition=chosen_rule.when.source if chosen_rule.when else "",
        deciding_values=deciding_values(chosen_rule, ns),
        additions=tuple(choice.additions),
        notes=tuple(choice.notes),
        ruled_out=ruled_out,
        fallbacks=tuple(choice.fallbacks),
        guarantees=tuple(choice.guarantees),
        # Every guarantee that holds, even where the team already had the role: a call-taker who sends
        # another team is warned (worked out here, not in choose(): the decision-only path needs none).
        required=tuple(
            Addition(g.require, g.because, g.id) for g, condition in protocol.guarantees if condition.test(ns)
        )
        if reasons
        else (),
        dedicated=dedicated,
        handoff=handoff,
        provisional=provisional,
    )


def notified(choice: Choice) -> tuple[str, ...]:
    """Who is told of the call and is not already in the team sent."""
    if not choice.notify:
        return ()
    return tuple([n for n in choice.notify if n not in choice.team])


def deciding_values(
    rule: CompiledRule, ns: Mapping[str, Any], names: tuple[str, ...] | None = None
) -> tuple[tuple[str, Any], ...]:
    """The values the rule's condition read, by name (multiple choices as sorted lists).

    ``names``: the rule's names already sorted (:attr:`ChoicePlan.deciding_names`), for callers that hold them.
    """
    if names is None:
        names = tuple(sorted(rule.when.names)) if rule.when else ()
    get = ns.get
    values = []
    for name in names:  # (a loop, not a comprehension and a call per name: this runs for every replayed call)
        value = get(name)
        values.append((name, sorted(value) if isinstance(value, frozenset) else value))
    return tuple(values)


def _ruled_out(
    protocol: Protocol,
    ns: Mapping[str, Any],
    chosen_rule: CompiledRule,
    not_matched: tuple[CompiledRule, ...],
    final_model: str,
    fallbacks: list[FallbackStep],
    state: CallSetting,
    hour: float,
) -> tuple[RuledOut, ...]:
    reasons: dict[str, str] = {}
    for rule in not_matched:
        recommended = rule.spec.recommend
        if recommended in reasons:
            continue
        values = "; ".join(_describe(protocol, n, ns.get(n)) for n in sorted(rule.when.names)) if rule.when else ""
        reasons[recommended] = f'rule "{rule.spec.id}" does not apply ({values})'
    for step in fallbacks:
        if step.from_model != step.to_model:
            reasons[step.from_model] = f"unavailable: {step.reason}"
    decided = chosen_rule.spec.id
    recommended_by_a_rule = {r.spec.recommend for r in protocol.rules}
    for model in protocol.models.values():
        if model.id == final_model or model.id in reasons:
            continue
        if model.id in recommended_by_a_rule:
            reasons[model.id] = f'rule "{decided}" comes first and applies'
        else:
            reasons[model.id] = "used only as a fallback"
        why_not = unavailable_reason(protocol, model, state, hour)
        if why_not:
            reasons[model.id] += f"; also unavailable now: {why_not}"
    return tuple(RuledOut(m, r) for m, r in reasons.items() if m != final_model)


def _describe(protocol: Protocol, name: str, value: Any) -> str:
    """A name and its value as a call-taker reads them: a fact by its label, an answer by its option."""
    fact = protocol.facts.get(name)
    if fact is not None:
        return f"{fact.label['en'].lower()}: {'yes' if value else 'no'}"
    question = protocol.question_by_id.get(name)
    if question is not None and question.type in ("yes_no", "choice") and isinstance(value, str):
        option = question.option(value)
        if option is not None:
            return f"{name}: {option.label['en']}"
    return f"{name}: {_show(value)}"


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "not answered"
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, float) and value != value:
        return "not answered"
    return f'"{value}"' if isinstance(value, str) else str(value)
