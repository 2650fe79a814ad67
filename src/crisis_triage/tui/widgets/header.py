"""The call header: timer, protocol, console and call-taker, door, line, district, language."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.widgets import Static

from ...engine.views import localized
from .repaint import update_if_changed


def format_elapsed(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class CallHeader(Static):
    """One line a call-taker reads at a glance; the timer ticks, the rest follows the call's context."""

    DEFAULT_CLASSES = "call-header"

    def show(self, *, elapsed: timedelta, protocol, state, console_id: str, call_taker_id: str) -> None:
        door = protocol.doors.get(state.door) if state.door else None
        line = next((x for x in protocol.document.lines if x.id == state.line), None)
        district = f"{state.district} {protocol.districts.get(state.district, '')}" if state.district else "district ?"
        text = Text()
        text.append(f" {format_elapsed(elapsed)} ", style="bold reverse")
        # Most needed first: at 80 columns the tail (protocol) is what gets cut.
        text.append(f" {state.language.upper()} ", style="bold reverse" if state.language != "en" else "bold")
        text.append(f"| {district}")
        text.append(f" | {door.id if door else 'door ?'} via {localized(line.label, 'en') if line else 'line ?'}")
        text.append(f" | {console_id}/{call_taker_id}")
        text.append(f" | {protocol.id} {protocol.version}", style="dim")
        update_if_changed(self, text, layout=False)
