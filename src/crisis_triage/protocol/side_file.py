"""Loading a YAML file that goes with a protocol (a centre, a referral directory), the way a protocol
is loaded: bounded read, YAML with positions, schema, then the file's own checks (against the
protocol when one is given), every problem at once with ``file:line:column``, raised as
:class:`ProtocolError` and never anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem, ProtocolError
from .protocol_file import read_text_and_digest
from .schema_errors import schema_problem
from .yaml_source import SourceMap, YamlSourceError, load_yaml

Document = TypeVar("Document", bound=BaseModel)
Loaded = TypeVar("Loaded")


def read_side_file(path: str | FilePath, what: str) -> tuple[str, str]:
    """A file's text and the sha256 of its bytes, read through the bounded reader (a device, a folder
    or a file over the size limit is a problem, never a hang); :class:`ProtocolError` if unreadable."""
    return read_text_and_digest(path, what)


def parse_side_file(
    text: str,
    file: str,
    model: type[Document],
    field_names: Any,
    shape: str,
    checks: Callable[[Document, SourceMap], list[Problem]],
) -> tuple[Document, SourceMap]:
    """The file's document (validated against ``model``) and its source map, once ``checks`` find no
    problem. ``shape`` says what the top level must be ("a centre file is a mapping with ..."),
    ``field_names`` are the schema's names for "did you mean" (``schema_errors.model_field_names``)."""
    try:
        data, source = load_yaml(text, file)
    except YamlSourceError as exc:
        raise ProtocolError(exc.problems) from None
    if not isinstance(data, dict):
        raise ProtocolError([Problem("schema", shape, file, 1, 1)])
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        problems = [schema_problem(e, source, field_names) for e in exc.errors(include_url=False)]
        raise ProtocolError(sorted_problems(problems)) from None
    problems = checks(document, source)
    if problems:
        raise ProtocolError(sorted_problems(problems))
    return document, source


def problems_in(load: Callable[[str | FilePath, Any], Loaded], path: str | FilePath, protocol: Any) -> list[Problem]:
    """Every problem ``load(path, protocol)`` finds, or an empty list when the file is valid."""
    try:
        load(path, protocol)
    except ProtocolError as exc:
        return list(exc.problems)
    return []


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Each problem once, in file order."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.line, p.column))
