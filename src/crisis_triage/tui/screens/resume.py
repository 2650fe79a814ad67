"""Crash recovery: this console's unfinished calls, offered on start; Enter resumes, N starts afresh."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.session import CallSession
from ...engine.views import centre_time, model_name
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
                        f"  {c.meta.protocol_id} {c.meta.protocol_version}  call {c.meta.call_id[:8]}"
                        + self._response(c),
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

    def _response(self, call: CallSummary) -> str:
        """What was dispatched and how far the response got ("  dispatched Co-response, on scene"), so
        the call-taker knows which call to resume; empty before a dispatch or when it cannot be read."""
        app = self.app
        protocol = getattr(app, "protocol", None)
        if protocol is None or call.meta.protocol_id != protocol.id:
            return ""
        try:
            state = CallSession.replay(protocol, app.journal.events(call.meta.call_id)).state
        except Exception:  # a damaged call is still offered; the resume itself says what is wrong
            return ""
        if state.accepted is None:
            return ""
        status = state.after.status
        return f"  dispatched {model_name(protocol, state.accepted[0])}" + (
            f", {status.replace('_', ' ')}" if status else ""
        )

    def on_mount(self) -> None:
        self.query_one("#resume-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#resume-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option.id)

    def action_new(self) -> None:
        self.dismiss(None)
