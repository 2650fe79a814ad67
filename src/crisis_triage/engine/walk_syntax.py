"""Building the compiled walk's Python: small constructors of syntax-tree nodes, and turning a tree
into functions in a namespace that reaches nothing of Python but what the walk needs.

:mod:`.compiled_walk` says *what* the walk does; this module only spells nodes, so that reading the
walk is not reading ``ast`` boilerplate. No author text is ever parsed here: conditions arrive as
checked trees (:meth:`crisis_triage.protocol.conditions.Condition.tree`).
"""

from __future__ import annotations

import ast
from typing import Any

from ..protocol.conditions import NS


def name(text: str) -> ast.Name:
    return ast.Name(text, ast.Load())


def local(text: str) -> ast.Name:
    """A name assigned to."""
    return ast.Name(text, ast.Store())


def call(function: ast.expr | str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=name(function) if isinstance(function, str) else function, args=list(args), keywords=[])


def method(owner: str, method_name: str, *args: ast.expr) -> ast.Call:
    return call(ast.Attribute(name(owner), method_name, ast.Load()), *args)


def store(target: ast.expr, value: ast.expr) -> ast.Assign:
    return ast.Assign(targets=[target], value=value)


def assign(local_name: str, value: ast.expr | int | bool | str) -> ast.Assign:
    """``local_name = value`` (a plain value becomes a constant)."""
    return store(local(local_name), value if isinstance(value, ast.expr) else ast.Constant(value))


def ns_item(key: str, store: bool = False) -> ast.Subscript:
    """``_ns[key]``: the walk's namespace, read (or written, with ``store``)."""
    return ast.Subscript(value=name(NS), slice=ast.Constant(key), ctx=ast.Store() if store else ast.Load())


def if_(test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt] | None = None) -> ast.If:
    return ast.If(test=test, body=body, orelse=orelse or [])


def compare(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.Compare:
    return ast.Compare(left=left, ops=[op], comparators=[right])


def function(
    function_name: str, args: list[str], body: list[ast.stmt], constants: dict[str, Any], filename: str
) -> Any:
    """One function compiled from ``body``, its free names taken from ``constants``."""
    module = ast.Module(body=[definition(function_name, args, body)], type_ignores=[])
    return compile_module(module, constants, filename)[function_name]


def definition(function_name: str, args: list[str], body: list[ast.stmt]) -> ast.FunctionDef:
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg(a) for a in args], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    node = ast.FunctionDef(name=function_name, args=arguments, body=body, decorator_list=[], returns=None)
    # A field from Python 3.12 on, which compile() then wants; harmless before.
    setattr(node, "type_params", [])  # noqa: B010 (mypy's stubs for 3.11 do not have the field)
    return node


def compile_module(module: ast.Module, constants: dict[str, Any], filename: str) -> dict[str, Any]:
    """The namespace ``module`` leaves once run, with ``constants`` and nothing of Python's builtins."""
    fix_missing_locations(module)
    # len is what count() compiles to; nothing else from Python is reachable.
    namespace = {"__builtins__": {}, "len": len, "bool": bool, "frozenset": frozenset, **constants}
    exec(compile(module, filename, "exec"), namespace)
    return namespace


POSITIONS = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def fix_missing_locations(root: ast.AST) -> None:
    """:func:`ast.fix_missing_locations` (a node without a position takes its parent's), as a loop:
    the walk's trees have some thousands of nodes, and the recursive original with its generators
    per node was most of the cost of a protocol's first call."""
    stack: list[tuple[ast.AST, list[int]]] = [(root, [1, 0, 1, 0])]
    while stack:
        node, inherited = stack.pop()
        attributes = node._attributes
        if attributes:
            for i, position in enumerate(POSITIONS):
                if position in attributes:
                    own = getattr(node, position, None)
                    if own is None:  # the walk's own nodes, nearly all: they take the parent's
                        setattr(node, position, inherited[i])
                    elif own != inherited[i]:  # a condition's node, placed in its source: its children take it
                        inherited = [*inherited[:i], own, *inherited[i + 1 :]]
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, ast.AST):
                stack.append((value, inherited))
            elif isinstance(value, list):
                stack.extend((item, inherited) for item in value if isinstance(item, ast.AST))
