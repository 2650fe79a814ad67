"""Which service a response was connected to: the engine's list (given on the call, offered, the
district's, then "other (name it)"), one line each. Returns what the record holds: the directory's
service id, or ``other: <name>`` for a service the directory does not list (the engine checks both,
engine/receiving_services.py); None when cancelled.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.receiving_services import ReceivingServiceChoice, other_value
from .modals import NoteModal, _Modal


def _label(choice: ReceivingServiceChoice) -> Text:
    text = Text()
    text.append(choice.name, style="bold" if choice.given or choice.offered else "")
    if choice.kind_label:
        text.append(f"  {choice.kind_label}", style="dim")
    if choice.note:
        text.append(f"  {choice.note}", style="green" if choice.given else "dim")
    return text


class ReceivingServicePicker(_Modal):
    """The services a response can be connected to; Enter picks one, "Other" asks for its name."""

    def __init__(self, choices: tuple[ReceivingServiceChoice, ...], title: str = "Connected to which service?") -> None:
        super().__init__()
        self.choices = choices
        self.title_text = title

    def compose(self) -> ComposeResult:
        options = [Option(_label(choice), id=f"choice-{index}") for index, choice in enumerate(self.choices)]
        with Vertical(classes="modal-box"):
            yield Static(Text(self.title_text, style="bold"), classes="modal-title")
            yield OptionList(*options, id="receiving-list")
            yield Static("Up/Down picks    Enter records it    Escape cancels", classes="modal-help")

    def on_mount(self) -> None:
        self.query_one("#receiving-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#receiving-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        choice = self.choices[int((message.option.id or "choice-0").removeprefix("choice-"))]
        if not choice.is_other:
            self.dismiss(choice.value)
            return

        def named(name: str | None) -> None:
            if name:  # an empty name leaves the picker open: nothing is recorded yet
                self.dismiss(other_value(name))

        self.app.push_screen(NoteModal("Which service? (not in the directory)", "its name, as the team gave it"), named)
