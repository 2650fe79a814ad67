"""Field docstrings as JSON Schema descriptions, read from the source only when a schema is made.

Pydantic's ``use_attribute_docstrings`` reads a module's source at *import* time, which cost every
command (and the console's start) about 140 ms. The docstrings are only needed in the exported
JSON Schema, so they are read here, on demand, with :mod:`ast`.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from types import ModuleType
from typing import Any


def field_docstrings(module: ModuleType) -> dict[str, dict[str, str]]:
    """``{class name: {field name: docstring}}`` for the classes defined in ``module``."""
    tree = ast.parse(inspect.getsource(module))
    docs: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        body = node.body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                fields[statement.target.id] = inspect.cleandoc(following.value.value)
        docs[node.name] = fields
    return docs


def add_field_descriptions(schema: dict[str, Any], root: str, *modules: ModuleType) -> dict[str, Any]:
    """Fill ``description`` of every property of ``schema`` (and its ``$defs``) from field docstrings.

    ``root`` is the class name of the top-level model. Descriptions already present are kept.
    """
    docs: dict[str, dict[str, str]] = {}
    for module in modules:
        docs.update(field_docstrings(module))
    targets = [(root, schema)] + list(schema.get("$defs", {}).items())
    for name, definition in targets:
        for field, prop in definition.get("properties", {}).items():
            doc = docs.get(name, {}).get(field)
            if doc and "description" not in prop:
                prop["description"] = doc
    return schema
