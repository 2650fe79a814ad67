"""Which values of a name a protocol's conditions can tell apart: the basis of equivalence classes.

A condition such as ``past_behaviour == "past_3_months"`` distinguishes one option from all the
others; options never written in any condition that reads a question behave alike. Reading the
literals each name is compared with (from the checked condition text, parsed again with ``ast``)
gives, for every name, the values worth trying: each mentioned literal plus one "anything else".
That is what keeps path enumeration and rule-shadowing checks small on large protocols.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from ..protocol.compiled import CONTEXT_NAMES, CompiledQuestion, Protocol
from ..protocol.conditions import Condition

#: Stands for "any value no condition mentions" of a choice or text name.
OTHER = "\x00other"


@dataclass
class NameUse:
    """How conditions read one name."""

    literals: set[Any] = field(default_factory=set)
    """Values the name is compared with (option ids, numbers, band ids)."""
    opaque: bool = False
    """Compared with another name (``a == b``): every value may matter."""
    counted: bool = False
    """Read through ``count()``: the number of options picked matters."""
    answered: bool = False
    """Read through ``answered()``."""
    bare: bool = False
    """Read as a flag (``weapon_present``) or used whole."""


def condition_uses(
    condition: Condition | str, uses: dict[str, NameUse] | None = None, *, answer_alias: str | None = None
) -> dict[str, NameUse]:
    """Add what ``condition`` reads to ``uses`` (name -> :class:`NameUse`) and return it.

    ``answer_alias`` renames ``answer`` (inside a question's ``sets``) to the question's id.
    """
    uses = {} if uses is None else uses
    source = condition.source if isinstance(condition, Condition) else condition
    try:
        tree = ast.parse(" ".join(source.split()), mode="eval")
    except SyntaxError:  # pragma: no cover - conditions are checked at load time
        return uses

    def name_of(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and node.id not in ("true", "false", "True", "False"):
            return answer_alias if (node.id == "answer" and answer_alias) else node.id
        return None

    def use(name: str) -> NameUse:
        return uses.setdefault(name, NameUse())

    def literal(node: ast.AST) -> list[Any] | None:
        if isinstance(node, ast.Constant):
            return [node.value]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return [-cast(float, node.operand.value)]  # conditions are checked at load time: - precedes only a number
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = []
            for element in node.elts:
                got = literal(element)
                if got is None:
                    return None
                values += got
            return values
        return None

    consumed: set[int] = set()
    for node in ast.walk(tree.body):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = node.left, node.comparators[0]
            left_name, right_name = name_of(left), name_of(right)
            if left_name and right_name:
                use(left_name).opaque = True
                use(right_name).opaque = True
                consumed.update((id(left), id(right)))
            elif left_name and (values := literal(right)) is not None:
                use(left_name).literals.update(values)
                consumed.add(id(left))
            elif right_name and (values := literal(left)) is not None:
                use(right_name).literals.update(values)
                consumed.add(id(right))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            consumed.add(id(node.func))
            target = name_of(node.args[0])
            if target:
                consumed.add(id(node.args[0]))
                if node.func.id == "count":
                    use(target).counted = True
                else:
                    use(target).answered = True
    # Names read anywhere else (flags, arithmetic) are read whole.
    for node in ast.walk(tree.body):
        name = name_of(node)
        if name and id(node) not in consumed:
            use(name).bare = True
    return uses


def all_conditions(protocol: Protocol) -> Iterator[tuple[str, Condition, str | None]]:
    """Every compiled condition with a label saying where it is, and the question whose ``answer`` it reads."""
    for question in protocol.questions:
        if question.when is not None:
            yield f"question {question.id} (when)", question.when, None
        for fact, condition in question.sets:
            yield f"question {question.id} (sets {fact})", condition, question.id
    for fact, condition in protocol.derived_facts:
        yield f"fact {fact}", condition, None
    for override, condition in protocol.overrides:
        yield f"override to {override.at_least}", condition, None
    for level, condition in protocol.screen_levels:
        yield f"suicide level {level.id}", condition, None
    for rule in protocol.rules:
        if rule.when is not None:
            yield f"rule {rule.spec.id}", rule.when, None
        for _addition, also_condition in rule.also:
            if also_condition is not None:
                yield f"rule {rule.spec.id} (also)", also_condition, None
    for guarantee, condition in protocol.guarantees:
        yield f"guarantee {guarantee.id}", condition, None


def protocol_uses(protocol: Protocol, *, exclude_sets_of: str | None = None) -> dict[str, NameUse]:
    """How all of a protocol's conditions read each name."""
    uses: dict[str, NameUse] = {}
    for _, condition, alias in all_conditions(protocol):
        if alias is not None and alias == exclude_sets_of:
            continue
        condition_uses(condition, uses, answer_alias=alias)
    return uses


def reads_other_names(question: CompiledQuestion) -> bool:
    """True when a ``sets`` condition of ``question`` reads more than its own answer."""
    return any(name not in ("answer", question.id) for _, condition in question.sets for name in condition.names)


def value_class(question: CompiledQuestion, value: Any, use: NameUse | None) -> Any:
    """What conditions can see of ``value`` as an answer to ``question`` (equal classes behave alike)."""
    if use is None:
        return None
    if use.opaque:
        return value
    if question.type == "multi":
        picked = frozenset(value)
        return (picked & frozenset(use.literals), len(picked) if use.counted else None)
    if question.type == "number":
        return tuple(_number_side(value, t) for t in sorted(x for x in use.literals if isinstance(x, (int, float))))
    return value if value in use.literals else OTHER


def _number_side(value: float, threshold: float) -> int:
    return (value > threshold) - (value < threshold)


def number_representatives(question: CompiledQuestion, use: NameUse | None) -> list[float]:
    """A number from each interval the thresholds written in conditions cut the range into."""
    spec = question.spec
    low = spec.min if spec.min is not None else -math.inf
    high = spec.max if spec.max is not None else math.inf
    thresholds = sorted(
        {float(x) for x in (use.literals if use else ()) if isinstance(x, (int, float)) and not isinstance(x, bool)}
    )
    candidates: list[float] = []
    if not thresholds:
        candidates.append(low if math.isfinite(low) else (0.0 if high >= 0 else high))
    for i, t in enumerate(thresholds):
        candidates += [t - 1, t]
        nxt = thresholds[i + 1] if i + 1 < len(thresholds) else t + 2
        candidates.append((t + nxt) / 2 if nxt - t > 1 else t + 0.5)
    result = []
    for c in candidates:
        c = min(max(c, low), high)
        if c not in result:
            result.append(c)
    return result


def text_representatives(use: NameUse | None) -> list[str]:
    literals = sorted(x for x in (use.literals if use else ()) if isinstance(x, str))
    return literals + ["(any text)"]


def multi_subsets(options: Iterable[str], limit: int = 10) -> tuple[list[tuple[str, ...]], bool]:
    """Every subset of a multiple-choice question's options, or a sample when there are too many.

    Returns (subsets, complete).
    """
    options = list(options)
    if len(options) <= limit:
        subsets = [combo for size in range(len(options) + 1) for combo in itertools.combinations(options, size)]
        return subsets, True
    subsets = [()] + [(o,) for o in options] + [tuple(options)]
    return subsets, False


def context_values(protocol: Protocol, name: str, use: NameUse | None) -> list[Any]:
    """Values of a context name (line, language, district) worth trying, one per class."""
    domain = {
        "line": [x.id for x in protocol.document.lines],
        "language": list(protocol.languages),
        "district": list(protocol.districts),
    }.get(name, [])
    if use is None or not domain:
        return []
    if use.opaque:
        return domain
    mentioned = [v for v in domain if v in use.literals]
    others = [v for v in domain if v not in use.literals]
    return mentioned + others[:1]


__all__ = [
    "CONTEXT_NAMES",
    "OTHER",
    "NameUse",
    "all_conditions",
    "condition_uses",
    "context_values",
    "multi_subsets",
    "number_representatives",
    "protocol_uses",
    "reads_other_names",
    "text_representatives",
    "value_class",
]
