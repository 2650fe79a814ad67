"""The responses' checks: decision rules, safety guarantees, response models and their fallbacks,
interrupts, and the handoff script's templates. Typed against :class:`SectionCompiler` (no import of
the compiler).
"""

from __future__ import annotations

from typing import Any

from .compiled import CompiledRule
from .conditions import Condition, NameType
from .cycles import cycles as _cycles
from .errors import Path, Problem
from .models import Guarantee
from .question_checks import all_questions
from .section_compiler import SectionCompiler
from .templates import TemplateProblem, compile_template


def compile_rules(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[CompiledRule, ...]:
    """The decision rules with their conditions and additions; every call must end in a recommendation."""
    responses = compiler.doc.responses
    model_ids = [m.id for m in responses.models]
    roles = list(responses.roles)
    compiled = []
    if not responses.rules:
        compiler.error(
            "no-recommendation", "there are no rules, so no call would get a recommendation", ("responses", "rules")
        )
    for i, rule in enumerate(responses.rules):
        path = ("responses", "rules", i)
        compiler.reference(rule.recommend, model_ids, "response model", path + ("recommend",))
        when = compiler.condition(rule.when, names, bands, path + ("when",))
        if rule.when is None and i < len(responses.rules) - 1:
            later = ", ".join(r.id for r in responses.rules[i + 1 :])
            compiler.error(
                "shadowed-rule",
                f'rule "{rule.id}" has no condition, so it catches every call and the rules after it ({later}) never apply; move it last',
                path,
            )
        also = []
        for j, addition in enumerate(rule.also):
            apath = path + ("also", j)
            if addition.add is None and addition.note is None:
                compiler.error("empty-addition", "an addition needs `add` (a role or model) or `note`", apath)
            if addition.add is not None:
                compiler.reference(addition.add, roles + model_ids, "role or response model", apath + ("add",))
            also.append((addition, compiler.condition(addition.when, names, bands, apath + ("when",))))
        compiled.append(CompiledRule(rule, when, tuple(also)))
    if responses.rules and responses.rules[-1].when is not None:
        compiler.error(
            "no-recommendation",
            f'the last rule ("{responses.rules[-1].id}") has a condition, so a call that matches no rule would end '
            "without a recommendation; add a last rule with no `when`",
            ("responses", "rules", len(responses.rules) - 1, "when"),
        )
    return tuple(compiled)


def compile_guarantees(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[tuple[Guarantee, Condition], ...]:
    """The safety guarantees: roles real, a switch that brings the role required, conditions compiled."""
    responses = compiler.doc.responses
    result: list[tuple[Guarantee, Condition]] = []
    models = {m.id: m for m in responses.models}
    for i, guarantee in enumerate(responses.guarantees):
        path = ("responses", "guarantees", i)
        compiler.reference(guarantee.require, responses.roles, "role", path + ("require",))
        if guarantee.switch_to is not None and compiler.reference(
            guarantee.switch_to, models, "response model", path + ("switch_to",)
        ):
            model = models[guarantee.switch_to]
            if guarantee.require not in model.team:
                compiler.error(
                    "bad-guarantee",
                    f'switching to "{model.id}" would not bring {guarantee.require}: its team is {", ".join(model.team) or "empty"}',
                    path + ("switch_to",),
                )
        condition = compiler.condition(guarantee.when, names, bands, path + ("when",))
        if condition is not None:
            result.append((guarantee, condition))
    return tuple(result)


def check_models(compiler: SectionCompiler) -> None:
    """Response models: roles and districts real, fallback chains without circles that end in a model
    that is always available."""
    responses = compiler.doc.responses
    models = {m.id: m for m in responses.models}
    districts = [d.id for d in compiler.doc.districts]
    if not models:
        compiler.error("missing", "at least one response model is needed", ("responses", "models"))
    for i, model in enumerate(responses.models):
        path = ("responses", "models", i)
        for j, role in enumerate(model.team):
            compiler.reference(role, responses.roles, "role", path + ("team", j))
        for j, role in enumerate(model.notify):
            compiler.reference(role, responses.roles, "role", path + ("notify", j))
        for j, district in enumerate(model.available.districts or []):
            compiler.reference(district, districts, "district", path + ("available", "districts", j))
        if model.dedicated:
            for j, district in enumerate(model.dedicated.districts):
                compiler.reference(district, districts, "district", path + ("dedicated", "districts", j))
        for j, other in enumerate(model.fallback):
            if other == model.id:
                compiler.error("cycle", f'"{model.id}" lists itself as its own fallback', path + ("fallback", j))
            else:
                compiler.reference(other, models, "response model", path + ("fallback", j))
    graph = {m.id: [f for f in m.fallback if f in models and f != m.id] for m in responses.models}
    for cycle in _cycles(graph):
        i = next(i for i, m in enumerate(responses.models) if m.id == cycle[0])
        compiler.error(
            "cycle",
            "fallbacks go round in a circle: " + " → ".join(cycle + [cycle[0]]),
            ("responses", "models", i, "fallback"),
        )

    def always_available(model_id: str, seen: frozenset[str] = frozenset()) -> bool:
        model = models.get(model_id)
        if model is None or model_id in seen:
            return True  # reported elsewhere
        a = model.available
        if a.enabled and a.districts is None and a.hours is None:
            return True
        return any(always_available(f, seen | {model_id}) for f in model.fallback)

    for i, model in enumerate(responses.models):
        if not always_available(model.id):
            compiler.error(
                "dead-end-fallback",
                f'when "{model.id}" is unavailable (hours, districts or switched off) and so are its fallbacks, no one would be sent; '
                "end its fallback list with a model that is always available",
                ("responses", "models", i, "fallback" if model.fallback else "available"),
                key=not model.fallback,
            )


def check_interrupts(compiler: SectionCompiler) -> None:
    """An interrupt sets a plain fact (never a derived one)."""
    for i, interrupt in enumerate(compiler.doc.interrupts):
        if (
            compiler.reference(interrupt.fact, compiler.doc.facts, "fact", ("interrupts", i, "fact"))
            and compiler.doc.facts[interrupt.fact].when
        ):
            compiler.error(
                "derived-fact-set",
                f'"{interrupt.fact}" is a derived fact (it has `when`); an interrupt must set a plain fact',
                ("interrupts", i, "fact"),
            )


def compile_handoff_templates(compiler: SectionCompiler) -> dict[str, Any]:
    """The handoff script's templates compiled (placeholders checked), each problem at its own line."""
    handoff = compiler.doc.handoff
    templates: dict[str, Any] = {}
    if handoff is None:
        if any(m.handoff for m in compiler.doc.responses.models):
            compiler.error(
                "missing",
                "a response model has handoff: true but the protocol has no handoff script",
                ("responses", "models"),
            )
        return templates
    models = {m.id: m for m in compiler.doc.responses.models}
    if (
        compiler.reference(handoff.model, models, "response model", ("handoff", "model"))
        and not models[handoff.model].handoff
    ):
        compiler.error(
            "bad-handoff",
            f'the handoff belongs to "{handoff.model}", which does not have handoff: true',
            ("handoff", "model"),
        )
    question_ids = [q.id for q, _, _ in all_questions(compiler.doc)]

    def add(key: str, text: str, path: Path) -> None:
        try:
            templates[key] = compile_template(text, question_ids)
        except TemplateProblem as exc:
            problem = compiler.source.problem("bad-template", exc.message, path)
            # Block scalars start on the next line; point at the template's own line.
            # Block scalars are located at their first line of text (see yaml_source), so the
            # template's line n is n - 1 lines below.
            offset = exc.line - 1
            compiler.problems.append(
                Problem(
                    problem.code,
                    problem.message,
                    problem.file,
                    problem.line + max(0, offset),
                    problem.column,
                    problem.path,
                )
            )

    for i, step in enumerate(handoff.steps):
        for field in ("say", "do"):
            texts = getattr(step, field)
            for language, text in (texts or {}).items():
                add(f"{step.id}.{field}.{language}", text, ("handoff", "steps", i, field, language))
    add("summary", handoff.summary, ("handoff", "summary"))
    return templates
