"""A subscription's ``qualFilter`` (NENA-STA-024.1a): which incidents a subscriber to all of them hears.

NENA's subscribe schema says only that the qualFilter is a string, that it narrows a subscription to
new incidents ("new") to a subset of them, and that it must not come with an ``incidentId``. This
notifier reads it as a JSONPath query (RFC 9535) over the incident's EIDO: an incident passes while its
current EIDO gives the query at least one node. For example::

    $[?@.incidentTypeCommonRegistryText == 'SUICTHRT' || @.incidentTypeCommonRegistryText == 'SUICIDE']
    $.incidentComponent.incidentStatusCommonRegistryText[?@ == 'Active']
    $[?@.beatOrDispatchGroupText == 'B2' && @.incidentCommonPriorityNumber <= 2]
    $.dispatchComponent

The subset read: the root ``$``; child segments ``.name``, ``['name']``, ``.*``, ``[*]``, ``[index]``;
the descendant segment ``..name``; filters ``[?expression]`` with ``@`` and ``$`` paths, comparisons
(``== != < <= > >=``) of singular paths and literals (strings in single or double quotes, numbers,
``true``, ``false``, ``null``), existence tests, ``!``, ``&&``, ``||`` and parentheses. Anything else
is refused when subscribing (400), with what was expected where. A filter comes from another system:
its length and nesting are bounded, and it is parsed once, when subscribing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_FILTER_CHARS = 1000
MAX_FILTER_DEPTH = 16

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<op>==|!=|<=|>=|&&|\|\||\.\.|[][$@.*?()!<>,])
      | (?P<name>[A-Za-z_][A-Za-z0-9_$-]*)
    )""",
    re.VERBOSE,
)
_MISSING = object()


class FilterError(ValueError):
    """A qualFilter this notifier cannot read; the message says where and what was expected."""


@dataclass(frozen=True)
class QualFilter:
    """A parsed qualFilter: :meth:`matches` tells whether an EIDO passes it."""

    text: str
    query: Callable[[Any, Any], Iterator[Any]]

    def matches(self, document: Any) -> bool:
        return next(iter(self.query(document, document)), _MISSING) is not _MISSING


def parse_filter(text: str) -> QualFilter:
    """Parse a qualFilter; raises :class:`FilterError`."""
    if not isinstance(text, str) or not text.strip():
        raise FilterError("qualFilter must be a non-empty JSONPath query (it starts with $)")
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"qualFilter is {len(text)} characters; at most {MAX_FILTER_CHARS}")
    parser = _Parser(text)
    query = parser.query("$")
    parser.end()
    return QualFilter(text, query)


