"""Lint findings about keys: a protocol key the console already uses on the same screen, and one key
picking two choices on the set-up screen."""

from __future__ import annotations

from ..protocol.errors import Path
from .console_keys import clashes
from .lint_context import Linter


def check_keys(linter: Linter) -> None:
    doc = linter.doc
    checks: list[tuple[str, str, Path]] = []
    for i, door in enumerate(doc.doors):
        if door.key:
            checks.append(("door", door.key, ("doors", i, "key")))
    for i, line in enumerate(doc.lines):
        if line.key:
            checks.append(("line", line.key, ("lines", i, "key")))
    for i, interrupt in enumerate(doc.interrupts):
        checks.append(("interrupt", interrupt.key, ("interrupts", i, "key")))
    for question, path in linter.question_paths():
        for j, option in enumerate(question.options):
            if option.key:
                checks.append(("option", option.key, path + ("options", j, "key")))
    for kind, key, path in checks:
        taken = clashes(kind, key)
        if taken:
            linter.add(
                "key-clash",
                "error",
                f'the key "{key}" is already the console\'s key for {taken} on the same screen; pick another',
                path,
            )
    # Door and line keys share the set-up screen: one key cannot pick both.
    setup: dict[str, Path] = {}
    for kind, key, path in checks:
        if kind in ("door", "line"):
            if key.lower() in setup:
                first_line = linter.loaded.line_of(setup[key.lower()])
                linter.add(
                    "key-clash",
                    "error",
                    f'the key "{key}" already picks a door or line on line {first_line}; the set-up screen needs one key per choice',
                    path,
                )
            else:
                setup[key.lower()] = path
