"""The EIDO inbox: incidents other systems transferred by subscription; Enter takes one as a call.

The list is the inbox folder that the console's own subscription (``eido_inbox_subscribe`` in the
config, :func:`start_inbox_feed`) or ``crisis-triage eido subscribe URL --inbox`` fills
(:mod:`crisis_triage.interop.eido_inbox`), looked at again when the subscription keeps an incident
and every few seconds, so a transfer shows up while the screen is open. Taking one journals the
call's opening from the sender's EIDO (location, callback, caller, language, notes; the same
incident id) and opens the call screen on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.views import centre_time
from ...interop.eido_inbox_folder import inbox_folder, waiting_count
from ...keymap import bindings

if TYPE_CHECKING:  # the EIDO reader's modules load when the inbox is opened, not with the home screen
    from ...interop.eido_inbox import InboxEntry
    from ...interop.eido_inbox_feed import InboxFeedState, InboxSubscriber

#: Seconds between looks at the inbox folder while the screen is open.
LOOK_EVERY = 2.0
#: Seconds from the console's subscription keeping an incident to the list showing it.
LOOK_SOON = 0.2


class InboxFeedChanged(Message):
    """The console's inbox subscription changed (subscribed, an incident kept, the notifier gone)."""

    bubble = False

    def __init__(self, state: InboxFeedState) -> None:
        super().__init__()
        self.state = state


def start_inbox_feed(app: Any) -> InboxSubscriber:
    """Subscribe to ``eido_inbox_subscribe`` on a thread of its own (after the console's first paint).

    Every screen open is told of each change (the home screen's count, the inbox's list). A setting
    that cannot work (no token, not a ws:// URL) starts nothing; the inbox screen says why."""
    from ...interop.eido_inbox_feed import InboxFeedState, InboxSubscriber, url_problem

    settings = app.settings
    url = settings.eido_inbox_subscribe or ""

    def changed(state: InboxFeedState) -> None:
        # From the subscriber's thread: post_message is thread-safe and never waits for the console.
        for screen in list(app.screen_stack):
            screen.post_message(InboxFeedChanged(state))

    feed = InboxSubscriber(
        url, settings.eido_inbox_token or "", inbox_folder(), qual_filter=settings.eido_inbox_filter, on_change=changed
    )
    problem = url_problem(url) or (None if settings.eido_inbox_token else "eido_inbox_subscribe needs eido_inbox_token")
    if problem is not None:
        feed.state = InboxFeedState(url, problem=f"not subscribed: {problem}")
        changed(feed.state)
        return feed
    return feed.start()


def feed_state(app: Any) -> InboxFeedState | None:
    """The console's inbox subscription as it is now (None when the console has none)."""
    feed = getattr(app, "eido_inbox_feed", None)
    return feed.state if feed is not None else None


def inbox_summary(app: Any) -> Text:
    """The home screen's line: how many transfers wait, and the subscription's trouble if it has any."""
    count = waiting_count(inbox_folder())
    state = feed_state(app)
    text = Text()
    if count:
        text.append(f"EIDO inbox: {count} transfer{'s' if count != 1 else ''} waiting", style="bold")
    elif state is not None:
        text.append("EIDO inbox: nothing waiting", style="dim")
    if state is not None and state.problem:
        text.append(f"\nEIDO inbox subscription: {state.problem}", style="yellow")
    return text


