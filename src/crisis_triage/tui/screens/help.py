"""Every key of the console: the bindings (with their ids, for remapping) and the protocol's keys.

Drawn as plain aligned text, not rich tables: measuring and wrapping two tables of ~140 rows took
about a third of a second of CPU on every F1, and help must open at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...engine.views import localized
from ...keymap import KEYS, binding, label


class HelpScreen(ModalScreen):
    BINDINGS = [binding("help_close"), binding("help", "close")]

    def __init__(self, protocol, keymap: dict[str, str]) -> None:
        super().__init__()
        self.protocol = protocol
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(self._keys_text(), id="help-keys")
            yield Static(self._protocol_text(), id="help-protocol")

    def _keys_text(self) -> Text:
        rows = [(label(spec.id, self.keymap), spec.description, spec.where, spec.id) for spec in KEYS]
        rows.append(
            ("ctrl+p", "Command palette: new call, jump to question, language, theme", "everywhere", "(textual)")
        )
        rows.append(("Enter", "Revise the highlighted answer (call so far) / done (multi) / start call", "call", "-"))
        return _columns(
            'Console keys (remap by id in the config file: [keys] id = "key")',
            ("key", "what it does", "where", "binding id"),
            rows,
        )

    def _protocol_text(self) -> Text:
        doc = self.protocol.document
        interrupt = label("interrupt", self.keymap)
        rows: list[tuple[str, ...]] = [
            (f"{interrupt} {item.key.upper()}", f"Interrupt: {localized(item.label, 'en')}") for item in doc.interrupts
        ]
        rows.append(
            (f"{interrupt} {label('interrupt_withdraw', self.keymap)}", "Withdraw an interrupt recorded by mistake")
        )
        rows.append(("Y / N / U", "Yes / No / Unknown on yes-no questions"))
        seen: set[str] = set()
        for question in self.protocol.questions:
            if question.type in ("choice", "multi"):
                keys = ", ".join(f"{o.key.upper()} {localized(o.label, 'en')}" for o in question.options)
                if keys not in seen:
                    seen.add(keys)
                    rows.append((question.id, keys))
        rows += [(door.key.upper() if door.key else "-", f"Door: {localized(door.label, 'en')}") for door in doc.doors]
        rows += [(line.key.upper() if line.key else "-", f"Line: {localized(line.label, 'en')}") for line in doc.lines]
        return _columns(f"Protocol keys ({self.protocol.id} {self.protocol.version})", ("key", "what it does"), rows)

    def action_close(self) -> None:
        self.dismiss(None)


def _columns(title: str, headings: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Text:
    """A titled table as aligned text: the first column bold, the last (of four) dim; the widest
    column (what it does) is not padded, so long lines wrap instead of pushing the rest off."""
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    text = Text()
    text.append(f"{title}\n", style="bold underline")
    for index, row in enumerate([headings, *rows]):
        heading = index == 0
        for column, (cell, width) in enumerate(zip(row, widths)):
            last = column == len(row) - 1
            style = "bold" if heading or column == 0 else ("dim" if last and len(row) > 2 else "")
            text.append(cell if last else cell.ljust(width) + "  ", style=style)
        text.append("\n")
    return text
