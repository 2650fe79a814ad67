"""Deliberate confirmations: accepting before the safety questions (or with no district), quitting mid-call.

Each returns True only for its own confirm key (never Enter or the key that opened it, which a
hurried call-taker may press twice); anything bound to cancel returns False.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ...keymap import binding
from ..keylabels import shown_key
from .modals import modal_title


class ConfirmModal(ModalScreen[bool]):
    """A warning, its reasons, and one confirm key (:attr:`CONFIRM_ID` in the key table)."""

    DEFAULT_CLASSES = "console-modal"
    CONFIRM_ID = ""

    def __init__(self, title: str, reasons: list[str], confirm_words: str, back_words: str) -> None:
        super().__init__()
        self.title_text = title
        self.reasons = reasons
        self.confirm_words = confirm_words
        self.back_words = back_words

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="confirm-box"):
            yield modal_title(self.title_text, id="confirm-title")
            text = Text()
            for reason in self.reasons:
                text.append(f"! {reason}\n", style="bold red")
            yield Static(text, id="confirm-reasons")
            keys = Text()
            keys.append(f" {shown_key(self, self.CONFIRM_ID)} ", style="bold reverse")
            keys.append(f" {self.confirm_words}    ")
            keys.append(f" {shown_key(self, 'modal_cancel')} ", style="bold reverse")
            keys.append(f" {self.back_words}")
            yield Static(keys, classes="modal-help", id="confirm-keys")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class AcceptAnywayModal(ConfirmModal):
    """Accepting while safety questions are open (or the district is unknown): say what, confirm with A."""

    CONFIRM_ID = "accept_anyway"
    BINDINGS = [binding("modal_cancel"), binding("accept_anyway")]


class QuitWithCallModal(ConfirmModal):
    """Quitting with a call open: the call stays unfinished (offered at the next start)."""

    CONFIRM_ID = "quit_confirm"
    BINDINGS = [binding("modal_cancel"), binding("quit_confirm")]