class EidoInboxScreen(Screen["InboxEntry | None"]):
    """Returns the incident to take as a call, or None (back home)."""

    BINDINGS = bindings("eido inbox")
    # The list scrolls within half the screen, so the highlighted incident's details stay in view.
    DEFAULT_CSS = """
    #inbox-list { max-height: 50%; }
    #inbox-detail { margin-top: 1; }
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.entries: list[InboxEntry] = []
        self._look_due = False

    def compose(self) -> ComposeResult:
        with Vertical(id="eido-inbox"):
            yield Static(Text("EIDO inbox: incidents transferred to this centre", style="bold"), id="inbox-title")
            yield Static(id="inbox-hint")
            yield OptionList(id="inbox-list")
            yield Static(id="inbox-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.look()
        self.query_one("#inbox-list", OptionList).focus()
        self.set_interval(LOOK_EVERY, self.look)

    def look(self) -> None:
        """List what waits in the inbox now, keeping the highlighted incident highlighted."""
        from ...interop.eido_inbox import waiting

        protocol = getattr(self.app, "protocol", None)
        if protocol is None:  # the console opened on a protocol with problems: no call can start
            return
        entries, problems = waiting(self.folder, protocol)
        listing = self.query_one("#inbox-list", OptionList)
        highlighted = self._highlighted()
        ids = [e.transfer.incident_id for e in entries]
        if ids != [e.transfer.incident_id for e in self.entries] or (entries and not listing.option_count):
            listing.clear_options()
            listing.add_options([Option(self._line(e, protocol), id=e.transfer.incident_id) for e in entries])
            if highlighted is not None and highlighted.transfer.incident_id in ids:
                listing.highlighted = ids.index(highlighted.transfer.incident_id)
            elif entries:
                listing.highlighted = 0
        self.entries = entries
        hint = Text()
        state = feed_state(self.app)
        if entries:
            hint.append(f"{len(entries)} waiting. Enter takes the highlighted one as a call.")
        elif state is None:
            hint.append(
                "Nothing waiting. Transfers arrive here from `crisis-triage eido subscribe URL --inbox`, "
                "or from the console's own subscription (eido_inbox_subscribe in the config).",
                style="dim",
            )
        else:
            hint.append("Nothing waiting.", style="dim")
        if state is not None:
            if state.problem:
                hint.append(f"\nSubscription to {state.url}: {state.problem}", style="yellow")
            elif state.subscribed:
                hint.append(f"\nSubscribed to {state.url}.", style="dim")
        for problem in problems[:3]:
            hint.append(f"\nCould not read {problem}", style="red")
        self.query_one("#inbox-hint", Static).update(hint)
        self._show_detail()

    def on_inbox_feed_changed(self, _message: InboxFeedChanged) -> None:
        # A busy notifier may send many changes a second: look (which reads every file) at most
        # once per LOOK_SOON, so the list keeps up without the console's loop reading all the time.
        if not self._look_due:
            self._look_due = True
            self.set_timer(LOOK_SOON, self._look_now)

    def _look_now(self) -> None:
        self._look_due = False
        self.look()

    def _line(self, entry: InboxEntry, protocol: Any) -> str:
        transfer = entry.transfer
        when = centre_time(protocol, entry.received_at)
        parts = [
            f"{when:%H:%M:%S}",
            transfer.sender or "unknown sender",
            entry.incident_type or "-",
            entry.status or "-",
            transfer.location or "no location",
            (transfer.language or "?").upper(),
        ]
        return "  ".join(parts)

    def _highlighted(self) -> InboxEntry | None:
        index = self.query_one("#inbox-list", OptionList).highlighted
        return self.entries[index] if index is not None and 0 <= index < len(self.entries) else None

    @on(OptionList.OptionHighlighted, "#inbox-list")
    def _moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entry = self._highlighted()
        text = Text()
        if entry is not None:
            transfer = entry.transfer
            text.append(f"Incident {transfer.incident_id}\n", style="bold")
            text.append(f"From: {transfer.sender or 'unknown'}\n")
            text.append(f"Caller: {transfer.caller_name or 'not given'}\n")
            text.append(f"Callback: {', '.join(transfer.callback) or 'none'}\n")
            text.append(f"Location: {transfer.location or 'not given'}\n")
            for note in transfer.notes[:5]:
                text.append(f"Note: {note}\n", style="italic")
        self.query_one("#inbox-detail", Static).update(text)

    @on(OptionList.OptionSelected, "#inbox-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        chosen = next((e for e in self.entries if e.transfer.incident_id == message.option.id), None)
        if chosen is not None:
            self.dismiss(chosen)

    def action_back(self) -> None:
        self.dismiss(None)


def open_eido_inbox(app: Any) -> None:
    """Show the inbox; the incident chosen starts a call (the home screen's inbox key)."""
    from ...engine.session import SessionError
    from ...interop.eido_console import start_transferred_call
    from ...interop.eido_in import EidoInError
    from ...interop.eido_inbox import mark_taken

    def chosen(entry: InboxEntry | None) -> None:
        if entry is None:
            return
        try:
            call_id = start_transferred_call(
                str(entry.path), app.settings, app.loaded_protocol, app.journal, app.defaults(), app.clock()
            )
        except (EidoInError, SessionError) as exc:
            app.notify(str(exc), title="Cannot take this incident", severity="error", timeout=10)
            return
        except Exception as exc:  # the record store refused: nothing was started
            app.notify(f"The record store refused the call: {exc}", title="NOT RECORDED", severity="error", timeout=15)
            return
        try:
            mark_taken(entry, call_id)
        except OSError as exc:
            app.notify(f"The call started, but the inbox still lists it: {exc.strerror or exc}", severity="warning")
        app.resume_call(call_id)

    app.push_screen(EidoInboxScreen(inbox_folder()), chosen)