# -- parsing ---------------------------------------------------------------------------------------
Nodes = Callable[[Any, Any], Iterator[Any]]
"""(current node @ or root $, root $) -> the nodes selected."""


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = _TOKEN.match(text, position)
            if found is None or found.end() == position:
                position += len(text[position:]) - len(text[position:].lstrip())
                raise FilterError(f"qualFilter column {position + 1}: unexpected {text[position : position + 10]!r}")
            kind = found.lastgroup or ""
            start = found.start(kind)
            self.tokens.append((kind, found.group(kind), start))
            position = found.end()
        self.at = 0
        self.depth = 0
        self.singular = True
        """Whether the query parsed last selects at most one node (the only kind a comparison takes)."""
        self._last_query: Nodes | None = None

    # token helpers
    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None, kind: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value) or (kind is not None and token[0] != kind):
            wanted = repr(value) if value else (kind or "more")
            where = f"column {token[2] + 1}" if token else "the end"
            raise FilterError(f"qualFilter {where}: expected {wanted}")
        self.at += 1
        return token

    def accept(self, value: str) -> bool:
        token = self.peek()
        if token is not None and token[1] == value and token[0] == "op":
            self.at += 1
            return True
        return False

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            raise FilterError(f"qualFilter column {token[2] + 1}: unexpected {token[1]!r}")

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_FILTER_DEPTH:
            raise FilterError(f"qualFilter nests more than {MAX_FILTER_DEPTH} deep")

    # grammar
    def query(self, start: str) -> Nodes:
        self.take(start, "op")
        steps: list[Callable[[Any, Any], Iterator[Any]]] = []
        singular = True
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in (".", "..", "["):
            step, one = self.segment()
            steps.append(step)
            singular = singular and one
        self.singular = singular

        def run(current: Any, root: Any) -> Iterator[Any]:
            nodes: list[Any] = [root if start == "$" else current]
            for step in steps:
                nodes = [found for node in nodes for found in step(node, root)]
                if not nodes:
                    break
            return iter(nodes)

        return run

    def segment(self) -> tuple[Callable[[Any, Any], Iterator[Any]], bool]:
        if self.accept(".."):
            name = self.take(kind="name")[1] if not self.accept("*") else None
            return _descendants(name), False
        if self.accept("."):
            if self.accept("*"):
                return _children, False
            return _member(self.take(kind="name")[1]), True
        self.take("[")
        if self.accept("*"):
            self.take("]")
            return _children, False
        if self.accept("?"):
            self.nested()
            test = self.or_expression()
            self.depth -= 1
            self.take("]")
            return _filtered(test), False
        kind, value, _ = self.take()
        self.take("]")
        if kind == "string":
            return _member(_unquote(value)), True
        if kind == "number" and re.fullmatch(r"-?\d+", value):
            return _index(int(value)), True
        raise FilterError(f"qualFilter: expected a name in quotes, an index, * or ?filter in [], not {value!r}")

    def or_expression(self) -> Callable[[Any, Any], bool]:
        parts = [self.and_expression()]
        while self.accept("||"):
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else lambda node, root: any(p(node, root) for p in parts)

    def and_expression(self) -> Callable[[Any, Any], bool]:
        parts = [self.unary()]
        while self.accept("&&"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else lambda node, root: all(p(node, root) for p in parts)

    def unary(self) -> Callable[[Any, Any], bool]:
        if self.accept("!"):
            self.nested()
            inner = self.unary()
            self.depth -= 1
            return lambda node, root: not inner(node, root)
        if self.accept("("):
            self.nested()
            inner = self.or_expression()
            self.depth -= 1
            self.take(")")
            return inner
        left, left_is_path = self.operand()
        exists, left_singular = self._last_query, self.singular
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARE:
            self.at += 1
            right, right_is_path = self.operand()
            if (left_is_path and not left_singular) or (right_is_path and not self.singular):
                raise FilterError(
                    f"qualFilter column {token[2] + 1}: a comparison takes paths to one value (no *, .. or ?filter)"
                )
            compare = _COMPARE[token[1]]
            return lambda node, root: compare(left(node, root), right(node, root))
        if not left_is_path or exists is None:
            raise FilterError("qualFilter: a literal alone is not a test (compare it with a path)")
        return lambda node, root: next(exists(node, root), _MISSING) is not _MISSING

    def operand(self) -> tuple[Callable[[Any, Any], Any], bool]:
        token = self.peek()
        if token is None:
            raise FilterError("qualFilter: the filter ends where a value was expected")
        kind, value, column = token
        if kind == "op" and value in ("@", "$"):
            query = self._last_query = self.query(value)
            singular = self.singular

            def single(node: Any, root: Any) -> Any:
                found = list(query(node, root))
                return found[0] if singular and len(found) == 1 else _MISSING

            return single, True
        self.at += 1
        self._last_query, self.singular = None, True
        if kind == "string":
            text = _unquote(value)
            return (lambda node, root: text), False
        if kind == "number":
            number = float(value) if any(c in value for c in ".eE") else int(value)
            return (lambda node, root: number), False
        if kind == "name" and value in ("true", "false", "null"):
            constant = {"true": True, "false": False, "null": None}[value]
            return (lambda node, root: constant), False
        raise FilterError(f"qualFilter column {column + 1}: expected a path (@ or $) or a value, not {value!r}")


def _unquote(token: str) -> str:
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


# -- selecting -------------------------------------------------------------------------------------
def _children(node: Any, root: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        yield from node.values()
    elif isinstance(node, list):
        yield from node


def _member(name: str) -> Callable[[Any, Any], Iterator[Any]]:
    def select(node: Any, root: Any) -> Iterator[Any]:
        if isinstance(node, dict) and name in node:
            yield node[name]

    return select


def _index(index: int) -> Callable[[Any, Any], Iterator[Any]]:
    def select(node: Any, root: Any) -> Iterator[Any]:
        if isinstance(node, list) and -len(node) <= index < len(node):
            yield node[index]

    return select


def _descendants(name: str | None) -> Callable[[Any, Any], Iterator[Any]]:
    def select(node: Any, root: Any) -> Iterator[Any]:
        stack = [node]  # iterative: an EIDO's depth never reaches the stack
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if name is None:
                    yield from item.values()
                elif name in item:
                    yield item[name]
                stack.extend(reversed(list(item.values())))
            elif isinstance(item, list):
                if name is None:
                    yield from item
                stack.extend(reversed(item))

    return select


def _filtered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Iterator[Any]]:
    def select(node: Any, root: Any) -> Iterator[Any]:
        for child in _children(node, root):
            if test(child, root):
                yield child

    return select


def _same_kind(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or type(a) is type(b)


def _equal(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return _same_kind(a, b) and a == b


def _less(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING or not _same_kind(a, b) or isinstance(a, (bool, dict, list)) or a is None:
        return False
    return bool(a < b)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": _less,
    ">": lambda a, b: _less(b, a),
    "<=": lambda a, b: _less(a, b) or _equal(a, b),
    ">=": lambda a, b: _less(b, a) or _equal(a, b),
}
