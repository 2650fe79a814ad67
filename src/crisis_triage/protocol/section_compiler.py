"""What a protocol section's own checks may ask of the compiler, as a typing Protocol.

A section kept in its own module (referral rules, the EIDO table, ...) checks its references and
compiles its conditions through these methods. Typing against this interface instead of the
``Compiler`` class keeps ``compiler.py -> <section>.py`` the only import between them (no cycle).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from .conditions import Condition, NameType
from .errors import Path, Problem
from .models import ProtocolDocument

if TYPE_CHECKING:  # a protocol read from the compiled cache loads this module, never YAML
    from .yaml_source import SourceMap


class SectionCompiler(Protocol):
    """The compiler as a section's checks see it: the document, and ways to report and resolve."""

    doc: ProtocolDocument
    source: SourceMap
    """Where each path of the document is (for a problem placed off its path's own line)."""
    problems: list[Problem]
    """The problems found so far (append one already located)."""

    def error(self, code: str, message: str, path: Path, *, key: bool = False, column_offset: int = 0) -> None:
        """Report a located problem."""

    def unique(self, items: Iterable[tuple[str, Path]], what: str) -> None:
        """Report ids that appear twice."""

    def reference(self, value: str, known: Iterable[str], what: str, path: Path) -> bool:
        """True if ``value`` is one of ``known``; else report it (with "did you mean")."""

    def condition(
        self,
        text: str | None,
        names: Mapping[str, NameType],
        bands: tuple[str, ...],
        path: Path,
        forbid: tuple[str, ...] = (),
    ) -> Condition | None:
        """Compile a condition, reporting its problems at ``path``; None if it has none or is wrong."""
