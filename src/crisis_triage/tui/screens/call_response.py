"""The call screen's part after the dispatch (issue 12), kept apart from call.py: the response key
(F11), the response line, the follow-ups the protocol's rules make owed (journalled like any event)
and the statuses recorded on this call from outside (``records update``, another console).

A mixin of :class:`~crisis_triage.tui.screens.call.CallScreen`: it uses the screen's ``protocol``,
``session``, ``journal``, ``meta``, ``practice``, ``record``, ``refresh_call``, ``say`` and ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widget import Widget

from ...engine.session import SessionError
from ...store.journal import OUTSIDE_SEQUENCE
from ...store.outside import outside_events
from ..keylabels import shown_key
from ..widgets.response_line import ResponseLine, response_text
from .response_status import open_response


class CallResponse:
    _outside_seen: set[str] | None = None

    def compose_response(self) -> Iterable[Widget]:
        screen: Any = self
        text = response_text(screen.protocol, screen.session.state, screen.now(), shown_key(screen, "response"))
        line = ResponseLine(text or "", id="response-line")
        line.display = text is not None
        yield line

    def show_response(self) -> None:
        screen: Any = self
        for line in screen.query("#response-line").results(ResponseLine):
            line.show(screen.protocol, screen.session.state, screen.now(), shown_key(screen, "response"))

    def action_response(self) -> None:
        screen: Any = self
        open_response(screen.app, screen.session, screen.record, by=screen.meta.call_taker_id)

    def after_event(self, event: Any) -> None:
        """After each event is journalled and applied: journal the follow-ups it makes owed (a live
        call only: practice records nothing), repaint the response line."""
        screen: Any = self
        if not screen.practice:
            for owed in screen.session.followups_owed():
                if not screen.record(owed):
                    break
        self.show_response()

    def take_outside_events(self) -> None:
        """Apply what was recorded on this call from outside since the last look (already stored: not
        journalled again), then repaint. Called by the app's response watch (tui/response_alerts.py)."""
        screen: Any = self
        if screen.practice or not hasattr(screen.journal, "stored_events"):
            return
        call_id = screen.meta.call_id
        if self._outside_seen is None:
            # What the session already holds (a resumed call replayed them) is not news.
            held = list(screen.session.events)
            self._outside_seen = {
                s.event_id
                for s in screen.journal.stored_events(call_id)
                if s.sequence >= OUTSIDE_SEQUENCE and s.event in held
            }
        fresh = outside_events(screen.journal, call_id, self._outside_seen)
        applied = []
        for stored in fresh:
            self._outside_seen.add(stored.event_id)
            try:
                screen.session.apply(stored.event)
            except SessionError:
                continue  # it was checked against the call when written; the call moved on since
            applied.append(stored.event)
        if applied:
            screen.refresh_call(None)
            screen.say(f"Recorded from outside this console: {describe(applied[-1])}", title="Response")
        self.show_response()


def describe(event: Any) -> str:
    status = getattr(event, "status", None)
    if status is not None:
        source = getattr(event, "source", "")
        return f"{status.replace('_', ' ')}" + (f" ({source})" if source else "")
    return event.kind.replace("_", " ")
