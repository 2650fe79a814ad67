"""This console's active calls: every response not resolved yet (dispatched, not disposed or ended),
with its status, the time since, and its contact window. Pick one with the arrows and press one
response key (the same keys as F11's picker), or D for its disposition.

What is listed comes from the app's response watch (store/response_watch.py), refreshed with every
tick, so a status recorded by ``records update`` or another console shows here within a second.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.session import CallSession, SessionError
from ...engine.views import centre_time, model_name
from ...keymap import bindings
from ...store.response_watch import ActiveResponse
from ..keylabels import shown_key
from ..widgets.message_line import MessageLine
from .response_status import Choice, ResponseChoices, act, status_words


def since_text(now: datetime, moment: datetime | None) -> str:
    if moment is None:
        return "-"
    seconds = max(0, int((now - moment).total_seconds()))
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


def row_text(app, response: ActiveResponse, now: datetime) -> Text:
    protocol = app.protocol
    state = response.state
    text = Text()
    alerting = response.alerting(now)
    text.append(f"{response.call_id[:8]}  ", style="bold red" if alerting else "bold")
    text.append(f"{model_name(protocol, response.model):<22.22}  ")
    if response.field_team:
        status = status_words(response.status) if response.status else "dispatched"
    else:
        landed = state.after.landed
        status = f"landed: {landed.outcome.replace('_', ' ')}" if landed else "call line: handoff not ended"
    text.append(f"{status:<18.18}  ")
    text.append(f"{since_text(now, response.since):>7} ago  ")
    window = response.window
    if window is None:
        text.append("no contact window", style="dim")
    elif window.settled_at is not None:
        text.append(f"contact {centre_time(protocol, window.settled_at):%H:%M}", style="green")
    elif alerting:
        text.append(f"CONTACT OVERDUE since {centre_time(protocol, window.deadline):%H:%M}", style="bold red")
    elif window.overdue(now):
        text.append(
            f"contact overdue, acknowledged {centre_time(protocol, window.acknowledged_at or now):%H:%M}",
            style="yellow",
        )
    else:
        text.append(f"contact due {centre_time(protocol, window.deadline):%H:%M}")
    text.append("  on the phone" if state.ended is None else "", style="italic")
    return text


class ActiveCallsScreen(ResponseChoices, Screen):
    """Returns nothing; Escape goes back to where it was opened from."""

    BINDINGS = bindings("response status", "active calls / follow-ups", "active calls")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ActiveResponse] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="active"):
            yield Static(Text("Active calls: responses not resolved yet", style="bold"), id="active-title")
            yield OptionList(id="active-list")
            yield Static(self.help_text(), id="active-help")
        yield MessageLine(id="message-line")
        yield Footer()

    def help_text(self) -> str:
        key = lambda binding_id: shown_key(self, binding_id)  # noqa: E731
        statuses = ", ".join(
            f"{key(f'status_{s}')} {status_words(s).lower()}"
            for s in ("assigned", "en_route", "on_scene", "contact_made", "unable_to_locate", "cleared")
        )
        return (
            f"Up/Down picks a call, then: {statuses} | {key('disposition')} disposition | "
            f"{key('handoff_landed')} handoff landed (call line) | {key('acknowledge_alert')} acknowledge an overdue alert | "
            f"{key('active_followups')} follow-up queue | {key('active_back')} back"
        )

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#active-list", OptionList).focus()

    def responses_changed(self) -> None:
        """The app's response watch read the store: repaint, keeping the highlighted call."""
        if self.is_mounted:
            self.fill()

    def fill(self) -> None:
        options = self.query_one("#active-list", OptionList)
        chosen = self.selected()
        now = self.app.clock()
        self.rows = list(self.app.response_alerts.active)
        options.clear_options()
        if not self.rows:
            options.add_option(
                Option(Text("No active calls: every response on this console is resolved.", style="dim"), disabled=True)
            )
            return
        options.add_options([Option(row_text(self.app, r, now), id=r.call_id) for r in self.rows])
        ids = [r.call_id for r in self.rows]
        options.highlighted = ids.index(chosen.call_id) if chosen is not None and chosen.call_id in ids else 0

    def selected(self) -> ActiveResponse | None:
        options = self.query_one("#active-list", OptionList)
        if options.highlighted is None or not self.rows or options.highlighted >= len(self.rows):
            return None
        return self.rows[options.highlighted]

    def choose(self, choice: Choice) -> None:
        response = self.selected()
        if response is None:
            self.notify("No call picked.", severity="warning")
            return
        app = self.app
        record = app.response_alerts.recorder(response.call_id)
        call = app.call_screen()
        if call is not None and call.meta.call_id == response.call_id:
            session = call.session
        else:
            try:
                session = CallSession.replay(app.protocol, app.journal.events(response.call_id))
            except SessionError as exc:
                self.notify(f"Cannot read call {response.call_id[:8]}: {exc}", severity="error")
                return
        act(app, session, record, choice, by=app.settings.call_taker_id)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_followups(self) -> None:
        self.app.show_followups()
