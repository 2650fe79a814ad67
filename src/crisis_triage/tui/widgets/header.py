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
        district_name = protocol.districts.get(state.district, "") if state.district else ""
        # Longest first; each later form is shorter, so the whole line fits the width with nothing cut
        # (at 80 columns: district code, line id, protocol version only).
        forms = [
            (
                f"{state.district} {district_name}" if state.district else "district ?",
                localized(line.label, "en") if line else "line ?",
                f"{protocol.id} {protocol.version}",
            ),
            (state.district or "district ?", localized(line.label, "en") if line else "line ?", protocol.version),
            (state.district or "district ?", line.id if line else "line ?", protocol.version),
            (state.district or "?", line.id if line else "?", protocol.version),
        ]
        width = self.size.width or 200
        for district, line_name, version in forms:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(f" {format_elapsed(elapsed)} ", style="bold reverse")
            text.append(f" {state.language.upper()} ", style="bold reverse" if state.language != "en" else "bold")
            text.append(f"| {district}")
            text.append(f" | {door.id if door else 'door ?'} via {line_name}")
            text.append(f" | {console_id}/{call_taker_id}")
            text.append(f" | {version}", style="dim")
            if text.cell_len <= width:
                break
        update_if_changed(self, text, layout=False)
