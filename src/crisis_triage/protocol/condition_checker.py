"""The condition language's checker: every node of a parsed condition against an allow-list, every
name and value against the names the protocol declares (with "did you mean"), and the tree to compile
built fresh from the checked one (band comparisons made numeric). Nothing here runs the author's text.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from typing import Any, cast

from .condition_types import (
    ANSWERED,
    MAX_LIST,
    MAX_NODES,
    MAX_NUMBER,
    MAX_STRING,
    NS,
    RANK_SUFFIX,
    ConditionError,
    NameType,
)
from .errors import did_you_mean

_COMPARE_OPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_ORDER_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_LITERAL_NAMES = {"true": True, "false": False, "True": True, "False": False}
_FUNCTIONS = {
    "answered": "answered(question) is true once the question has an answer",
    "count": "count(question) is how many options of a multiple-choice answer were picked",
}


def _describe(node: ast.AST) -> str:
    """A node as the author wrote it, shortened for an error message."""
    text = ast.unparse(node)
    return text if len(text) < 60 else text[:57] + "..."


class ConditionChecker:
    """Checks a parsed condition and returns the tree to compile, with band comparisons made numeric."""

    def __init__(self, names: Mapping[str, NameType], bands: tuple[str, ...]):
        self.names = names
        self.bands = bands
        self.used: set[str] = set()
        self.nodes = 0

    def fail(self, node: ast.AST, message: str) -> ConditionError:
        return ConditionError(message, getattr(node, "col_offset", 0))

    # -- entry ---------------------------------------------------------------------------------
    def boolean(self, node: ast.expr) -> ast.expr:
        """Check ``node`` in a place that needs true/false and return the tree to compile."""
        self._count(node)
        if isinstance(node, ast.BoolOp):
            return ast.BoolOp(op=node.op, values=[self.boolean(v) for v in node.values])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Not(), operand=self.boolean(node.operand))
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return ast.Constant(node.value)
        if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
            return ast.Constant(_LITERAL_NAMES[node.id])
        if isinstance(node, ast.Name):
            kind = self.name_type(node)
            if kind.kind != "flag":
                raise self.fail(node, self._needs_comparison(node.id, kind))
            return self.load(node.id)
        if isinstance(node, ast.Call):
            tree, call_kind = self.call(node)
            if call_kind != "flag":
                raise self.fail(node, f"{ast.unparse(node)} is a number: compare it, e.g. {ast.unparse(node)} > 0")
            return tree
        raise self.fail(node, f"expected a true/false test here, found {self._what(node)}")

    def _needs_comparison(self, name: str, kind: NameType) -> str:
        if kind.kind in ("choice", "band"):
            example = kind.values[0] if kind.values else "..."
            return f'{name} is {kind.describe or "a choice"}, not true/false: compare it, e.g. {name} == "{example}"'
        if kind.kind == "multi":
            example = kind.values[0] if kind.values else "..."
            return f'{name} holds several options: test one, e.g. "{example}" in {name}'
        if kind.kind == "number":
            return f"{name} is a number: compare it, e.g. {name} > 0"
        return f'{name} is free text: compare it, e.g. {name} == "..."'

    # -- comparisons ---------------------------------------------------------------------------
    def compare(self, node: ast.Compare) -> ast.expr:
        if len(node.ops) != 1:
            raise self.fail(node, "chained comparisons are not allowed: join two comparisons with `and`")
        op, left, right = node.ops[0], node.left, node.comparators[0]
        if not isinstance(op, _COMPARE_OPS):
            raise self.fail(node, f"the operator in {_describe(node)} is not allowed; use == != < <= > >= in, not in")
        if isinstance(op, (ast.In, ast.NotIn)):
            return self._membership(node, op, left, right)
        self._unquoted_answer(left, right)
        left_tree, left_kind = self.value(left)
        right_tree, right_kind = self.value(right)
        if not isinstance(left_tree, ast.Constant) and not isinstance(right_tree, ast.Constant):
            return self._compare_values(node, op, left_tree, left_kind, right_tree, right_kind)
        # Put the name on the left for the checks (the tree keeps the author's order).
        name_kind, literal, literal_node = left_kind, right_tree, right
        if isinstance(left_kind, NameType) is False and isinstance(right_kind, NameType):
            name_kind, literal, literal_node = right_kind, left_tree, left
        if isinstance(name_kind, NameType):
            if name_kind.kind == "band" and isinstance(literal, ast.Constant):
                rank = self._band_rank(literal_node, literal.value)
                # value() gives a NameType only for an ast.Name operand
                name = cast(ast.Name, left if isinstance(left_kind, NameType) else right).id
                rank_tree = self.load(name + RANK_SUFFIX)
                if isinstance(left_kind, NameType):
                    return ast.Compare(left=rank_tree, ops=[op], comparators=[ast.Constant(rank)])
                return ast.Compare(left=ast.Constant(rank), ops=[op], comparators=[rank_tree])
            self._check_against(name_kind, literal, literal_node, op)
        elif (
            isinstance(left_kind, str)
            and isinstance(right_kind, str)
            and (left_kind != right_kind or (isinstance(op, _ORDER_OPS) and left_kind != "number"))
        ):
            raise self.fail(node, f"cannot compare {left_kind} with {right_kind} in {_describe(node)}")
        return ast.Compare(left=left_tree, ops=[op], comparators=[right_tree])

    def _compare_values(
        self,
        node: ast.Compare,
        op: ast.cmpop,
        left_tree: ast.expr,
        left_kind: NameType | str,
        right_tree: ast.expr,
        right_kind: NameType | str,
    ) -> ast.expr:
        """Two values that are not literals (names, count(), sums): same kind, ordered only if numbers.

        A choice or text question holds nothing (None) until answered, so a comparison of two of them
        is made false while either is unanswered: like a number question's NaN, an unanswered
        question never makes a comparison true, and never raises.
        """
        left_word = left_kind.kind if isinstance(left_kind, NameType) else left_kind
        right_word = right_kind.kind if isinstance(right_kind, NameType) else right_kind
        left_name = left_kind.describe if isinstance(left_kind, NameType) and left_kind.describe else left_word
        right_name = right_kind.describe if isinstance(right_kind, NameType) and right_kind.describe else right_word
        if left_word != right_word:
            raise self.fail(node, f"cannot compare {left_name} with {right_name} in {_describe(node)}")
        if isinstance(op, _ORDER_OPS) and left_word != "number":
            raise self.fail(
                node,
                f"{left_name} and {right_name} cannot be ordered with < or >: only numbers can; use == or !=",
            )
        compare = ast.Compare(left=left_tree, ops=[op], comparators=[right_tree])
        if left_word in ("choice", "text"):
            known = [
                ast.Compare(left=tree, ops=[ast.IsNot()], comparators=[ast.Constant(None)])
                for tree, kind in ((left_tree, left_kind), (right_tree, right_kind))
                if isinstance(kind, NameType)
            ]
            return ast.BoolOp(op=ast.And(), values=[*known, compare])
        return compare

    def _unquoted_answer(self, left: ast.expr, right: ast.expr) -> None:
        """``weapon == yes``: an option written without quotes reads as a name; say to quote it."""
        for name_node, other in ((left, right), (right, left)):
            if (
                isinstance(other, ast.Name)
                and other.id not in self.names
                and other.id not in _LITERAL_NAMES
                and isinstance(name_node, ast.Name)
                and (kind := self.names.get(name_node.id)) is not None
                and kind.kind in ("choice", "band", "text")
                and (other.id in kind.values or kind.kind == "text")
            ):
                raise self.fail(
                    other,
                    f'unknown name "{other.id}": to compare with an answer, put it in quotes '
                    f'(did you mean "{other.id}"?)',
                )

    def _check_against(self, kind: NameType, literal: ast.expr, literal_node: ast.expr, op: ast.cmpop) -> None:
        value = literal.value  # type: ignore[attr-defined]  # the other side is a literal here
        if kind.kind == "multi":
            raise self.fail(literal_node, f'{kind.describe} holds several options: test one with "{value}" in ...')
        if kind.kind == "flag":
            if not isinstance(value, bool):
                raise self.fail(
                    literal_node, f"{kind.describe} is true/false; write the name alone, or `not` before it"
                )
            return
        if kind.kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(literal_node, f"{kind.describe} is a number; compared here with {value!r}")
            return
        if isinstance(op, _ORDER_OPS):
            raise self.fail(literal_node, f"{kind.describe} cannot be ordered with < or >; use == or in")
        if not isinstance(value, str):
            raise self.fail(literal_node, f"{kind.describe} holds text; compared here with {value!r}")
        if kind.kind == "choice":
            self._check_value(kind, value, literal_node)

    def _check_value(self, kind: NameType, value: Any, node: ast.AST) -> None:
        if kind.values and value not in kind.values:
            allowed = ", ".join(f'"{v}"' for v in kind.values)
            raise self.fail(
                node,
                f'"{value}" is not a possible value of {kind.describe}{did_you_mean(value, kind.values)}; expected one of {allowed}',
            )

    def _band_rank(self, node: ast.AST, value: Any) -> int:
        if value not in self.bands:
            raise self.fail(
                node,
                f'"{value}" is not a risk band{did_you_mean(value, self.bands)}; bands are {", ".join(self.bands)}',
            )
        return self.bands.index(value)

    def _membership(self, node: ast.Compare, op: ast.cmpop, left: ast.expr, right: ast.expr) -> ast.expr:
        # "x" in multi_question  |  name in ["a", "b"]
        if isinstance(right, ast.Name) and right.id not in _LITERAL_NAMES:
            kind = self.name_type(right)
            if kind.kind != "multi":
                raise self.fail(
                    right,
                    f"`in` needs a list or a multiple-choice question on its right; {right.id} is {kind.describe}. Did you mean {right.id} == ...?",
                )
            left_tree, left_kind = self.value(left)
            if not isinstance(left_tree, ast.Constant) or not isinstance(left_tree.value, str):
                raise self.fail(left, f"put one option in quotes before `in {right.id}`")
            self._check_value(kind, left_tree.value, left)
            return ast.Compare(left=left_tree, ops=[op], comparators=[self.load(right.id)])
        if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
            raise self.fail(
                right, '`in` needs a list in square brackets on its right, e.g. band in ["high", "imminent"]'
            )
        if len(right.elts) > MAX_LIST:
            raise self.fail(right, f"a list may hold at most {MAX_LIST} values")
        items = [self.literal(e) for e in right.elts]
        left_tree, left_kind = self.value(left)
        if isinstance(left_kind, NameType):
            for element, item in zip(right.elts, items):
                if left_kind.kind in ("choice", "band"):
                    if left_kind.kind == "band":
                        self._band_rank(element, item)
                    else:
                        self._check_value(left_kind, item, element)
                elif left_kind.kind == "multi":
                    raise self.fail(
                        left, f'{left_kind.describe} holds several options: test each with "x" in {ast.unparse(left)}'
                    )
        # compile() takes a frozenset constant; typeshed's ast.Constant does not list it
        return ast.Compare(left=left_tree, ops=[op], comparators=[ast.Constant(frozenset(items))])  # type: ignore[arg-type]

    # -- values --------------------------------------------------------------------------------
    def value(self, node: ast.expr) -> tuple[ast.expr, NameType | str]:
        """Check an operand; return its tree and its type (a NameType for names, else a kind word)."""
        self._count(node)
        if isinstance(node, ast.Name):
            if node.id in _LITERAL_NAMES:
                return ast.Constant(_LITERAL_NAMES[node.id]), "flag"
            return self.load(node.id), self.name_type(node)
        if isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
            value = self.literal(node)
            kind = "text" if isinstance(value, str) else "flag" if isinstance(value, bool) else "number"
            return ast.Constant(value), kind
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            left, lk = self.value(node.left)
            right, rk = self.value(node.right)
            for side, side_kind in ((node.left, lk), (node.right, rk)):
                if (side_kind.kind if isinstance(side_kind, NameType) else side_kind) != "number":
                    raise self.fail(side, f"+ and - work on numbers only; {ast.unparse(side)} is not a number")
            return ast.BinOp(left=left, op=node.op, right=right), "number"
        raise self.fail(node, f"{self._what(node)} is not allowed in a condition")

    def literal(self, node: ast.expr) -> Any:
        self._count(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            value = node.operand.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return -self.literal(node.operand)
        if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
            return _LITERAL_NAMES[node.id]
        if not isinstance(node, ast.Constant):
            raise self.fail(node, f"expected a value in quotes or a number, found {self._what(node)}")
        value = node.value
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise self.fail(node, f"text in a condition may be at most {MAX_STRING} characters")
            return value
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                raise self.fail(node, f"numbers in a condition must be between -{MAX_NUMBER:.0e} and {MAX_NUMBER:.0e}")
            return value
        raise self.fail(node, f"{value!r} is not a value a condition can use")

    def call(self, node: ast.Call) -> tuple[ast.expr, str]:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            name = ast.unparse(node.func)
            raise self.fail(
                node,
                f"{name}() is not a function conditions can call{did_you_mean(name, _FUNCTIONS)}; "
                f"available: {', '.join(f + '()' for f in _FUNCTIONS)}",
            )
        if node.keywords or len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            raise self.fail(node, f"{node.func.id}() takes one question id, e.g. {node.func.id}(weapon)")
        target = node.args[0]
        kind = self.name_type(target)
        if node.func.id == "answered":
            if not kind.describe.startswith("question"):
                raise self.fail(target, f"answered() takes a question id; {target.id} is {kind.describe}")
            return ast.Compare(left=ast.Constant(target.id), ops=[ast.In()], comparators=[self.load(ANSWERED)]), "flag"
        if kind.kind != "multi":
            raise self.fail(target, f"count() takes a multiple-choice question; {target.id} is {kind.describe}")
        return ast.Call(func=ast.Name("len", ast.Load()), args=[self.load(target.id)], keywords=[]), "number"

    # -- helpers -------------------------------------------------------------------------------
    def name_type(self, node: ast.Name) -> NameType:
        name = node.id
        if name.startswith("_"):
            raise self.fail(node, f"names starting with _ are not allowed ({name})")
        kind = self.names.get(name)
        if kind is None:
            raise self.fail(
                node,
                f'unknown name "{name}"{did_you_mean(name, self.names)}: '
                "expected a question id, a fact, or one of band, score, door, line, district, language, hour",
            )
        self.used.add(name)
        return kind

    def load(self, name: str) -> ast.expr:
        return ast.Subscript(value=ast.Name(NS, ast.Load()), slice=ast.Constant(name), ctx=ast.Load())

    def _count(self, node: ast.AST) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ConditionError(f"the condition is too large (over {MAX_NODES} parts); split it into facts")

    @staticmethod
    def _what(node: ast.AST) -> str:
        kinds = {
            ast.Attribute: "an attribute (.x)",
            ast.Subscript: "indexing ([...])",
            ast.Lambda: "a lambda",
            ast.BinOp: "arithmetic",
            ast.Call: "a call",
            ast.ListComp: "a comprehension",
            ast.GeneratorExp: "a comprehension",
            ast.Dict: "a mapping",
            ast.IfExp: "an if-expression",
            ast.NamedExpr: "an assignment",
            ast.JoinedStr: "an f-string",
            ast.Starred: "*",
        }
        for cls, word in kinds.items():
            if isinstance(node, cls):
                return f"{word} `{_describe(node)}`"
        return f"`{_describe(node)}`"
