"""Load a protocol file: YAML with positions → schema → compiled :class:`Protocol`.

Every problem found is reported at once, each with file:line:column, the path in the document and
what was expected. Each stage goes as far as the document can still be read: a duplicate key does
not hide a schema error, and a schema error does not hide the condition and template errors of the
rest of the document. Nothing here raises anything but :class:`ProtocolError`.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from ..untrusted import INPUT_FAILURES, describe_failure
from . import models
from .compiled import Protocol
from .compiler import Compiler
from .errors import MAX_PROBLEMS, Problem, ProtocolError, capped
from .models import ProtocolDocument
from .protocol_file import read_protocol_text as read_protocol_text
from .schema_errors import model_field_names, schema_problem
from .yaml_source import SourceMap, YamlSourceError, read_yaml

_FIELD_NAMES = model_field_names(models)
#: Compiler checks that still mean something when parts of a schema-invalid document were left out
#: to check the rest (a reference to a left-out question would be a false alarm; these are not).
_CHECKS_ON_PARTIAL_DOCUMENT = frozenset(
    {"bad-condition", "bad-template", "bad-timezone", "duplicate-id", "bad-id", "name-clash", "band-order"}
)


def parse_protocol(text: str, file: str = "<protocol>", sha256: str | None = None) -> Protocol:
    """Check and compile protocol text; raise :class:`ProtocolError` listing every problem."""
    try:
        return _parse(text, file, sha256)
    except ProtocolError:
        raise
    except INPUT_FAILURES as exc:  # a limit of a library we use, reached by hostile input
        raise ProtocolError([Problem("unreadable", describe_failure(exc), file, 1, 1)]) from None


def _parse(text: str, file: str, sha256: str | None) -> Protocol:
    try:
        data, source, problems = read_yaml(text, file)
    except YamlSourceError as exc:
        raise ProtocolError(exc.problems) from None
    if not isinstance(data, dict):
        raise ProtocolError(
            problems
            + [Problem("schema", "a protocol is a mapping with protocol:, sections:, responses: ...", file, 1, 1)]
        )
    try:
        document = ProtocolDocument.model_validate(data)
    except ValidationError as exc:
        problems += _schema_problems(exc, source)
        partial, left_out = _without_invalid_parts(data, exc)
        if partial is not None:
            compiler = Compiler(partial, source)
            compiler.compile(file, "")
            problems += [
                p
                for p in compiler.problems
                if p.code in _CHECKS_ON_PARTIAL_DOCUMENT and not any(f'"{name}"' in p.message for name in left_out)
            ]
        raise ProtocolError(capped(_sorted(problems))) from None
    compiler = Compiler(document, source)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    protocol = compiler.compile(file, digest)
    if protocol is None or problems:
        raise ProtocolError(capped(_sorted(problems + compiler.problems)))
    return protocol


def _schema_problems(exc: ValidationError, source: SourceMap) -> list[Problem]:
    # In file order, so the problems worded in full are the first ones an author meets; past the cap
    # the rest are only counted (see capped): wording each of a hostile file's errors costs time.
    errors = sorted(exc.errors(include_url=False), key=lambda e: source.locate(e["loc"]))
    problems = [schema_problem(error, source, _FIELD_NAMES) for error in errors[: MAX_PROBLEMS + 1]]
    problems += [
        Problem("schema", f"(schema problem {n})", source.file, *source.locate(error["loc"]))
        for n, error in enumerate(errors[MAX_PROBLEMS + 1 :], start=MAX_PROBLEMS + 2)
    ]
    return problems


def _without_invalid_parts(data: dict[str, Any], exc: ValidationError) -> tuple[ProtocolDocument | None, set[str]]:
    """The document with each list item that holds a schema error left out, when what remains is
    valid (its conditions and templates can still be checked), and the ids of the items left out
    (a problem naming one is a consequence of leaving it out). None when no such document exists."""
    pruned = copy.deepcopy(data)
    left_out: set[str] = set()
    for _attempt in range(3):
        items: set[tuple[Any, ...]] = set()
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            last_index = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=None)
            if last_index is None:
                return None, left_out  # a problem outside any list (a missing section): nothing to leave out
            items.add(loc[: last_index + 1])
        # Remove from the end of each list first so the other indexes stay right.
        for loc in sorted(items, key=lambda item: (len(item), item), reverse=True):
            container: Any = pruned  # a dict or a list, as deep as the error's location goes
            try:
                for part in loc[:-1]:
                    container = container[part]
                item = container[loc[-1]]
                del container[loc[-1]]
            except (KeyError, IndexError, TypeError):
                return None, left_out
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                left_out.add(item["id"])
        try:
            return ProtocolDocument.model_validate(pruned), left_out
        except ValidationError as again:
            exc = again
    return None, left_out


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
