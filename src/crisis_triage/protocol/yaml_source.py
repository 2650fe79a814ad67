"""Read YAML into plain Python values while remembering where every value came from.

Two of PyYAML's YAML 1.1 habits are dangerous for a protocol and are not inherited here:

* plain ``yes``, ``no``, ``on``, ``off``, ``y``, ``n`` become booleans, which would turn the answer
  options of a yes/no question into ``True``/``False``. Here plain scalars follow YAML 1.2's core
  schema: only ``true``/``false`` are booleans, everything else that is not a number or null is text;
* a key written twice silently keeps the last value, so an author's edit vanishes. Here it is an error
  that names both lines.

Parsing uses libyaml (``CSafeLoader``) when present: composing a node tree is the slow part, and the
C composer keeps loading the shipped protocol well under the 100 ms budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Path, Problem

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN = "tag:crisis-triage,2026:plain"
"""Tag given to plain scalars: they are resolved here by YAML 1.2's rules (:func:`_plain_scalar`)."""


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's loader without its YAML 1.1 resolver, whose regular expressions, run on every scalar,
    were most of the time spent loading a large protocol; the result was thrown away anyway."""

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML's hook
        if kind is yaml.ScalarNode:
            if implicit[0]:
                return _MERGE if value == "<<" else _PLAIN
            return _STR
        return super().resolve(kind, value, implicit)

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass
class SourceMap:
    """Positions of values in one YAML file, keyed by their path in the document."""

    file: str
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    multiline: set[Path] = field(default_factory=set)
    """Paths of text values written over several lines (block scalars): columns inside them do not add up."""

    def locate(self, path: Path) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path`` or of its nearest existing ancestor."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def locate_key(self, path: Path) -> tuple[int, int]:
        """Where the key of a mapping entry sits (for 'unknown field' errors), else the value."""
        return self.key_positions.get(tuple(path)) or self.locate(path)

    def problem(self, code: str, message: str, path: Path, *, key: bool = False, severity: str = "error") -> Problem:
        line, column = self.locate_key(path) if key else self.locate(path)
        return Problem(code, message, self.file, line, column, tuple(path), severity)


class YamlSourceError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def _plain_scalar(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text.replace("_", ""))
    return text


class _Builder:
    def __init__(self, source: SourceMap, lines: list[str]):
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.source.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            if node.end_mark.line != node.start_mark.line:
                self.source.multiline.add(path)
            if node.style in ("|", ">"):
                # A block scalar starts at its | or > indicator; the text an author reads (and a
                # template's line 1) is on the next line.
                line = node.start_mark.line + 1
                content = self.lines[line] if line < len(self.lines) else ""
                self.source.positions[path] = (line + 1, len(content) - len(content.lstrip(" ")) + 1)
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        return None  # pragma: no cover - composer yields only the three kinds

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _PLAIN:
            return _plain_scalar(node.value)  # YAML 1.2 core rules: yes/no/on/off stay text
        if node.style or node.tag == _STR:
            return node.value  # quoted, block, or explicitly !!str
        return _plain_scalar(node.value)  # another explicit tag (!!int 3): read the text as written

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.problems.append(
                    self.source.problem("yaml-merge", "merge keys (<<) are not supported in protocols; write the fields out", path)
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                self.problems.append(
                    Problem("yaml-key", "a mapping key must be plain text", self.source.file, line, column, path)
                )
                continue
            # Keys are always text: `yes:` and `1:` in a risk table are option ids, not a bool or an int.
            key = key_node.value
            key_line = key_node.start_mark.line + 1
            if key in first_seen:
                self.problems.append(
                    Problem(
                        "duplicate-key",
                        f'"{key}" is written twice in this mapping (first on line {first_seen[key]}); '
                        "YAML would silently keep only the last one: remove or merge one of them",
                        self.source.file,
                        key_line,
                        key_node.start_mark.column + 1,
                        path + (key,),
                    )
                )
                continue
            first_seen[key] = key_line
            self.source.key_positions[path + (key,)] = (key_line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, path + (key,))
        return result


def load_yaml(text: str, file: str = "<protocol>") -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain values plus a :class:`SourceMap`.

    Raises :class:`YamlSourceError` with every problem found (syntax, duplicate keys).
    """
    source = SourceMap(file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "YAML syntax error"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlSourceError([Problem("yaml-syntax", f"{what}{context}", file, line, column)]) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError([Problem("yaml-syntax", str(exc).splitlines()[0], file, 1, 1)]) from None
    if node is None:
        raise YamlSourceError([Problem("empty", "the file is empty: expected a protocol mapping", file, 1, 1)])
    builder = _Builder(source, text.splitlines())
    data = builder.build(node, ())
    if builder.problems:
        raise YamlSourceError(builder.problems)
    return data, source
