"""The protocol's refresh and rules, compiled: what is worked out of a call's namespace once its
answers are in (the other half of the one walk, :mod:`.compiled_walk`, which records the answers).

``refresh`` brings the derived facts, score, band (points, overrides that lift it, the suicide
screen's level and the band that level requires) up to date; ``first_rule`` finds the decision rule
that holds; ``mask`` tests a list of conditions at once (guarantees, referral rules). Each is
straight-line code built once per protocol from the conditions' checked trees, as the walk is.
To change how the band is scored, change :func:`_refresh_body`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, MutableMapping, Sequence, Set
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.conditions import NS, RANK_SUFFIX, Condition
from . import walk_syntax as syntax

POINTS_RANK = "_points_rank"
"""Where ``refresh`` leaves the rank the points alone give (before overrides): the explanation reads it."""

Namespace = MutableMapping[str, Any]
#: ``refresh(ns, score)``: bring derived facts, score, band and suicide level up to date in ``ns``.
Refresh = Callable[[Namespace, int], None]
#: ``refresh(ns, score, rank, level)`` of the explorer: starts from a band rank and a suicide-level
#: index already settled (see :func:`build_refresh`).
RefreshFrom = Callable[[Namespace, int, int, int], None]


# -- the band: points, overrides, suicide level -----------------------------------------------------
def build_refresh(protocol: Protocol) -> Refresh:
    """Compile ``refresh(ns, score)``: derived facts, score, band (points, overrides, suicide level)."""
    refresh: Refresh = syntax.function(
        "refresh",
        [NS, "_score"],
        _read_in_order(_refresh_body(protocol, frozenset(), True, False)),
        _refresh_constants(protocol),
        "<protocol refresh>",
    )
    return refresh


def _read_in_order(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` reading each name of the namespace once: a name it does not write is read into a
    local at the top, a name it writes (``_ns[key] = value`` at the top level of ``body``) is kept
    in a local as written, and every read takes the local that holds what the namespace would hold
    there. (The overrides and levels read the same facts many times; every name they read is in
    the namespace of the engine's walk, which starts from the protocol's defaults.)"""
    reads = _ReadOnce({})
    out: list[ast.stmt] = []
    for statement in body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else None
        if (
            isinstance(statement, ast.Assign)
            and isinstance(target, ast.Subscript)
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
        ):
            key = target.slice.value
            local = f"_w{len(out)}"
            out.append(syntax.assign(local, reads.visit(statement.value)))
            out.append(syntax.store(syntax.ns_item(key, store=True), syntax.name(local)))
            reads.locals_of[key] = local  # reads from here on take what was written
        else:
            if any(isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) for node in ast.walk(statement)):
                raise ValueError("a refresh writes the namespace only in statements of its own")  # pragma: no cover
            out.append(reads.visit(statement))
    hoisted = [syntax.assign(local, syntax.ns_item(key)) for key, local in reads.first_reads.items()]
    return hoisted + out


def build_refresh_from(protocol: Protocol, settled: Set[tuple[str, int]]) -> RefreshFrom:
    """``refresh(ns, score, rank, level)`` for a walk that has already settled some overrides and
    suicide levels (the authoring explorer, whose partial paths keep a summary of conditions whose
    inputs can no longer change): it starts from that ``rank`` and level index (-1: none), skips the
    ``settled`` keys (``("ovr", i)``, ``("lvl", i)``), and leaves derived facts to the namespace."""
    refresh: RefreshFrom = syntax.function(
        "refresh",
        [NS, "_score", "_r", "_li"],
        _refresh_body(protocol, settled, False, True),
        _refresh_constants(protocol),
        "<protocol refresh from a summary>",
    )
    return refresh


def _refresh_constants(protocol: Protocol) -> dict[str, Any]:
    band_index = {b: i for i, b in enumerate(protocol.band_ids)}
    levels = [level for level, _ in protocol.screen_levels]
    return {
        "_B": tuple(protocol.band_ids),
        # Indexed by level index + 1 (0: no level holds).
        "_LID": ("none", *(level.id for level in levels)),
        "_LAT": (-1, *(band_index[level.at_least] if level.at_least else -1 for level in levels)),
    }


