"""The building blocks every protocol-format model shares: ids, localized text, the strict base model.

Kept apart from ``models.py`` so that a section's own module (``<area>_models.py``) imports them from
here while ``models.py`` imports the section for the document model, with no cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
"""Ids are lower_snake_case: they appear in conditions, records and reports."""

ANSWER_TYPES = ("yes_no", "choice", "multi", "number", "text")
CALLER_KINDS = ("self", "family", "bystander", "professional", "other")


def _localize(value: object) -> object:
    # A plain string is the English text: most fields are written in English first.
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and any(v is None for v in value.values()):
        # {en: Upset, crying} reads in YAML as two keys: "en" and "crying" with no value.
        raise ValueError('a comma inside { } ends the text early: put the text in quotes, {en: "Upset, crying"}')
    return value


LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$")
"""A BCP 47 language tag as callers' languages are written (``ht``, ``pt-BR``, ``zh-Hant``, ``kea``)."""


def is_language_tag(value: object) -> bool:
    """True for a well-formed BCP 47 tag (primary language, then up to four subtags)."""
    return isinstance(value, str) and len(value) <= 35 and LANGUAGE_TAG.match(value) is not None


def _check_localized(value: dict[str, str]) -> dict[str, str]:
    if "en" not in value:
        raise ValueError("English text (en) is required; other languages are optional")
    for language, text in value.items():
        if not re.match(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", language):
            raise ValueError(f'"{language}" is not a language code such as en or es')
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the {language} text is empty")
    return value


Localized = Annotated[dict[str, str], BeforeValidator(_localize), AfterValidator(_check_localized)]
"""Text to show or read aloud: a plain string (English) or a mapping of language code to text."""


def localized(texts: Mapping[str, str] | None, language: str) -> str:
    """``texts`` in ``language``, falling back to English (empty when there is no text at all)."""
    if not texts:
        return ""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()))


class Strict(BaseModel):
    # Field docstrings reach the JSON Schema through protocol/field_docs.py, read only when a schema is
    # exported: pydantic's use_attribute_docstrings would parse this file on every start (~140 ms).
    # defer_build: a model's validator is built when it first validates, not at import; the console
    # reading a cached protocol (store/protocol_cache.py) never validates one.
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True, defer_build=True)
