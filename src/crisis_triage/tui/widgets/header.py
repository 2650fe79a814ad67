"""The call header: timer, protocol, console and call-taker, door, line, district, language."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from rich.text import Text
from textual.widgets import Static

from .repaint import update_if_changed


def format_elapsed(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class HeaderFacts(NamedTuple):
    """What the header says besides the timer and the console: plain words, from the call."""

    language: str
    door: str
    forms: tuple[tuple[str, str, str], ...]
    """(district, line, protocol version), longest first: the first that fits the width is shown."""


class CallHeader(Static):
    """One line a call-taker reads at a glance; the timer ticks, the rest follows the call's context."""

    DEFAULT_CLASSES = "call-header"

    facts: HeaderFacts | None = None

    def show(self, *, elapsed: timedelta, protocol, state, console_id: str, call_taker_id: str) -> None:
        # the engine is loaded by now (the first frame may come before it: tui/launch.py)
        from ...engine.views import localized

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
        self.show_facts(
            elapsed=elapsed,
            facts=HeaderFacts(state.language, door.id if door else "door ?", tuple(forms)),
            console_id=console_id,
            call_taker_id=call_taker_id,
        )

    def show_facts(self, *, elapsed: timedelta, facts: HeaderFacts, console_id: str, call_taker_id: str) -> None:
        """The line from plain words (what :meth:`show` worked out from the call, or a launch
        snapshot's copy of them: tui/launch.py), at the widget's width."""
        self.facts = facts
        width = self.size.width or 200
        for district, line_name, version in facts.forms:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(f" {format_elapsed(elapsed)} ", style="bold reverse")
            text.append(f" {facts.language.upper()} ", style="bold reverse" if facts.language != "en" else "bold")
            text.append(f"| {district}")
            text.append(f" | {facts.door} via {line_name}")
            text.append(f" | {console_id}/{call_taker_id}")
            text.append(f" | {version}", style="dim")
            if text.cell_len <= width:
                break
        update_if_changed(self, text, layout=False)
