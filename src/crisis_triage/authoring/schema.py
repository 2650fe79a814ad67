"""JSON Schemas for editors: the protocol, scenario and referral directory formats from the pydantic models.

The models' field docstrings become ``description`` so an editor with yaml-language-server shows
help on hover. The schema accepts what the loader accepts: a plain string where a translated text is
expected (it is the English text), ``options: [home, street]`` shorthand, ``facts: {name: Label}``
shorthand, and numbers where text is expected (YAML reads ``911`` as a number; the loader takes it
as text). The exported files under ``schema/`` are committed; a test fails when they drift.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from ..protocol import aftercare_models, directory_models, model_base, models, referral_models
from ..protocol.field_docs import add_field_descriptions

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("protocol", "scenario", "directory", "centre")


class _LoaderShaped(GenerateJsonSchema):
    """Describe the shorthands the loader's ``BeforeValidator``s accept."""

    def function_before_schema(self, schema: Any) -> dict[str, Any]:
        inner = super().function_before_schema(schema)
        function = schema.get("function", {}).get("function")
        if function is model_base._localize:
            return {
                "anyOf": [
                    {"type": "string", "description": "The English text (other languages: write a mapping)."},
                    inner,
                ]
            }
        if function is models._option_shorthand and inner.get("type") == "array":
            return dict(
                inner,
                items={
                    "anyOf": [
                        {
                            "type": "string",
                            "pattern": model_base.ID_PATTERN,
                            "description": "An option id; its label is the id with spaces.",
                        },
                        inner["items"],
                    ]
                },
            )
        if function is models._fact_shorthand and inner.get("type") == "object":
            return dict(
                inner,
                additionalProperties={
                    "anyOf": [
                        {"type": "string", "description": "The fact's label (English)."},
                        inner["additionalProperties"],
                    ]
                },
            )
        return inner

    def str_schema(self, schema: Any) -> dict[str, Any]:
        result = super().str_schema(schema)
        result["type"] = ["string", "number"]  # YAML numbers are taken as text (coerce_numbers_to_str)
        return result


def protocol_json_schema() -> dict[str, Any]:
    """The JSON Schema of protocol files."""
    schema = models.ProtocolDocument.model_json_schema(schema_generator=_LoaderShaped)
    add_field_descriptions(schema, "ProtocolDocument", models, referral_models, aftercare_models)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://crisis-triage.example/schema/protocol.schema.json",
        "title": "crisis-triage protocol",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def directory_json_schema() -> dict[str, Any]:
    """The JSON Schema of referral directory files."""
    schema = directory_models.DirectoryDocument.model_json_schema(schema_generator=_LoaderShaped)
    add_field_descriptions(schema, "DirectoryDocument", directory_models, models)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://crisis-triage.example/schema/directory.schema.json",
        "title": "crisis-triage referral directory",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (practice calls), from the training package's models."""
    from ..training.scenario import scenario_json_schema as build

    return build()


def centre_json_schema() -> dict[str, Any]:
    """The JSON Schema of centre files (units per response model), from :mod:`protocol.centre_models`."""
    from ..protocol import centre_models

    schema = centre_models.CentreDocument.model_json_schema(schema_generator=_LoaderShaped)
    add_field_descriptions(schema, "CentreDocument", centre_models)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "https://crisis-triage.example/schema/centre.schema.json",
        "title": "crisis-triage centre",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def json_schema(kind: str) -> dict[str, Any]:
    if kind == "protocol":
        return protocol_json_schema()
    if kind == "centre":
        return centre_json_schema()
    if kind == "scenario":
        return scenario_json_schema()
    if kind == "directory":
        return directory_json_schema()
    raise ValueError(f"unknown schema kind {kind!r}; expected one of {', '.join(KINDS)}")


def schema_text(kind: str) -> str:
    """The schema as the committed file holds it (stable key order, two-space indent)."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
