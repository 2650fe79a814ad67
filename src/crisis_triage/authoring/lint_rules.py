"""Lint findings about the decision rules: a rule shadowed by earlier ones (every case where it holds,
an earlier rule matches first: tried over a truth table of the values its conditions tell apart) and a
rule no path reaches."""

from __future__ import annotations

import itertools
from typing import Any

from ..protocol.compiled import Protocol
from .domains import OTHER, NameUse, condition_uses
from .explore import Exploration
from .lint_context import Linter

#: Truth-table rows tried when checking one rule for shadowing; larger rules are skipped (noted).
MAX_ROWS = 1 << 16


def check_shadowed_rules(linter: Linter, exploration: Exploration) -> None:
    protocol = linter.protocol
    rules = protocol.rules
    fired = exploration.rules_fired
    for j, rule in enumerate(rules):
        path = ("responses", "rules", j)
        if rule.when is None or j == 0:
            continue
        earlier = [r for r in rules[:j] if r.when is not None]
        shadowing = _shadowed_by(linter, rule, earlier)
        if shadowing:
            names = ", ".join(f'"{r.spec.id}"' for r in shadowing)
            linter.add(
                "rule-shadowed",
                "error",
                f'rule "{rule.spec.id}" never applies: whenever its condition holds, the earlier rule{"s" if len(shadowing) > 1 else ""} '
                f"{names} already match{'es' if len(shadowing) == 1 else ''} (move it above them or narrow theirs)",
                path + ("when",),
            )
            continue
        if exploration.exact and rule.spec.id not in fired:
            linter.add(
                "rule-never-applies",
                "warning",
                f'no path through the protocol ends with rule "{rule.spec.id}" (earlier rules or the band always decide first)',
                path + ("when",),
            )


def _shadowed_by(linter: Linter, rule, earlier) -> list:
    """Earlier rules that together cover every case where ``rule`` holds (empty if none do, or unknown)."""
    if not earlier:
        return []
    conditions = [rule.when] + [r.when for r in earlier]
    uses: dict[str, NameUse] = {}
    for condition in conditions:
        condition_uses(condition, uses)
    domains = _domains(linter, uses)
    if domains is None:
        return []
    names = list(domains)
    rows = 1
    for values in domains.values():
        rows *= len(values)
    if rows > MAX_ROWS:
        return []
    matched_by: set[int] = set()
    derived = dict(linter.protocol.derived_facts)
    base = dict(_base_namespace(linter.protocol))
    for combo in itertools.product(*(domains[n] for n in names)):
        ns = dict(base)
        ns.update(zip(names, combo))
        if "band" in ns:
            ns["band_rank"] = linter.protocol.band_ids.index(ns["band"])
        for fact, condition in derived.items():
            if fact not in domains:
                ns[fact] = condition.evaluate(ns)
        if not rule.when.evaluate(ns):
            continue
        first = next((i for i, r in enumerate(earlier) if r.when.evaluate(ns)), None)
        if first is None:
            return []
        matched_by.add(first)
    if not matched_by:
        return []  # the rule's own condition can never hold: reported as rule-never-applies
    return [earlier[i] for i in sorted(matched_by)]


def _domains(linter: Linter, uses: dict[str, NameUse]) -> dict[str, list[Any]] | None:
    """Values worth trying for each name a set of conditions reads (through derived facts)."""
    protocol = linter.protocol
    derived = dict(protocol.derived_facts)
    uses = dict(uses)
    pending = [n for n in uses if n in derived]
    while pending:
        fact = pending.pop()
        for name, use in condition_uses(derived[fact]).items():
            if name not in uses:
                uses[name] = use
                if name in derived:
                    pending.append(name)
            else:
                uses[name].literals |= use.literals
    domains: dict[str, list[Any]] = {}
    types = protocol.name_types
    for name, use in uses.items():
        if name in derived:
            continue
        kind = types.get(name)
        if kind is None:
            return None
        if kind.kind == "flag":
            domains[name] = [False, True]
        elif kind.kind in ("choice", "band"):
            values = list(kind.values)
            mentioned = [v for v in values if v in use.literals]
            others = [v for v in values if v not in use.literals]
            domains[name] = values if (use.opaque or kind.kind == "band") else mentioned + others[:1]
            if name in protocol.question_by_id:
                domains[name] = domains[name] + [None]
        elif kind.kind == "multi":
            literals = sorted(v for v in use.literals if isinstance(v, str))
            domains[name] = [
                frozenset(c) for size in range(len(literals) + 1) for c in itertools.combinations(literals, size)
            ]
        elif kind.kind == "number":
            points = sorted({float(x) for x in use.literals if isinstance(x, (int, float)) and not isinstance(x, bool)})
            domains[name] = sorted({p + d for p in points for d in (-1, 0, 1)}) or [0.0]
        else:
            domains[name] = sorted(v for v in use.literals if isinstance(v, str)) + [OTHER]
    return domains


def _base_namespace(protocol: Protocol) -> dict[str, Any]:
    from ..engine.evaluate import defaults

    ns = dict(defaults(protocol))
    ns.update(door=None, caller=None, line=None, district=None, language="en", hour=12.0)
    return ns
