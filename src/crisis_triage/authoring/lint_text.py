"""Lint findings about the words: translations missing, languages without a translator's review mark,
scripts too long to read aloud; and :func:`localized_texts`, every localized text of a document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from ..protocol.errors import Path
from ..protocol.model_base import _localize
from .lint_context import Linter

READ_ALOUD_FIELDS = ("ask", "ask_other", "say")


def check_translations(linter: Linter) -> None:
    languages = linter.protocol.languages[1:]
    if not languages:
        return
    reviews = linter.doc.protocol.language_review
    # A language scoped to read-aloud scripts shows the call-taker's texts in English by design.
    read_aloud_only = {lang for lang in languages if lang in reviews and reviews[lang].scope == "read_aloud"}
    for path, texts in localized_texts(linter.doc):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        expected = [lang for lang in languages if field in READ_ALOUD_FIELDS or lang not in read_aloud_only]
        missing = [lang for lang in expected if lang not in texts]
        if not missing:
            continue
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if field == "hint":
            linter.add(
                "hint-untranslated",
                "info",
                f"this hint has no {', '.join(missing)} text (hints guide the call-taker)",
                path,
            )
        else:
            linter.add(
                "missing-translation",
                "warning",
                f'no {", ".join(missing)} text for {_describe(path)}: "{_short(texts["en"])}"',
                path,
            )


def check_language_reviews(linter: Linter) -> None:
    reviews = linter.doc.protocol.language_review
    for index, language in enumerate(linter.protocol.languages):
        if language == "en":
            continue
        review = reviews.get(language)
        if review is None:
            linter.add(
                "language-no-review",
                "warning",
                f"the {language} scripts carry no review mark: add protocol.language_review.{language} "
                "with reviewed: true (after a certified translator's review) or false",
                ("protocol", "languages", index),
            )
        elif not review.reviewed:
            linter.add(
                "language-unreviewed",
                "info",
                f"the {language} scripts are not yet reviewed by a certified translator"
                + (f" ({review.note})" if review.note else ""),
                ("protocol", "language_review", language),
                key=True,
            )


def check_script_length(linter: Linter) -> None:
    limit = linter.options.max_words
    for path, texts in localized_texts(linter.doc):
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if field not in READ_ALOUD_FIELDS:
            continue
        for language, text in texts.items():
            words = len(re.sub(r"\{\{.*?\}\}", "x", text).split())
            if words > limit:
                linter.add(
                    "script-too-long",
                    "warning",
                    f"{words} words to read aloud ({language}); keep it under {limit}: split the question or move detail to the hint",
                    path + (language,) if len(texts) > 1 else path,
                )


def localized_texts(doc: BaseModel, path: Path = ()) -> Iterable[tuple[Path, dict[str, str]]]:
    """Every localized text in a document (fields typed Localized), with its path."""
    for name, field in type(doc).model_fields.items():
        value = getattr(doc, name)
        if value is None:
            continue
        here = path + (name,)
        if _is_localized(field):
            yield here, value
        elif isinstance(value, BaseModel):
            yield from localized_texts(value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from localized_texts(item, here + (i,))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from localized_texts(item, here + (key,))
                elif _dict_of_localized(field) and isinstance(item, dict):
                    yield here + (key,), item


def _validators(field) -> list:
    import types
    import typing

    found = list(field.metadata)
    annotation = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # Localized | None
        for arg in typing.get_args(annotation):
            found += list(getattr(arg, "__metadata__", ()) or ())
    return found


def _is_localized(field) -> bool:
    return any(getattr(v, "func", None) is _localize for v in _validators(field))


def _dict_of_localized(field) -> bool:
    annotation = field.annotation
    args: tuple[Any, ...] = getattr(annotation, "__args__", ()) or ()
    return len(args) == 2 and any(
        getattr(v, "func", None) is _localize for v in getattr(args[1], "__metadata__", ()) or ()
    )


def _describe(path: Path) -> str:
    from ..protocol.errors import format_path

    return format_path(path)


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
