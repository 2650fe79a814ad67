"""Pydantic validation errors turned into :class:`Problem` values an author can act on.

Shared by every YAML format of the project (protocols, scenarios): the same wording for the same
slip, with the position from the file's :class:`SourceMap` and "did you mean" for unknown fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from .errors import Problem, did_you_mean
from .yaml_source import SourceMap

_FRIENDLY = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "float_type": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list (- item, or [a, b])",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "string_pattern_mismatch": "ids are lower_snake_case: a letter, then letters, digits or _",
    "string_too_short": "this text cannot be empty",
    "too_short": "this list needs at least one item",
}

_BOUNDS = {
    "greater_than_equal": "expected at least",
    "less_than_equal": "expected at most",
    "greater_than": "expected more than",
    "less_than": "expected less than",
}


def model_field_names(module: ModuleType) -> set[str]:
    """Every field name of the pydantic models defined in ``module`` (for "did you mean")."""
    names: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
            names.update(value.model_fields)
    return names


def schema_problem(error: Mapping[str, Any], source: SourceMap, field_names: Iterable[str]) -> Problem:
    """One pydantic error as a located problem with a sentence saying what was expected."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        return source.problem(
            "unknown-field", f'unknown field "{name}"{did_you_mean(name, field_names)}', loc, key=True
        )
    if kind == "missing":
        return source.problem("missing-field", f'the field "{loc[-1]}" is required here', loc[:-1])
    message = _FRIENDLY.get(kind, error["msg"])
    if kind in ("value_error", "assertion_error"):
        message = error["msg"].removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"expected {error['ctx']['expected']}"
    elif kind == "string_pattern_mismatch" and loc and loc[-1] != "id":
        message = f"expected {error['msg'].lower().removeprefix('string should ')}"
    elif kind in _BOUNDS:
        bound = next(iter(error.get("ctx", {}).values()), "")
        message = f"{_BOUNDS[kind]} {bound}"
    given = error.get("input")
    if kind == "string_type" and isinstance(given, dict):
        # `- Medical first: EMS` reads in YAML as a mapping because of the ": ".
        message += ' (a ": " inside the text makes YAML read it as key: value; put the text in quotes)'
    elif isinstance(given, (str, int, float)) and len(str(given)) < 60:
        message += f" (found {given!r})"
    return source.problem("schema", message, loc)
