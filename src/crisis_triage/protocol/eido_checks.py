"""Load-time cross-references of a protocol's ``eido`` section (kept beside the compiler's other checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .models import ProtocolDocument

#: The compiler's reference check: (value, known names, what they are, path in the document) -> found.
Reference = Callable[[str, Iterable[str], str, tuple[Any, ...]], bool]


def check_eido(doc: ProtocolDocument, reference: Reference) -> None:
    """Cross-references of the eido section: facts, suicide levels and roles must exist."""
    section = doc.eido
    if section is None:
        return
    facts = set(doc.facts)
    levels = {lv.id for lv in doc.suicide_screen.levels} if doc.suicide_screen else set()
    for i, row in enumerate(section.incident_types):
        for j, fact in enumerate(row.facts):
            reference(fact, facts, "fact", ("eido", "incident_types", i, "facts", j))
        for j, level in enumerate(row.suicide_levels):
            reference(level, levels, "suicide-screen level", ("eido", "incident_types", i, "suicide_levels", j))
    for role in section.resources:
        reference(role, doc.responses.roles, "response role", ("eido", "resources", role))
    codes = [d.id for d in doc.dispositions]
    for code in section.dispositions:
        reference(code, codes, "disposition", ("eido", "dispositions", code))
