"""Load a protocol file: YAML with positions → schema → compiled :class:`Protocol`.

Every problem found is reported at once, each with file:line:column, the path in the document and
what was expected. Nothing here raises anything but :class:`ProtocolError`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path as FilePath

from pydantic import ValidationError

from . import models
from .compiled import Protocol
from .compiler import Compiler
from .errors import Problem, ProtocolError
from .models import ProtocolDocument
from .schema_errors import model_field_names, schema_problem
from .yaml_source import YamlSourceError, load_yaml

_FIELD_NAMES = model_field_names(models)


def parse_protocol(text: str, file: str = "<protocol>", sha256: str | None = None) -> Protocol:
    """Check and compile protocol text; raise :class:`ProtocolError` listing every problem."""
    try:
        data, source = load_yaml(text, file)
    except YamlSourceError as exc:
        raise ProtocolError(exc.problems) from None
    if not isinstance(data, dict):
        raise ProtocolError(
            [Problem("schema", "a protocol is a mapping with protocol:, sections:, responses: ...", file, 1, 1)]
        )
    try:
        document = ProtocolDocument.model_validate(data)
    except ValidationError as exc:
        problems = [schema_problem(e, source, _FIELD_NAMES) for e in exc.errors(include_url=False)]
        raise ProtocolError(_sorted(problems)) from None
    compiler = Compiler(document, source)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    protocol = compiler.compile(file, digest)
    if protocol is None:
        raise ProtocolError(_sorted(compiler.problems))
    return protocol


def read_protocol_text(path: str | FilePath) -> tuple[str, str]:
    """A protocol file's text and the sha256 of its bytes; :class:`ProtocolError` if unreadable."""
    path = FilePath(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(
            [Problem("unreadable", f"cannot read the file: {exc.strerror or exc}", str(path))]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProtocolError(
            [Problem("encoding", "the file is not UTF-8 text; save it as UTF-8", str(path), line, 1)]
        ) from None
    return text, hashlib.sha256(raw).hexdigest()


def load_protocol(path: str | FilePath) -> Protocol:
    """Read and compile a protocol file; raise :class:`ProtocolError` (never anything else)."""
    text, digest = read_protocol_text(path)
    return parse_protocol(text, str(path), digest)


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
