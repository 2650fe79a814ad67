"""The follow-up queue on the console: what the protocol's rules owe (caring contacts, re-checks),
overdue first, then due, then done. Pick one with the arrows; one key records an attempt and how it
went (reached and safe, referred, no answer, declined). The highlighted call's referrals are offered
again: those given on the call, then what the engine offers for its facts; "referred" names one.

Read from and recorded in the centre store when the console has one (every console's follow-ups),
else the console's own file (store/followups.py); attempts are recorded from outside the call's
console (store/outside.py), checked against the replayed call first.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...engine.events_response import FollowUpAttempted
from ...engine.referral_views import given_line, referral_views, referrals_given
from ...engine.session import CallSession, SessionError
from ...engine.views import centre_time
from ...keymap import BY_ID, bindings
from ...protocol.models import localized
from ...store.followups import FollowUpItem, load_queue, queue_store
from ...store.journal import JournalError
from ...store.outside import record_outside
from ..keylabels import shown_key
from ..widgets.message_line import MessageLine
from .disposition import pick_service

SHOWN = 300
"""Rows listed (overdue and due first, so nothing open is cut before a done one)."""


class FollowUpQueueScreen(Screen):
    BINDINGS = bindings("follow-up queue", "active calls / follow-ups")

    def __init__(self) -> None:
        super().__init__()
        self.items: list[FollowUpItem] = []
        self.store: Any = None
        self._close_store = False
        self._calls: dict[str, CallSession | None] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="followups"):
            yield Static(Text("Follow-up queue", style="bold"), id="followup-title")
            yield OptionList(id="followup-list")
            yield Static(id="followup-detail")
            yield Static(self.help_text(), id="followup-help")
        yield MessageLine(id="message-line")
        yield Footer()

    def help_text(self) -> str:
        outcomes = " | ".join(
            f"{shown_key(self, f'followup_{o}')} {BY_ID[f'followup_{o}'].description.lower()}"
            for o in ("reached_safe", "referred", "no_answer", "declined")
        )
        return f"Up/Down picks, then record the attempt: {outcomes} | {shown_key(self, 'active_back')} back"

    def on_mount(self) -> None:
        try:
            self.store, self._close_store = queue_store(self.app.journal, self.app.settings)
        except JournalError as exc:
            self.notify(f"The follow-up queue cannot be read: {exc}", severity="error")
            return
        self.reload()
        self.query_one("#followup-list", OptionList).focus()

    def on_unmount(self) -> None:
        if self._close_store and self.store is not None:
            self.store.close()

    # -- showing -------------------------------------------------------------------------------------
    def rule_label(self, rule: str) -> str:
        follow_up = self.app.protocol.document.follow_up
        spec = next((r for r in follow_up.rules if r.id == rule), None) if follow_up else None
        return localized(spec.label, "en") if spec else rule

    def reload(self) -> None:
        now = self.app.clock()
        try:
            items = load_queue(self.store, now)
        except (JournalError, OSError) as exc:
            self.notify(f"The follow-up queue cannot be read: {exc}", severity="error")
            return
        counts = {s: sum(1 for i in items if i.status(now) == s) for s in ("overdue", "due", "done")}
        self.query_one("#followup-title", Static).update(
            Text(
                f"Follow-up queue: {counts['overdue']} overdue, {counts['due']} due, {counts['done']} done",
                style="bold",
            )
        )
        options = self.query_one("#followup-list", OptionList)
        keep = self.selected()
        self.items = items[:SHOWN]
        options.clear_options()
        protocol = self.app.protocol
        for item in self.items:
            status = item.status(now)
            text = Text()
            text.append(
                f"{status.upper() if status == 'overdue' else status:<8}",
                style="bold red" if status == "overdue" else "",
            )
            text.append(f"  due {centre_time(protocol, item.due):%a %H:%M}  call {item.call_id[:8]}  ")
            text.append(f"{self.rule_label(item.rule):<28.28}  {item.attempts} tries")
            if item.last_outcome:
                text.append(f", last: {item.last_outcome.replace('_', ' ')}", style="dim")
            options.add_option(Option(text, id=f"{item.call_id}:{item.rule}"))
        if not self.items:
            options.add_option(Option(Text("Nothing owed: no follow-ups in the queue.", style="dim"), disabled=True))
            self.query_one("#followup-detail", Static).update("")
            return
        keys = [(i.call_id, i.rule) for i in self.items]
        options.highlighted = (
            keys.index((keep.call_id, keep.rule)) if keep is not None and (keep.call_id, keep.rule) in keys else 0
        )
        self.show_detail()

    def selected(self) -> FollowUpItem | None:
        options = self.query_one("#followup-list", OptionList)
        if options.highlighted is None or options.highlighted >= len(self.items):
            return None
        return self.items[options.highlighted]

    def call(self, call_id: str) -> CallSession | None:
        """The call replayed from the queue's store (kept while the screen is open)."""
        if call_id not in self._calls:
            try:
                events = [s.event for s in self.store.stored_events(call_id)]
                self._calls[call_id] = CallSession.replay(self.app.protocol, events)
            except (SessionError, JournalError, KeyError):
                self._calls[call_id] = None
        return self._calls[call_id]

    @on(OptionList.OptionHighlighted, "#followup-list")
    def show_detail(self) -> None:
        item = self.selected()
        detail = self.query_one("#followup-detail", Static)
        if item is None:
            detail.update("")
            return
        session = self.call(item.call_id)
        text = Text(
            f"{self.rule_label(item.rule)} for call {item.call_id[:8]} (console {item.console_id})\n", style="bold"
        )
        if session is None:
            text.append("The call cannot be read with this console's protocol.\n", style="dim")
            detail.update(text)
            return
        given = referrals_given(session.events)
        if given:
            text.append("Referrals given on the call:\n")
            for event in given:
                text.append(f"  {given_line(event)}\n")
        directory = getattr(self.app, "directory", None)
        if directory is not None:
            offered = referral_views(self.app.protocol, directory, session.state, session.assessment)
            if offered:
                text.append("Offered for this call's facts:\n")
                for view in offered[:5]:
                    text.append(f"  {view.name} ({view.kind_label}), {view.contact}\n")
        if not given and directory is None:
            text.append("No referrals on this call, and no referral directory on this console.\n", style="dim")
        detail.update(text)

    # -- recording -----------------------------------------------------------------------------------
    def action_attempt(self, outcome: str) -> None:
        item = self.selected()
        if item is None:
            self.notify("No follow-up picked.", severity="warning")
            return
        if item.done_at is not None:
            self.notify("That follow-up is done already.", severity="warning")
            return
        session = self.call(item.call_id)
        if (
            outcome == "referred"
            and session is not None
            and pick_service(self.app, session, "Referred to", lambda service: self._record(item, outcome, service))
        ):
            return
        self._record(item, outcome, None)

    def _record(self, item: FollowUpItem, outcome: str, service: str | None) -> None:
        if outcome == "referred" and service is None and getattr(self.app, "directory", None) is not None:
            return  # the service picker was cancelled: nothing recorded
        note = f"referred to {service}" if service else ""
        event = FollowUpAttempted(
            at=self.app.clock(),
            rule=item.rule,
            outcome=outcome,
            by=self.app.settings.call_taker_id,
            note=note,
        )
        try:
            record_outside(self.store, self.app.protocol, item.call_id, [event])
        except SessionError as exc:
            self.notify(str(exc), title="Not recorded", severity="error")
            return
        except (JournalError, KeyError, OSError, AttributeError) as exc:
            self.notify(f"The record store refused the attempt: {exc}", title="NOT RECORDED", severity="error")
            return
        self._calls.pop(item.call_id, None)
        self.notify(
            f"Follow-up {self.rule_label(item.rule)}: {outcome.replace('_', ' ')}" + (f" ({note})" if note else "")
        )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
