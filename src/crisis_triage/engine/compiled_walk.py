"""The decision-only walk of a protocol as one compiled function, built once per protocol.

:class:`crisis_triage.engine.evaluate._Walk` interprets the protocol question by question; for the
decision alone (replay at scale, benchmarks) the same steps are laid out as straight-line code:
one block per question, in asking order, doing exactly what the interpreted walk does (doors, the
condition seen as the call stands before the question, the answer, its points, the facts it sets).
The code is a syntax tree built here from constants and from the conditions' *checked* trees
(:meth:`crisis_triage.protocol.conditions.Condition.tree`); no author text is ever parsed or run
as Python. Tests and bench/engine.py check it agrees with the interpreted walk.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from ..protocol.conditions import NS, RANK_SUFFIX

_MISSING = object()


def _multi_points(risk: Mapping[str, int], values) -> int:
    return sum(risk.get(v, 0) for v in values)


def _sets_by_condition(sets, ns: dict[str, Any], value: Any) -> None:
    ns["answer"] = value
    for fact, condition in sets:
        if condition.test(ns):
            ns[fact] = True


def _name(text: str) -> ast.Name:
    return ast.Name(text, ast.Load())


def _call(function: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=_name(function), args=list(args), keywords=[])


def _store(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[target], value=value)


def _ns_item(key: str, store: bool = False) -> ast.Subscript:
    return ast.Subscript(value=_name(NS), slice=ast.Constant(key), ctx=ast.Store() if store else ast.Load())


def build_refresh(protocol) -> Callable[[dict, int], None]:
    """Compile ``refresh(ns, score)``: derived facts, score, band (points, overrides, suicide level).

    Overrides only ever lift the band; the suicide screen's highest level that holds decides the
    level, and lifts the band to that level's ``at_least``.
    """
    band_index = {b: i for i, b in enumerate(protocol.band_ids)}
    body: list[ast.stmt] = []
    for fact, condition in protocol.derived_facts:
        body.append(_store(_ns_item(fact, store=True), _call("bool", condition.tree())))
    body.append(_store(_ns_item("score", store=True), _name("_score")))
    body.append(_store(ast.Name("_r", ast.Store()), ast.Constant(0)))
    for i, band in enumerate(protocol.bands):
        if i:
            body.append(
                ast.If(
                    test=ast.Compare(_name("_score"), [ast.GtE()], [ast.Constant(band.min_score)]),
                    body=[_store(ast.Name("_r", ast.Store()), ast.Constant(i))],
                    orelse=[],
                )
            )
    for override, condition in protocol.overrides:
        target = band_index[override.at_least]
        test = ast.BoolOp(ast.And(), [ast.Compare(_name("_r"), [ast.Lt()], [ast.Constant(target)]), condition.tree()])
        body.append(ast.If(test=test, body=[_store(ast.Name("_r", ast.Store()), ast.Constant(target))], orelse=[]))
    body += [
        _store(ast.Name("_l", ast.Store()), ast.Constant("none")),
        _store(ast.Name("_lr", ast.Store()), ast.Constant(-1)),
    ]
    for screen_level, condition in protocol.screen_levels:  # lowest first: the last that holds (the highest) decides
        body.append(
            ast.If(
                test=condition.tree(),
                body=[
                    _store(ast.Name("_l", ast.Store()), ast.Constant(screen_level.id)),
                    _store(
                        ast.Name("_lr", ast.Store()),
                        ast.Constant(band_index[screen_level.at_least] if screen_level.at_least else -1),
                    ),
                ],
                orelse=[],
            )
        )
    body.append(
        ast.If(
            test=ast.Compare(_name("_lr"), [ast.Gt()], [_name("_r")]),
            body=[_store(ast.Name("_r", ast.Store()), _name("_lr"))],
            orelse=[],
        )
    )
    body.append(_store(_ns_item("suicide_level", store=True), _name("_l")))
    body.append(_store(_ns_item("band", store=True), ast.Subscript(_name("_B"), _name("_r"), ast.Load())))
    body.append(_store(_ns_item("band" + RANK_SUFFIX, store=True), _name("_r")))
    return _function(
        "refresh", [NS, "_score"], body, {"_B": tuple(protocol.band_ids), "bool": bool}, "<protocol refresh>"
    )


def build_first_rule(protocol) -> Callable[[dict], int]:
    """Compile ``first_rule(ns)``: the index of the first decision rule whose condition holds."""
    body: list[ast.stmt] = []
    for i, rule in enumerate(protocol.rules):
        if rule.when is None:
            body.append(ast.Return(ast.Constant(i)))
            break
        body.append(ast.If(test=rule.when.tree(), body=[ast.Return(ast.Constant(i))], orelse=[]))
    else:
        body.append(ast.Return(ast.Constant(-1)))  # never: the loader requires a last rule without a condition
    return _function("first_rule", [NS], body, {}, "<protocol rules>")


def _function(name: str, args: list[str], body: list[ast.stmt], constants: dict[str, Any], filename: str):
    function = ast.FunctionDef(
        name=name,
        args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in args], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    module = ast.Module(body=[function], type_ignores=[])
    ast.fix_missing_locations(module)
    # len is what count() compiles to; nothing else from Python is reachable.
    namespace = {"__builtins__": {}, "len": len, **constants}
    exec(compile(module, filename, "exec"), namespace)
    return namespace[name]


def build(rows, refresh: Callable[[dict, int], None]) -> Callable[[dict, Mapping, Any, set], tuple[int, bool]]:
    """Compile the rows of an evaluate._Plan into ``walk(ns, answers, door, answered) -> (score, stale)``."""
    constants: dict[str, Any] = {
        "__builtins__": {},
        "len": len,
        "frozenset": frozenset,
        "_M": _MISSING,
        "_multi_points": _multi_points,
        "_sets_by_condition": _sets_by_condition,
        "_refresh": refresh,
    }
    body: list[ast.stmt] = [
        _store(ast.Name("_score", ast.Store()), ast.Constant(0)),
        _store(ast.Name("_stale", ast.Store()), ast.Constant(True)),
    ]
    for i, (question, qid, doors, _when, reads_derived, multi, risk, table, sets) in enumerate(rows):
        block: list[ast.stmt] = [
            _store(_ns_item(qid, store=True), _call("frozenset", _name("_v")) if multi else _name("_v")),
            ast.Expr(
                ast.Call(
                    func=ast.Attribute(_name("_answered"), "add", ast.Load()), args=[ast.Constant(qid)], keywords=[]
                )
            ),
        ]
        if risk is not None:
            constants[f"_R{i}"] = dict(risk)
            points = (
                _call("_multi_points", _name(f"_R{i}"), _name("_v"))
                if multi
                else ast.Call(
                    func=ast.Attribute(_name(f"_R{i}"), "get", ast.Load()),
                    args=[_name("_v"), ast.Constant(0)],
                    keywords=[],
                )
            )
            block.append(ast.AugAssign(target=ast.Name("_score", ast.Store()), op=ast.Add(), value=points))
        if sets:
            if table is not None:
                constants[f"_T{i}"] = dict(table)
                facts = ast.Call(
                    func=ast.Attribute(_name(f"_T{i}"), "get", ast.Load()),
                    args=[_name("_v"), ast.Tuple([], ast.Load())],
                    keywords=[],
                )
                block.append(
                    ast.For(
                        target=ast.Name("_f", ast.Store()),
                        iter=facts,
                        body=[_store(ast.Subscript(_name(NS), _name("_f"), ast.Store()), ast.Constant(True))],
                        orelse=[],
                    )
                )
            else:
                constants[f"_S{i}"] = tuple(sets)
                block.append(ast.Expr(_call("_sets_by_condition", _name(f"_S{i}"), _name(NS), _ns_item(qid))))
        block.append(_store(ast.Name("_stale", ast.Store()), ast.Constant(True)))

        if question.when is not None:
            gated: list[ast.stmt] = [ast.If(test=question.when.tree(), body=block, orelse=[])]
            if reads_derived:
                gated.insert(
                    0,
                    ast.If(
                        test=_name("_stale"),
                        body=[
                            ast.Expr(_call("_refresh", _name(NS), _name("_score"))),
                            _store(ast.Name("_stale", ast.Store()), ast.Constant(False)),
                        ],
                        orelse=[],
                    ),
                )
            block = gated
        present: ast.expr = ast.Compare(left=_name("_v"), ops=[ast.IsNot()], comparators=[_name("_M")])
        if doors is not None:
            constants[f"_D{i}"] = frozenset(doors)
            present = ast.BoolOp(
                op=ast.And(),
                values=[present, ast.Compare(left=_name("_door"), ops=[ast.In()], comparators=[_name(f"_D{i}")])],
            )
        body.append(
            _store(
                ast.Name("_v", ast.Store()),
                ast.Call(
                    func=ast.Attribute(_name("_answers"), "get", ast.Load()),
                    args=[ast.Constant(qid), _name("_M")],
                    keywords=[],
                ),
            )
        )
        body.append(ast.If(test=present, body=block, orelse=[]))
    body.append(ast.Return(ast.Tuple([_name("_score"), _name("_stale")], ast.Load())))
    del constants["__builtins__"], constants["len"]
    return _function("walk", [NS, "_answers", "_door", "_answered"], body, constants, "<protocol decision walk>")
