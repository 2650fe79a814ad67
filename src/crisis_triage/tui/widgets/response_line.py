"""One line on the call screen for the response after the dispatch: "Dispatched Co-response 14:02 ·
on scene 14:20 · contact due 14:22". Drawn from the call's state, so a resumed call shows its
dispatch, handoff and response as they were."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from ...engine.state import CallState
    from ...protocol.compiled import Protocol


def response_text(protocol: Protocol, state: CallState, now: datetime, key: str = "") -> Text | None:
    """The line's words (``key``: the response key's label, said at the end), or None before anything
    is dispatched."""
    if state.accepted is None:
        return None
    # the engine is loaded by now (the first frame may come before it: tui/launch.py)
    from ...engine.aftercare import contact_window
    from ...engine.views import centre_time, model_name

    after = state.after

    def hhmm(moment: datetime) -> str:
        return f"{centre_time(protocol, moment):%H:%M}"

    text = Text()
    text.append(f"Dispatched {model_name(protocol, state.accepted[0])}", style="bold")
    if after.dispatched_at is not None:
        text.append(f" {hhmm(after.dispatched_at)}")
    if state.handoff_outcome:
        text.append(f" · handoff {state.handoff_outcome.replace('_', ' ')}")
    if after.landed is not None:
        text.append(f" · landed: {after.landed.outcome.replace('_', ' ')}")
    for at, status, source in sorted(after.statuses):
        text.append(f" · {status.replace('_', ' ')} {hhmm(at)}" + (f" ({source})" if source != "console" else ""))
    window = contact_window(protocol, state)
    if window is not None and window.settled_at is None:
        if window.alerting(now):
            text.append(f" · CONTACT OVERDUE since {hhmm(window.deadline)}", style="bold red")
        elif window.overdue(now):
            text.append(f" · contact overdue (acknowledged {hhmm(window.acknowledged_at or now)})", style="yellow")
        else:
            text.append(f" · contact due {hhmm(window.deadline)}")
    if after.disposition is not None:
        text.append(f" · disposition: {after.disposition.code.replace('_', ' ')}", style="bold")
    if key:
        text.append(f"  ({key} response)", style="dim")
    return text


class ResponseLine(Static):
    DEFAULT_CSS = """
    ResponseLine {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, protocol: Protocol, state: CallState, now: datetime, key: str = "") -> None:
        text = response_text(protocol, state, now, key)
        self.display = text is not None
        if text is not None:
            self.update(text)
