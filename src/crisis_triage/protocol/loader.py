"""Load a protocol file: YAML with positions → schema → compiled :class:`Protocol`.

Every problem found is reported at once, each with file:line:column, the path in the document and
what was expected. Nothing here raises anything but :class:`ProtocolError`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError

from . import models
from .compiled import Protocol
from .compiler import Compiler
from .errors import Problem, ProtocolError, did_you_mean
from .models import ProtocolDocument
from .yaml_source import SourceMap, YamlSourceError, load_yaml


def _field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return names


_FRIENDLY = {
    "missing": "this field is required",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (- item, or [a, b])",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "string_pattern_mismatch": "ids are lower_snake_case: a letter, then letters, digits or _",
}


def _schema_problem(error: Any, source: SourceMap, data: Any) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        message = f'unknown field "{name}"{did_you_mean(name, _field_names())}'
        return source.problem("unknown-field", message, loc, key=True)
    message = _FRIENDLY.get(kind, error["msg"])
    if kind == "missing":
        message = f'the field "{loc[-1]}" is required here'
        return source.problem("missing-field", message, loc[:-1])
    if kind in ("value_error", "assertion_error"):
        message = error["msg"].removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"expected {error['ctx']['expected']}"
    elif kind == "string_pattern_mismatch" and len(loc) and loc[-1] != "id":
        message = f"expected {error['msg'].lower().removeprefix('string should ')}"
    given = error.get("input")
    if isinstance(given, (str, int, float)) and len(str(given)) < 60:
        message += f" (found {given!r})"
    return source.problem("schema", message, loc)


def parse_protocol(text: str, file: str = "<protocol>", sha256: str | None = None) -> Protocol:
    """Check and compile protocol text; raise :class:`ProtocolError` listing every problem."""
    try:
        data, source = load_yaml(text, file)
    except YamlSourceError as exc:
        raise ProtocolError(exc.problems) from None
    if not isinstance(data, dict):
        raise ProtocolError([Problem("schema", "a protocol is a mapping with protocol:, sections:, responses: ...", file, 1, 1)])
    try:
        document = ProtocolDocument.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(e, source, data) for e in exc.errors(include_url=False)]
        raise ProtocolError(_sorted(problems)) from None
    compiler = Compiler(document, source)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    protocol = compiler.compile(file, digest)
    if protocol is None:
        raise ProtocolError(_sorted(compiler.problems))
    return protocol


def load_protocol(path: str | FilePath) -> Protocol:
    """Read and compile a protocol file; raise :class:`ProtocolError` (never anything else)."""
    path = FilePath(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError([Problem("unreadable", f"cannot read the file: {exc.strerror or exc}", str(path))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProtocolError([Problem("encoding", "the file is not UTF-8 text; save it as UTF-8", str(path), line, 1)]) from None
    return parse_protocol(text, str(path), hashlib.sha256(raw).hexdigest())


def check_protocol(path: str | FilePath) -> list[Problem]:
    """Every problem in a protocol file, or an empty list when it is valid."""
    try:
        load_protocol(path)
    except ProtocolError as exc:
        return list(exc.problems)
    return []


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line, p.column))
