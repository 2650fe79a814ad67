"""Choose the response: first matching rule, availability and fallbacks, additions, guarantees.

Every step leaves a reason behind, so the console can say which answers and rules produced the
recommendation, what was ruled out and why, and which fallback was taken.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..protocol.compiled import Protocol
from ..protocol.models import ResponseModel
from .assessment import Addition, FallbackStep, GuaranteeApplied, Recommendation, RuledOut
from .state import CallState


def unavailable_reason(protocol: Protocol, model: ResponseModel, state: CallState, hour: float) -> str | None:
    """Why ``model`` cannot be sent on this call right now, or None if it can."""
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


def _resolve(protocol: Protocol, model_id: str, state: CallState, hour: float, steps: list[FallbackStep]) -> str:
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


def recommend(protocol: Protocol, ns: Mapping[str, Any], state: CallState, *, provisional: bool) -> Recommendation:
    models = protocol.models
    hour = ns["hour"]
    chosen_rule = None
    not_matched = []
    for rule in protocol.rules:
        if rule.when is None or rule.when.evaluate(ns):
            chosen_rule = rule
            break
        not_matched.append(rule)
    assert chosen_rule is not None  # the loader requires a final rule with no condition
    spec = chosen_rule.spec
    fallbacks: list[FallbackStep] = []
    model_id = _resolve(protocol, spec.recommend, state, hour, fallbacks)

    team = list(models[model_id].team)
    notify = list(models[model_id].notify)
    additions: list[Addition] = []
    notes: list[dict[str, str]] = []
    for addition, condition in chosen_rule.also:
        if condition is not None and not condition.evaluate(ns):
            continue
        if addition.note:
            notes.append(addition.note)
        if addition.add:
            roles = [addition.add] if addition.add in protocol.document.responses.roles else models[addition.add].team
            for role in roles:
                if role not in team:
                    team.append(role)
                    additions.append(Addition(role, addition.because or spec.because, spec.id))

    guarantees: list[GuaranteeApplied] = []
    for guarantee, condition in protocol.guarantees:
        if guarantee.require in team or not condition.evaluate(ns):
            continue
        if guarantee.switch_to:
            target = _resolve(protocol, guarantee.switch_to, state, hour, fallbacks)
            kept = [r for r in team if r not in models[model_id].team]
            model_id = target
            team = list(models[target].team) + [r for r in kept if r not in models[target].team]
            notify = list(models[target].notify)
            action = f"switched to {target}"
            if guarantee.require not in team:
                team.append(guarantee.require)
                action += f" and added {guarantee.require}"
        else:
            team.append(guarantee.require)
            additions.append(Addition(guarantee.require, guarantee.because, guarantee.id))
            action = f"added {guarantee.require}"
        guarantees.append(GuaranteeApplied(guarantee.id, guarantee.because, action))

    model = models[model_id]
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

    ruled_out = _ruled_out(protocol, ns, chosen_rule, not_matched, model_id, fallbacks, state, hour)
    deciding = tuple(sorted((name, _plain(ns.get(name))) for name in (chosen_rule.when.names if chosen_rule.when else ())))
    return Recommendation(
        model=model_id,
        preferred_model=spec.recommend,
        team=tuple(team),
        notify=tuple(n for n in notify if n not in team),
        rule=spec.id,
        because=spec.because,
        condition=chosen_rule.when.source if chosen_rule.when else "",
        deciding_values=deciding,
        additions=tuple(additions),
        notes=tuple(notes),
        ruled_out=ruled_out,
        fallbacks=tuple(fallbacks),
        guarantees=tuple(guarantees),
        dedicated=dedicated,
        handoff=handoff,
        provisional=provisional,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    return value


def _ruled_out(protocol, ns, chosen_rule, not_matched, final_model, fallbacks, state, hour) -> tuple[RuledOut, ...]:
    reasons: dict[str, str] = {}
    for rule in not_matched:
        model = rule.spec.recommend
        if model in reasons:
            continue
        values = ", ".join(f"{n} is {_show(ns.get(n))}" for n in sorted(rule.when.names)) if rule.when else ""
        reasons[model] = f'rule "{rule.spec.id}" does not apply ({rule.when.source}: {values})'
    for step in fallbacks:
        if step.from_model != step.to_model:
            reasons[step.from_model] = f"unavailable: {step.reason}"
    decided = chosen_rule.spec.id
    for model in protocol.models.values():
        if model.id == final_model or model.id in reasons:
            continue
        later = [r.spec.id for r in protocol.rules if r.spec.recommend == model.id]
        if later:
            reasons[model.id] = f'rule "{decided}" comes first and applies'
        else:
            reasons[model.id] = "used only as a fallback"
        why_not = unavailable_reason(protocol, model, state, hour)
        if why_not:
            reasons[model.id] += f"; also unavailable now: {why_not}"
    return tuple(RuledOut(m, r) for m, r in reasons.items() if m != final_model)


def _show(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "not answered"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}"
    if isinstance(value, float) and value != value:
        return "not answered"
    return f'"{value}"' if isinstance(value, str) else str(value)
