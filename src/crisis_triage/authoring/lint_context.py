"""The linter's state, shared by every family of checks (``lint_*.py``): kept apart from
:mod:`.lint` so the families import it and :mod:`.lint` imports them, with no cycle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.errors import Path, Problem
from ..protocol.models import ProtocolDocument
from .domains import protocol_uses
from .explore import Exploration
from .source import LoadedProtocol

DEFAULT_MAX_WORDS = 35
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class LintOptions:
    max_words: int = DEFAULT_MAX_WORDS
    exploration: Exploration | None = None
    """A walk already made (the CLI shares one between lint and paths)."""
    today: date | None = None
    """The date entries' ``last_verified`` are measured against (default: today)."""


class Linter:
    """What every family of checks reads (the protocol, its document, the names conditions read and
    where each question is) and where findings go (:meth:`add`)."""

    def __init__(self, loaded: LoadedProtocol, options: LintOptions):
        self.loaded = loaded
        self.protocol: Protocol = loaded.protocol
        self.doc: ProtocolDocument = loaded.protocol.document
        self.options = options
        self.findings: list[Problem] = []
        self.uses = protocol_uses(self.protocol)
        self.paths = {q.id: p for q, p in self.question_paths()}
        self.exploration: Exploration | None = None

    def add(self, code: str, severity: str, message: str, path: Path, *, key: bool = False) -> None:
        self.findings.append(self.loaded.source.problem(code, message, path, key=key, severity=severity))

    def question_paths(self) -> Iterable[tuple[Any, Path]]:
        """Every question of the document with its path, in asking order."""
        for s, section in enumerate(self.doc.sections):
            for q, question in enumerate(section.questions):
                yield question, ("sections", s, "questions", q)
