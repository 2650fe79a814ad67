"""Every key of the console: the bindings (with their ids, for remapping) and the protocol's keys."""

from __future__ import annotations

from rich.table import Table
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
            yield Static(self._keys_table())
            yield Static(self._protocol_table())

    def _keys_table(self) -> Table:
        table = Table(title='Console keys (remap by id in the config file: [keys] id = "key")', expand=True)
        table.add_column("key", style="bold")
        table.add_column("what it does")
        table.add_column("where")
        table.add_column("binding id", style="dim")
        for spec in KEYS:
            table.add_row(label(spec.id, self.keymap), spec.description, spec.where, spec.id)
        table.add_row(
            "ctrl+p", "Command palette: new call, jump to question, language, theme", "everywhere", "(textual)"
        )
        table.add_row("Enter", "Revise the highlighted answer (call so far) / done (multi) / start call", "call", "-")
        return table

    def _protocol_table(self) -> Table:
        doc = self.protocol.document
        table = Table(title=f"Protocol keys ({self.protocol.id} {self.protocol.version})", expand=True)
        table.add_column("key", style="bold")
        table.add_column("what it does")
        interrupt = label("interrupt", self.keymap)
        for item in doc.interrupts:
            table.add_row(f"{interrupt} {item.key.upper()}", f"Interrupt: {localized(item.label, 'en')}")
        table.add_row(
            f"{interrupt} {label('interrupt_withdraw', self.keymap)}", "Withdraw an interrupt recorded by mistake"
        )
        table.add_row("Y / N / U", "Yes / No / Unknown on yes-no questions")
        seen: set[str] = set()
        for question in self.protocol.questions:
            if question.type in ("choice", "multi"):
                keys = ", ".join(f"{o.key.upper()} {localized(o.label, 'en')}" for o in question.options)
                if keys not in seen:
                    seen.add(keys)
                    table.add_row(question.id, Text(keys))
        for door in doc.doors:
            table.add_row(door.key.upper() if door.key else "-", f"Door: {localized(door.label, 'en')}")
        for line in doc.lines:
            table.add_row(line.key.upper() if line.key else "-", f"Line: {localized(line.label, 'en')}")
        return table

    def action_close(self) -> None:
        self.dismiss(None)