def _refresh_body(protocol: Protocol, settled: Set[tuple[str, int]], derived: bool, start: bool) -> list[ast.stmt]:
    """Overrides only ever lift the band; the suicide screen's highest level that holds decides the
    level, and lifts the band to that level's ``at_least``."""
    band_index = {b: i for i, b in enumerate(protocol.band_ids)}
    body: list[ast.stmt] = []
    if derived:
        for fact, condition in protocol.derived_facts:
            body.append(syntax.store(syntax.ns_item(fact, store=True), syntax.call("bool", condition.tree())))
    body.append(syntax.store(syntax.ns_item("score", store=True), syntax.name("_score")))
    # The band the points alone give: the highest whose floor the score reaches.
    body.append(syntax.assign("_p", 0))
    for i, band in enumerate(protocol.bands):
        if i:
            body.append(
                syntax.if_(
                    syntax.compare(syntax.name("_score"), ast.GtE(), ast.Constant(band.min_score)),
                    [syntax.assign("_p", i)],
                )
            )
    body.append(syntax.store(syntax.ns_item(POINTS_RANK, store=True), syntax.name("_p")))
    if start:
        body.append(
            syntax.if_(
                syntax.compare(syntax.name("_p"), ast.Gt(), syntax.name("_r")), [syntax.assign("_r", syntax.name("_p"))]
            )
        )
    else:
        body += [syntax.assign("_r", syntax.name("_p")), syntax.assign("_li", -1)]
    for i, (override, condition) in enumerate(protocol.overrides):
        if ("ovr", i) in settled:
            continue
        target = band_index[override.at_least]
        lower = syntax.compare(syntax.name("_r"), ast.Lt(), ast.Constant(target))
        body.append(syntax.if_(ast.BoolOp(ast.And(), [lower, condition.tree()]), [syntax.assign("_r", target)]))
    for i, (_level, condition) in enumerate(protocol.screen_levels):  # lowest first: the highest that holds decides
        if ("lvl", i) in settled:
            continue
        test = condition.tree()
        if start:
            test = ast.BoolOp(ast.And(), [syntax.compare(syntax.name("_li"), ast.Lt(), ast.Constant(i)), test])
        body.append(syntax.if_(test, [syntax.assign("_li", i)]))
    level = ast.BinOp(syntax.name("_li"), ast.Add(), ast.Constant(1))
    body.append(syntax.assign("_lr", ast.Subscript(syntax.name("_LAT"), level, ast.Load())))
    body.append(
        syntax.if_(
            syntax.compare(syntax.name("_lr"), ast.Gt(), syntax.name("_r")), [syntax.assign("_r", syntax.name("_lr"))]
        )
    )
    body.append(
        syntax.store(syntax.ns_item("suicide_level", store=True), ast.Subscript(syntax.name("_LID"), level, ast.Load()))
    )
    body.append(
        syntax.store(
            syntax.ns_item("band", store=True), ast.Subscript(syntax.name("_B"), syntax.name("_r"), ast.Load())
        )
    )
    body.append(syntax.store(syntax.ns_item("band" + RANK_SUFFIX, store=True), syntax.name("_r")))
    return body


# -- the rules ---------------------------------------------------------------------------------------
def build_first_rule(protocol: Protocol) -> Callable[[Mapping[str, Any]], int]:
    """Compile ``first_rule(ns)``: the index of the first decision rule whose condition holds."""
    body: list[ast.stmt] = []
    for i, rule in enumerate(protocol.rules):
        if rule.when is None:
            body.append(ast.Return(ast.Constant(i)))
            break
        body.append(syntax.if_(rule.when.tree(), [ast.Return(ast.Constant(i))]))
    else:
        body.append(ast.Return(ast.Constant(-1)))  # never: the loader requires a last rule without a condition
    first_rule: Callable[[Mapping[str, Any]], int] = syntax.function("first_rule", [NS], body, {}, "<protocol rules>")
    return first_rule


def build_mask(conditions: Sequence[Condition | None], filename: str) -> Callable[[Mapping[str, Any]], int]:
    """Compile ``mask(ns)``: bit ``i`` set when condition ``i`` holds (None always holds).

    Every name the conditions read is read from ``ns`` once, at the top, into a local (a namespace
    at the end of the walk holds every name; several conditions often read the same one), and the
    answer is a small int: nothing is allocated per call, and it serves as a memo key as it is.
    """
    locals_of: dict[str, str] = {}
    tests: list[ast.stmt] = []
    for i, condition in enumerate(conditions):
        add = ast.AugAssign(target=syntax.local("_m"), op=ast.BitOr(), value=ast.Constant(1 << i))
        if condition is None:
            tests.append(add)
            continue
        tests.append(syntax.if_(_ReadOnce(locals_of).visit(condition.tree()), [add]))
    body: list[ast.stmt] = [syntax.assign(local, syntax.ns_item(key)) for key, local in locals_of.items()]
    body += [syntax.assign("_m", 0), *tests, ast.Return(syntax.name("_m"))]
    mask: Callable[[Mapping[str, Any]], int] = syntax.function("mask", [NS], body, {}, filename)
    return mask


class _ReadOnce(ast.NodeTransformer):
    """Turns every ``ns["key"]`` read into the local that holds it (named in ``locals_of``)."""

    def __init__(self, locals_of: dict[str, str]):
        self.locals_of = locals_of
        self.first_reads: dict[str, str] = {}
        """The names read before anything was known of them (the caller reads these at the top)."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if (
            isinstance(node.value, ast.Name)
            and node.value.id == NS
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and isinstance(node.ctx, ast.Load)
        ):
            local = self.locals_of.get(node.slice.value)
            if local is None:
                local = self.locals_of[node.slice.value] = f"_k{len(self.locals_of)}"
                self.first_reads[node.slice.value] = local
            return ast.copy_location(syntax.name(local), node)
        self.generic_visit(node)
        return node


def mask_indexes(mask: int) -> tuple[int, ...]:
    """The indexes of the bits set in ``mask``, lowest first."""
    return tuple(i for i in range(mask.bit_length()) if mask >> i & 1)


__all__ = [
    "POINTS_RANK",
    "Namespace",
    "Refresh",
    "RefreshFrom",
    "build_first_rule",
    "build_mask",
    "build_refresh",
    "build_refresh_from",
    "mask_indexes",
]
