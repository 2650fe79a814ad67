"""Crash recovery: this console's unfinished calls, offered on start; Enter resumes, N starts afresh."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.views import centre_time
from ...keymap import bindings
from ...store.journal import CallSummary


class ResumeScreen(Screen[str | None]):
    """Returns the call id to resume, or None for a new call (the unfinished ones stay offered)."""

    BINDINGS = bindings("resume")

    def __init__(self, calls: list[CallSummary]) -> None:
        super().__init__()
        self.calls = sorted(calls, key=lambda c: c.last_at, reverse=True)

    def compose(self) -> ComposeResult:
        with Vertical(id="resume"):
            yield Static(Text(f"{len(self.calls)} unfinished call(s) on this console", style="bold"))
            yield Static(
                "The console stopped during these calls. Enter resumes the highlighted one, N starts a new call."
            )
            yield OptionList(
                *[
                    Option(
                        f"{self._local(c.started_at):%Y-%m-%d %H:%M}  {c.events} events  last {self._local(c.last_at):%H:%M:%S}"
                        f"  {c.meta.protocol_id} {c.meta.protocol_version}  call {c.meta.call_id[:8]}",
                        id=c.meta.call_id,
                    )
                    for c in self.calls
                ],
                id="resume-list",
            )
        yield Footer()

    def _local(self, moment):
        """The centre's time (the protocol's time zone), as every other screen shows it."""
        protocol = getattr(self.app, "protocol", None)
        return centre_time(protocol, moment) if protocol is not None else moment.astimezone()

    def on_mount(self) -> None:
        self.query_one("#resume-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#resume-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_new(self) -> None:
        self.dismiss(None)
