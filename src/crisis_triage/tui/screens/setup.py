"""Start of a call: who is calling (the door), through which number (the line), district, language.

One key per door and per line (from the protocol); Enter starts once the door is known. The line,
district and language start from the console's defaults, so the common case is two keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.views import localized
from ...keymap import bindings
from ...protocol.compiled import Protocol
from ..keylabels import shown_key


@dataclass
class CallContext:
    door: str | None
    line: str | None
    district: str | None
    language: str


class CallSetupScreen(Screen[CallContext]):
    """Returns the :class:`CallContext` to start the call with."""

    BINDINGS = bindings("setup")
    AUTO_FOCUS = ""  # nothing focused: one-letter answer keys go to the screen

    def __init__(self, protocol: Protocol, defaults: CallContext) -> None:
        super().__init__()
        self.protocol = protocol
        self.context = CallContext(**vars(defaults))

    def compose(self) -> ComposeResult:
        with Vertical(id="setup"):
            yield Static(
                Text(f"NEW CALL  {self.protocol.title}  {self.protocol.version}", style="bold"), id="setup-title"
            )
            yield Static(id="setup-doors")
            yield Static(id="setup-lines")
            yield Static(id="setup-context")
            yield OptionList(
                *[Option(f"{d}  {name}", id=d) for d, name in self.protocol.districts.items()], id="setup-districts"
            )
            yield Static(id="setup-help")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#setup-districts").display = False
        self.show()

    def show(self) -> None:
        context = self.context
        doors = Text("Who is calling?\n", style="bold")
        for door in self.protocol.document.doors:
            picked = door.id == context.door
            doors.append(f" {(door.key or '?').upper()} ", style="bold reverse")
            doors.append(
                f" {localized(door.label, 'en')}" + ("  <" if picked else "") + "\n", style="bold" if picked else ""
            )
        self.query_one("#setup-doors", Static).update(doors)
        lines = Text("Through which number?\n", style="bold")
        for line in self.protocol.document.lines:
            picked = line.id == context.line
            lines.append(f" {(line.key or '?').upper()} ", style="bold reverse")
            lines.append(
                f" {localized(line.label, 'en')}" + ("  <" if picked else "") + "   ", style="bold" if picked else ""
            )
        self.query_one("#setup-lines", Static).update(lines)
        district = (
            f"{context.district} {self.protocol.districts.get(context.district, '')}"
            if context.district
            else "not known yet"
        )
        self.query_one("#setup-context", Static).update(
            Text.assemble(
                ("District: ", "bold"),
                district,
                f"  ({shown_key(self, 'setup_district')})    ",
                ("Language: ", "bold"),
                context.language.upper(),
                f"  ({shown_key(self, 'setup_language')}: {', '.join(self.protocol.languages)})",
            )
        )
        ready = context.door is not None
        self.query_one("#setup-help", Static).update(
            Text(
                f"{shown_key(self, 'setup_start')} starts the call" if ready else "Press the caller's key to start",
                style="bold" if ready else "dim",
            )
        )

    def on_key(self, event: Key) -> None:
        if isinstance(self.focused, OptionList):
            return
        character = (event.character or "").lower()
        if not character:
            return
        for door in self.protocol.document.doors:
            if door.key and door.key.lower() == character:
                event.stop()
                self.context.door = door.id
                self.show()
                return
        for line in self.protocol.document.lines:
            if line.key and line.key.lower() == character:
                event.stop()
                self.context.line = line.id
                self.show()
                return

    def action_start(self) -> None:
        districts = self.query_one("#setup-districts", OptionList)
        if self.focused is districts:
            option = districts.highlighted_option
            if option is not None:
                self.context.district = option.id
            districts.display = False
            self.set_focus(None)
            self.show()
            return
        if self.context.door is None:
            self.notify("Who is calling? Press one of the door keys first.", severity="warning")
            return
        self.dismiss(self.context)

    def action_language(self) -> None:
        languages = self.protocol.languages
        current = self.context.language
        self.context.language = (
            languages[(languages.index(current) + 1) % len(languages)] if current in languages else languages[0]
        )
        self.show()

    def action_district(self) -> None:
        districts = self.query_one("#setup-districts", OptionList)
        districts.display = True
        ids = list(self.protocol.districts)
        districts.highlighted = ids.index(self.context.district) if self.context.district in ids else 0
        districts.focus()

    @on(OptionList.OptionSelected, "#setup-districts")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        self.context.district = message.option.id
        message.option_list.display = False
        self.set_focus(None)
        self.show()
