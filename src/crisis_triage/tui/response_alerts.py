"""The console's watch on its responses after the dispatch, app-wide: one timer on the app reads the
record store (store/response_watch.py), puts the overdue-contact alert and the centre-offline state
in the alert strip of whichever screen is showing, brings statuses recorded from outside into the
open call, and tells the lists that show responses to repaint. No screen computes any of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen, Screen

from ..engine.session import SessionError
from ..engine.views import centre_time, model_name
from ..keymap import label
from ..store.journal import CallMeta, JournalError
from ..store.opening import is_postgres_url
from ..store.response_watch import ActiveResponse, ResponseWatch, copy_outside_events, record_on_call
from .centre_status import centre_watch
from .widgets.alert_strip import AlertLine, AlertStrip

if TYPE_CHECKING:
    from ..protocol.compiled import Protocol

INTERVAL_S = 1.0
"""How often the store is read: a second is well inside any contact window and costs two queries."""

CENTRE_INTERVAL_S = 5.0
"""How often the centre store is asked for what other consoles recorded on this console's active calls
(on a thread: the network never holds a key)."""


def minutes(delta_seconds: float) -> str:
    return f"{max(0, int(delta_seconds // 60))} min"


class ResponseAlerts:
    """Held by the console app (``app.response_alerts``); started once the app is mounted."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.watch = ResponseWatch(app.journal, self.protocol_for, app.settings.console_id)
        self.lines: tuple[AlertLine, ...] = ()
        self._centre: Any = None
        self._failing = False
        self._watching = False

    def protocol_for(self, meta: CallMeta) -> Protocol | None:
        """The console's protocol for its own calls taken with it (by id: a resumed call continues
        with the protocol in force, as the call screen does)."""
        protocol = self.app.protocol
        return protocol if protocol is not None and meta.protocol_id == protocol.id else None

    def start(self) -> None:
        self.app.set_interval(INTERVAL_S, self.refresh)
        self.app.screen_change_signal.subscribe(self.app, lambda screen: self._on_screen(screen, 50))
        if is_postgres_url(self.app.settings.store):
            self.app.set_interval(CENTRE_INTERVAL_S, self._pull_in_background)
        self.show()  # the centre may have gone offline during start-up: said now, and followed from here

    def _on_screen(self, screen: Screen, tries: int) -> None:
        """A screen came on top: its strip as soon as it is mounted (a new screen mounts a moment
        after it is pushed), so an alert never waits for the next tick."""
        if screen.is_mounted or tries <= 0:
            self.show()
        else:
            self.app.set_timer(0.02, lambda: self._on_screen(screen, tries - 1))

    # -- the centre: statuses other consoles and dispatchers recorded ---------------------------------
    def _pull_in_background(self) -> None:
        self.app.run_worker(self.pull_centre, thread=True, group="centre-pull", exclusive=True, exit_on_error=False)

    def pull_centre(self) -> int:
        """Copy what was recorded from outside on this console's active calls from the centre store
        into the console's own (store/response_watch.py); the next tick shows it. Runs on a thread;
        returns how many events were new. A centre that cannot be reached is the centre link's to
        report: this says nothing and tries again next time."""
        target = getattr(self.app.journal, "primary", None)
        ids = [a.call_id for a in self.watch.active]
        if target is None or not ids:
            return 0
        try:
            if self._centre is None:
                from ..store.postgres import PostgresStore

                self._centre = PostgresStore(self.app.settings.store)
            return copy_outside_events(self._centre, target, ids)
        except Exception:  # psycopg's errors (optional module), a store gone: try again next time
            self._centre = None
            return 0

    # -- reading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the store, take outside events into the open call, repaint the strip and the lists."""
        if self.app.protocol is None:
            return
        try:
            call = self.app.call_screen()
            live = {}
            if call is not None and not call.practice:
                call.take_outside_events()  # first, so the call's state below includes them
                live[call.meta.call_id] = call.session.state
            self.watch.refresh(live)
            self.show()
            for screen in self.app.screen_stack:
                handler = getattr(screen, "responses_changed", None)
                if handler is not None:
                    handler()
        except Exception as exc:  # a timer must never take a live call down: say it once, try again next tick
            self.app.log.error(f"response watch: {exc!r}")
            if not self._failing:
                self._failing = True
                self.app.notify(f"Could not read the active calls: {exc}", title="Active calls", severity="warning")
        else:
            self._failing = False

    @property
    def active(self) -> list[ActiveResponse]:
        return self.watch.active

    def alert_lines(self, now: datetime) -> list[AlertLine]:
        protocol = self.app.protocol
        keymap = getattr(self.app, "keymap_in_force", {})
        lines = []
        for response in self.watch.alerts(now):
            window = response.window
            assert window is not None
            dispatched = response.state.after.dispatched_at or now
            late = minutes((now - window.deadline).total_seconds())
            lines.append(
                AlertLine(
                    f"CONTACT NOT CONFIRMED: call {response.call_id[:8]}, {model_name(protocol, response.model)} "
                    f"dispatched {centre_time(protocol, dispatched):%H:%M}, due {centre_time(protocol, window.deadline):%H:%M} "
                    f"({late} overdue). {label('active_calls', keymap)} active calls: "
                    f"{label('status_contact_made', keymap)} contact made, "
                    f"{label('acknowledge_alert', keymap)} acknowledge"
                )
            )
        return lines

    def centre_line(self) -> list[AlertLine]:
        """The centre-offline state in the centre watch's words (tui/centre_status.py): said here
        once, on every screen, the call screen included."""
        watch = centre_watch(self.app)
        if watch is None:
            return []
        if not self._watching:
            self._watching = True
            watch.subscribe(lambda _status: self.show())  # shown at once, not at the next tick
        words = watch.words
        return [AlertLine(words, "notice")] if words else []

    # -- showing -------------------------------------------------------------------------------------
    def host(self) -> Screen | None:
        """The full screen showing (dialogs float above it, so its strip stays in view)."""
        for screen in reversed(self.app.screen_stack):
            if not isinstance(screen, ModalScreen):
                return screen
        return None

    def show(self) -> None:
        if not self.app.is_running or self.app.protocol is None:
            return
        screen = self.host()
        if screen is None or not screen.is_mounted:
            return
        lines = tuple(self.alert_lines(self.app.clock()) + self.centre_line())
        self.lines = lines
        strips = screen.query(AlertStrip)
        if not lines and not strips:
            return  # nothing to say and nothing said: the screen stays exactly as it was drawn
        if strips:
            strip = strips.first()
        else:
            strip = AlertStrip(id="alert-strip")
            children = list(screen.children)
            screen.mount(strip, before=children[0] if children else None)
        strip.show(lines)

    # -- recording -----------------------------------------------------------------------------------
    def recorder(self, call_id: str) -> Callable[[Any], bool]:
        """How to record on ``call_id``: the call screen's own recorder when it holds the call (its
        session must see every event), else straight to the journal, checked against the replayed call."""
        call = self.app.call_screen()
        if call is not None and call.meta.call_id == call_id:
            return call.record
        return lambda event: self._record_in_journal(call_id, event)

    def _record_in_journal(self, call_id: str, event: Any) -> bool:
        try:
            meta = self.app.journal.meta(call_id)
            protocol = self.protocol_for(meta)
            if protocol is None:
                raise SessionError(f"call {call_id[:8]} was taken with another protocol ({meta.protocol_id})")
            record_on_call(self.app.journal, protocol, call_id, [event])
        except SessionError as exc:
            self.app.notify(str(exc), title="Not recorded", severity="error")
            return False
        except (JournalError, KeyError, OSError) as exc:
            self.app.notify(f"The record store refused the event: {exc}", title="NOT RECORDED", severity="error")
            return False
        return True

    def recorded(self) -> None:
        """Something was recorded from a screen: show its consequence now, not at the next tick."""
        self.refresh()
