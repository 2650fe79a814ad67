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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..untrusted import INPUT_FAILURES, MAX_DIGITS, describe_failure
from .errors import Path, Problem

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader

_STR = "tag:yaml.org,2002:str"


_Loader = _BaseLoader

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
#: Most values a document may hold once aliases (``*name``) are expanded: a generated protocol of
#: 10,000 questions holds about 220,000. Without a bound, a few lines of anchors and aliases expand
#: into billions of values ("billion laughs") and every later stage works through all of them.
MAX_VALUES = 500_000
#: Most values aliases may add: a protocol has no need to repeat large parts of itself.
MAX_ALIAS_VALUES = 50_000
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


class _TooLarge(Exception):
    """The document expands past :data:`MAX_VALUES` / :data:`MAX_ALIAS_VALUES` (reading stops there)."""

    def __init__(self, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.message = message
        self.mark = mark


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
    """Builds plain values straight from the parser's events, recording where each came from.

    Working from events rather than PyYAML's node graph skips its resolver and node objects (most of
    the time spent loading a large protocol) and lets the YAML 1.2 rules above apply directly.
    """

    def __init__(self, source: SourceMap, lines: list[str], events: Iterator[yaml.Event]):
        self.source = source
        self.lines = lines
        self.events = events
        self.anchors: dict[str, Any] = {}
        self.anchor_sizes: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.values = 0
        """Values built so far, counting every value an alias repeats."""
        self.alias_values = 0

    def _count(self, added: int, mark: yaml.Mark, alias: str | None = None) -> None:
        self.values += added
        if alias is not None:
            self.alias_values += added
            if self.alias_values > MAX_ALIAS_VALUES:
                raise _TooLarge(
                    f"aliases (*{alias} and others) repeat over {MAX_ALIAS_VALUES:,} values; "
                    "write the repeated parts out, or use fewer aliases",
                    mark,
                )
        if self.values > MAX_VALUES:
            raise _TooLarge(f"the document holds over {MAX_VALUES:,} values (aliases included); split it up", mark)

    def document(self) -> Any:
        """The single document's value; None for an empty stream."""
        next(self.events)  # StreamStartEvent
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        data = self.build(next(self.events), ())  # after the DocumentStartEvent
        next(self.events)  # DocumentEndEvent
        event = next(self.events)
        if isinstance(event, yaml.DocumentStartEvent):
            mark = event.start_mark
            raise yaml.MarkedYAMLError(
                problem="a protocol file holds one document: remove the second `---`", problem_mark=mark
            )
        return data

    def build(self, event: yaml.Event, path: Path) -> Any:
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise yaml.MarkedYAMLError(
                    problem=f'"*{event.anchor}" refers to no anchor (&{event.anchor}) written before it',
                    problem_mark=mark,
                )
            self._count(self.anchor_sizes[event.anchor], mark, event.anchor)
            self.source.positions[path] = (mark.line + 1, mark.column + 1)
            return self.anchors[event.anchor]
        self.source.positions[path] = (mark.line + 1, mark.column + 1)
        before = self.values
        self._count(1, mark)
        if isinstance(event, yaml.ScalarEvent):
            value = self._scalar(event, path)
        elif isinstance(event, yaml.SequenceStartEvent):
            value = []
            for i, item in enumerate(iter(self.events.__next__, None)):
                if isinstance(item, yaml.SequenceEndEvent):
                    break
                value.append(self.build(item, path + (i,)))
        elif isinstance(event, yaml.MappingStartEvent):
            value = self._mapping(path)
        else:  # pragma: no cover - the parser yields only these inside a document
            raise yaml.MarkedYAMLError(problem="unexpected YAML structure", problem_mark=mark)
        if event.anchor:
            self.anchors[event.anchor] = value
            self.anchor_sizes[event.anchor] = self.values - before
        return value

    def _scalar(self, event: yaml.ScalarEvent, path: Path) -> Any:
        if event.end_mark.line != event.start_mark.line:
            self.source.multiline.add(path)
        style = event.style
        if style in ("|", ">"):
            # A block scalar starts at its | or > indicator; the text an author reads (and a
            # template's line 1) is on the next line.
            line = event.start_mark.line + 1
            content = self.lines[line] if line < len(self.lines) else ""
            self.source.positions[path] = (line + 1, len(content) - len(content.lstrip(" ")) + 1)
        tag = event.tag
        if tag is None or tag == "!":
            if event.implicit[0] and not style:
                return self._plain(event, path)  # YAML 1.2 core rules: yes/no/on/off stay text
            return event.value  # quoted or block text
        if tag == _STR:
            return event.value  # explicitly !!str
        return self._plain(event, path)  # another explicit tag (!!int 3): read the text as written

    def _plain(self, event: yaml.ScalarEvent, path: Path) -> Any:
        text = event.value
        if len(text) > MAX_DIGITS and _INT.match(text):
            # Python refuses to convert integers over 4,300 digits (and converting long ones is slow).
            mark = event.start_mark
            self.problems.append(
                Problem(
                    "yaml-number",
                    f"this number has {len(text):,} digits; numbers in a protocol have at most {MAX_DIGITS}",
                    self.source.file,
                    mark.line + 1,
                    mark.column + 1,
                    path,
                )
            )
            return None
        return _plain_scalar(text)

    def _skip(self, event: yaml.Event) -> None:
        """Consume the rest of a node that is not kept (a refused key, a duplicate's value)."""
        depth = 1 if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
        while depth:
            item = next(self.events)
            if isinstance(item, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
            elif isinstance(item, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1

    def _mapping(self, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[Any, int] = {}
        events = self.events
        while True:
            key_event = next(events)
            if isinstance(key_event, yaml.MappingEndEvent):
                return result
            if (
                isinstance(key_event, yaml.ScalarEvent)
                and key_event.value == "<<"
                and key_event.implicit[0]
                and not key_event.style
            ):
                self.problems.append(
                    self.source.problem(
                        "yaml-merge", "merge keys (<<) are not supported in protocols; write the fields out", path
                    )
                )
                self._skip(next(events))
                continue
            if not isinstance(key_event, yaml.ScalarEvent):
                line, column = key_event.start_mark.line + 1, key_event.start_mark.column + 1
                self.problems.append(
                    Problem("yaml-key", "a mapping key must be plain text", self.source.file, line, column, path)
                )
                self._skip(key_event)
                self._skip(next(events))
                continue
            # Keys are always text: `yes:` and `1:` in a risk table are option ids, not a bool or an int.
            key = key_event.value
            key_line = key_event.start_mark.line + 1
            if key in first_seen:
                self.problems.append(
                    Problem(
                        "duplicate-key",
                        f'"{key}" is written twice in this mapping (first on line {first_seen[key]}); '
                        "YAML would silently keep only the last one: remove or merge one of them",
                        self.source.file,
                        key_line,
                        key_event.start_mark.column + 1,
                        path + (key,),
                    )
                )
                self._skip(next(events))
                continue
            first_seen[key] = key_line
            self.source.key_positions[path + (key,)] = (key_line, key_event.start_mark.column + 1)
            result[key] = self.build(next(events), path + (key,))


def read_yaml(text: str, file: str = "<protocol>") -> tuple[Any, SourceMap, list[Problem]]:
    """Parse one YAML document into plain values, a :class:`SourceMap` and the problems that did not
    stop reading (duplicate keys, merge keys, over-long numbers): the values are still usable for
    checking the next stages, so an author sees every slip in one run.

    Raises :class:`YamlSourceError` when the document cannot be read at all (syntax, size, empty).
    """
    source = SourceMap(file)
    builder = _Builder(source, text.splitlines(), yaml.parse(text, Loader=_Loader))
    try:
        data = builder.document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "YAML syntax error"
        context = f" ({exc.context})" if exc.context else ""
        raise YamlSourceError([Problem("yaml-syntax", f"{what}{context}", file, line, column)]) from None
    except _TooLarge as exc:
        line, column = exc.mark.line + 1, exc.mark.column + 1
        raise YamlSourceError([Problem("too-large", exc.message, file, line, column)]) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError([Problem("yaml-syntax", str(exc).splitlines()[0], file, 1, 1)]) from None
    except INPUT_FAILURES as exc:  # deep nesting, a value the parser cannot convert
        raise YamlSourceError([Problem("yaml-syntax", describe_failure(exc), file, 1, 1)]) from None
    if data is None and not source.positions:
        raise YamlSourceError([Problem("empty", "the file is empty: expected a protocol mapping", file, 1, 1)])
    return data, source, builder.problems


def load_yaml(text: str, file: str = "<protocol>") -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain values plus a :class:`SourceMap`.

    Raises :class:`YamlSourceError` with every problem found (syntax, duplicate keys).
    """
    data, source, problems = read_yaml(text, file)
    if problems:
        raise YamlSourceError(problems)
    return data, source
