"""The condition language: small, typed, checked at load time, compiled once.

Authors write conditions such as ``weapon == "yes" or threat_to_others`` or ``band >= "high"``.
The text is parsed with Python's own parser (the grammar authors already half-know from
spreadsheets), then *every* node is checked against an allow-list and type-checked against the
names the protocol declares. Only then is a fresh syntax tree, built by this module from the
checked one, compiled into a function. The author's text itself is never handed to ``eval``/``exec``.

What the language has: ``and`` / ``or`` / ``not``; comparisons ``== != < <= > >= in not in``;
names (question ids, facts, and ``band``, ``score``, ``door``, ``line``, ``district``,
``language``, ``hour``, ``suicide_level``); text, number and true/false literals; lists of
literals; and the functions ``answered(question)`` and ``count(question)``. Nothing else:
no attributes, subscripts, arithmetic beyond ``+``/``-`` on numbers, calls, lambdas or comprehensions.
Cost is bounded by the size limits below, and the compiled function sees only plain values
(strings, numbers, booleans, frozensets) handed in by the engine.

This module parses and compiles (and keeps a cache of compiled conditions); the checking is
:mod:`.condition_checker`'s, the shared limits and types :mod:`.condition_types`' (re-exported here,
where every reader of conditions imports them from).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .condition_checker import ConditionChecker
from .condition_types import (
    ANSWERED,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_LIST,
    MAX_NODES,
    MAX_NUMBER,
    MAX_STRING,
    NS,
    RANK_SUFFIX,
    UNANSWERED_NUMBER,
    ConditionError,
    NameType,
)


@dataclass(frozen=True)
class Condition:
    """A checked, compiled condition. Call :meth:`evaluate` with the engine's namespace."""

    source: str
    names: frozenset[str]
    """Every name the condition reads: the engine uses it to know what a condition depends on."""
    _function: Callable[[Mapping[str, Any]], Any] = field(repr=False, compare=False)
    _tree: ast.expr | None = field(default=None, repr=False, compare=False)
    """The checked expression tree the function was compiled from (reads the namespace as ``_ns``)."""

    def evaluate(self, namespace: Mapping[str, Any]) -> bool:
        return bool(self._function(namespace))

    def tree(self) -> ast.expr:
        """A fresh copy of the checked expression tree (it reads the namespace through the name ``_ns``)."""
        if self._tree is None:
            raise ValueError("this condition was not compiled from a checked tree")
        copied: ast.expr = _copy_tree(self._tree)
        return copied

    @property
    def test(self) -> Callable[[Mapping[str, Any]], Any]:
        """The compiled function itself, for hot loops: its result is truthy exactly when :meth:`evaluate` is true."""
        return self._function

    def __str__(self) -> str:
        return self.source


__all__ = [
    "ANSWERED",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LIST",
    "MAX_NODES",
    "MAX_NUMBER",
    "MAX_STRING",
    "NS",
    "RANK_SUFFIX",
    "UNANSWERED_NUMBER",
    "Condition",
    "ConditionError",
    "NameType",
    "compile_condition",
]


def _nesting_depth(text: str) -> int:
    depth = deepest = 0
    quote = ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def compile_condition(source: str, names: Mapping[str, NameType], bands: tuple[str, ...] = ()) -> Condition:
    """Check and compile one condition; raise :class:`ConditionError` saying what to fix."""
    if not isinstance(source, str):
        raise ConditionError(f"a condition must be text, found {source!r}")
    text = " ".join(source.split())  # conditions may be folded over lines in YAML
    if not text:
        raise ConditionError("the condition is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionError(
            f"the condition is {len(text)} characters long; the limit is {MAX_LENGTH}: split it into facts"
        )
    if _nesting_depth(text) > MAX_DEPTH:
        raise ConditionError(f"the condition nests brackets more than {MAX_DEPTH} deep")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        hint = ""
        if "=" in text and "==" not in text:
            hint = "; to compare, write == (two equals signs)"
        raise ConditionError(f"cannot read the condition: {exc.msg}{hint}", max(0, (exc.offset or 1) - 1)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ConditionError("the condition is too deeply nested") from None
    # The same text over names of the same types checks and compiles to the same thing: protocols
    # repeat conditions (answer == "yes" on most questions), so each is worked out once.
    # (A name's description only words error messages, and errors are not cached.)
    key = (
        text,
        tuple(bands),
        tuple(
            (n, kind.kind, kind.values) if (kind := names.get(n)) else (n,)
            for n in sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name)})
        ),
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    checker = ConditionChecker(names, bands)
    body = checker.boolean(tree.body)
    function = _compile(body)
    condition = Condition(source=text, names=frozenset(checker.used), _function=function, _tree=body)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = condition
    return condition


# (text, bands, ((name, kind, values) or (name,) for each name used))
_CACHE: dict[tuple[str, tuple[str, ...], tuple[tuple[object, ...], ...]], Condition] = {}
_CACHE_SIZE = 8192


def _locate(node: ast.AST) -> None:
    """Give every node of a built tree a location (compile() needs one), faster than ast.fix_missing_locations."""
    stack = [node]
    while stack:
        item = stack.pop()
        if "lineno" in item._attributes:
            # typeshed declares these on the located node classes only; _attributes says this node has them
            item.lineno = item.end_lineno = 1  # type: ignore[attr-defined]
            item.col_offset = item.end_col_offset = 0  # type: ignore[attr-defined]
        for name in item._fields:
            value = getattr(item, name, None)
            if isinstance(value, ast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, ast.AST))


def _copy_tree(node: Any) -> Any:
    """A structural copy of a syntax tree: new nodes and lists, the constants' (immutable) values
    shared. What ``copy.deepcopy`` gives for these trees, without its memo and reduce protocol (the
    walk copies every condition's tree once when a protocol is first used: ~10 ms of a start)."""
    if isinstance(node, ast.AST):
        copied = node.__class__()
        for name in node._fields:
            if hasattr(node, name):
                setattr(copied, name, _copy_tree(getattr(node, name)))
        for name in node._attributes:
            if hasattr(node, name):
                setattr(copied, name, getattr(node, name))
        return copied
    if isinstance(node, list):
        return [_copy_tree(item) for item in node]
    return node


def _compile(body: ast.expr) -> Callable[[Mapping[str, Any]], Any]:
    # A lambda over one argument (the namespace) made only of the nodes the checker emitted.
    lam = ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[ast.arg(NS)], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
    )
    module = ast.Expression(body=lam)
    _locate(module)
    code = compile(module, "<condition>", "eval")
    # len is the only global the checked tree can reference (through count()).
    function: Callable[[Mapping[str, Any]], Any] = eval(code, {"__builtins__": {}, "len": len})
    return function
