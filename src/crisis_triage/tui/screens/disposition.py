"""Record how a response ended: the protocol's disposition codes (one key each, the protocol's), then
the details the code asks for, one dialog each: a choice for a detail with options, the referral
directory for the receiving service of "connected to care" (the services the engine offers on this
call first), typed text otherwise. The engine checks the whole event (required details, who may
record it) before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import Static

from ...engine.events_response import DispositionRecorded
from ...engine.receiving_services import receiving_service_choices
from ...engine.session import CallSession
from ...protocol.aftercare_models import Disposition, DispositionDetail
from ...protocol.models import localized
from ..keylabels import shown_key
from .modals import ChoiceModal, NoteModal, _Modal

ROLE = "call_taker"
"""The console's role when it records a disposition (the protocol says which roles may record which code)."""


class DispositionModal(_Modal):
    """The protocol's disposition codes, each on its key; returns the code picked."""

    BINDINGS: ClassVar[list[BindingType]] = _Modal.BINDINGS

    def __init__(self, dispositions: list[Disposition], current: str | None = None) -> None:
        super().__init__()
        self.dispositions = dispositions
        self.current = current

    def keyed(self) -> list[tuple[str, Disposition]]:
        """Each code with its key: the protocol's, else the next free digit."""
        taken = {d.key.lower() for d in self.dispositions if d.key}
        spare = iter(k for k in "123456789" if k not in taken)
        return [((d.key or next(spare, "")).lower(), d) for d in self.dispositions]

    def compose(self) -> ComposeResult:
        text = Text()
        for key, disposition in self.keyed():
            text.append(f" {key.upper()} ", style="bold reverse")
            text.append(f" {localized(disposition.label, 'en')}")
            if disposition.id == self.current:
                text.append("  (recorded)", style="bold")
            text.append("\n")
        with Vertical(classes="modal-box", id="disposition-box"):
            yield Static(Text("DISPOSITION: how did the response end?", style="bold"), classes="modal-title")
            yield Static(text, id="disposition-list")
            yield Static(f"{shown_key(self, 'modal_cancel')} cancels", classes="modal-help")

    def on_key(self, event: Key) -> None:
        character = (event.character or "").lower()
        for key, disposition in self.keyed():
            if key and key == character:
                event.stop()
                self.dismiss(disposition.id)
                return


def service_words(directory: Any, value: str) -> str:
    """A recorded receiving service as a note names it: "Name (id)", or the ``other: <name>`` as typed."""
    service = directory.by_id.get(value) if directory is not None else None
    return f"{localized(service.spec.name, 'en')} ({value})" if service is not None else value


def pick_service(app: Any, session: CallSession, done: Callable[[str | None], None]) -> bool:
    """Pick the service a response was connected to (the engine's list: given on the call, offered,
    the district's, then "other (name it)"); False when the console has no directory (the caller then
    asks for typed text). ``done`` gets what the record holds: a directory id or ``other: <name>``."""
    from .receiving_service import ReceivingServicePicker

    directory = getattr(app, "directory", None)
    if directory is None:
        return False
    app.push_screen(ReceivingServicePicker(receiving_service_choices(session.protocol, directory, session.state)), done)
    return True


class DispositionFlow:
    """The code, then each detail in turn; records the event through ``record`` at the end."""

    def __init__(self, app: Any, session: CallSession, record: Callable[[Any], bool]) -> None:
        self.app = app
        self.session = session
        self.record = record
        self.spec: Disposition | None = None
        self.details: dict[str, str] = {}
        self.pending: list[DispositionDetail] = []

    def start(self) -> None:
        protocol = self.session.protocol
        if not protocol.document.dispositions:
            self.app.notify("The protocol defines no disposition codes.", severity="warning")
            return
        done = self.session.state.after.disposition
        self.app.push_screen(
            DispositionModal(list(protocol.document.dispositions), done.code if done else None), self._coded
        )

    def _coded(self, code: str | None) -> None:
        if code is None:
            return
        self.spec = next(d for d in self.session.protocol.document.dispositions if d.id == code)
        self.pending = list(self.spec.details)
        self._next()

    def _next(self) -> None:
        if not self.pending:
            self._finish()
            return
        detail = self.pending.pop(0)
        title = f"{localized(detail.label, 'en')}" + ("" if detail.required else " (optional: Enter leaves it empty)")

        def given(value: str | None) -> None:
            if not value and detail.required:
                self.app.notify(
                    f"Not recorded: the disposition needs {localized(detail.label, 'en')}", severity="warning"
                )
                return
            if value:
                self.details[detail.id] = value
            self._next()

        if detail.options is not None:
            choices = [(o, o.replace("_", " ")) for o in detail.options]
            self.app.push_screen(ChoiceModal(title, choices, None), given)
        elif detail.from_directory and pick_service(self.app, self.session, given):  # the protocol marks it
            return
        else:
            self.app.push_screen(NoteModal(title, "type it, Enter saves"), given)

    def _finish(self) -> None:
        assert self.spec is not None
        event = DispositionRecorded(at=self.app.clock(), code=self.spec.id, details=self.details, recorded_by=ROLE)
        if self.record(event):
            self.app.notify(f"Disposition recorded: {localized(self.spec.label, 'en')}")
