"""The console app: settings, protocol, journal and clock in; screens for home, setup, call, after-call.

Everything a test needs to control is injectable: the journal (a MemoryJournal), the clock (a fixed
time for stable snapshots), the call id factory, and whether the start-up time is announced.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from .. import STARTED_AT
from ..keymap import bindings, label
from .app_thread import remember_app_thread
from .console_commands import console_commands
from .launch_app import SnapshotStart
from .store_problems import StoreProblems, open_journal
from .terminal_watch import watch_terminal
from .themes import CONSOLE_THEMES, HIGH_CONTRAST
from .unfinished_calls import offer_unfinished
from .widgets.message_line import MessageLine

if TYPE_CHECKING:
    from ..config import Settings
    from ..protocol.compiled import Protocol
    from ..store.journal import Journal
    from .launch import Launch
    from .screens.setup import CallContext

__all__ = ["ConsoleApp", "StoreProblems", "local_now", "open_journal"]


def local_now() -> datetime:
    """The wall clock, timezone-aware (events carry their own time; the engine never reads a clock)."""
    return datetime.now(UTC).astimezone()


def new_call_id() -> str:
    from ..store.journal import CallMeta

    return CallMeta.new_call_id()


_UNLOADED = object()

WARM_UP_IDLE_S = 0.5
"""Idle time (no key) the warm-up after start waits for before each of its steps."""


class ConsoleApp(SnapshotStart, App):
    """The crisis-triage call console."""

    CSS_PATH = "console.tcss"
    TITLE = "crisis-triage"
    BINDINGS = list(bindings("everywhere"))
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        settings: Settings | None,
        protocol: Protocol | None,
        *,
        journal: Journal | None = None,
        clock: Callable[[], datetime] = local_now,
        call_ids: Callable[[], str] = new_call_id,
        home: bool = False,
        start: CallContext | None = None,
        problems: tuple[str, list] | None = None,
        announce_startup: bool = True,
        journal_warning: str | None = None,
        cursor_blink: bool = True,
        flash_seconds: float = 2.5,
        resume: str | None = None,
        launch: Launch | None = None,
        snapshot_key: str | None = None,
    ) -> None:
        super().__init__()
        remember_app_thread(self)  # built on the thread it runs on; taken again when it loads
        self.launch = launch
        """A first screen painted from a launch snapshot, and how to load the rest (tui/launch.py):
        then ``settings`` is None until it has loaded, right after the first frame."""
        self.snapshot_key = snapshot_key
        """Where this start's launch snapshot is written once its first call screen is up (tui/launch.py)."""
        self.launch_error: BaseException | None = None
        """What stopped the loading after a snapshot's first frame (the console exits; cli/console.py raises it)."""
        self._held_keys = [] if launch is not None else None
        self.settings = cast("Settings", settings)
        self.protocol = protocol
        if journal is None and launch is None:
            from ..store.journal import MemoryJournal

            journal = MemoryJournal()
        self.journal: Journal = cast("Journal", journal)
        self.clock = clock
        self.call_ids = call_ids
        self.home = home
        self.start = start
        self.problems = problems
        self.announce_startup = announce_startup
        self.journal_warning = journal_warning
        self.cursor_blink = cursor_blink
        self.flash_seconds = flash_seconds
        """How long a changed band or recommendation stays highlighted (snapshot tests hold it)."""
        self.keymap_in_force = dict(
            settings.keys if settings is not None else launch.snapshot["keys"] if launch else {}
        )
        self.return_code_value = 0
        self.resume = resume
        """A call already journalled (transferred in as an EIDO) to open at once."""
        self._directory = _UNLOADED
        self._last_key_at = float("-inf")
        self._response_alerts: Any = None
        self.eido_inbox_feed: Any = None
        """The console's own EIDO inbox subscription (eido_inbox_subscribe), started after the first paint."""

    @property
    def directory(self):
        """The referral directory the protocol names, loaded on first use; None without one (then the
        call screen shows no referral panel) or when it does not load (said once, as a warning)."""
        if self._directory is _UNLOADED:
            from .widgets.referrals import load_console_directory

            self._directory = load_console_directory(self.protocol, self.notify)
        return self._directory

    @property
    def response_alerts(self):
        """The watch on this console's responses after the dispatch (overdue-contact alert, active
        calls, statuses from outside: tui/response_alerts.py), made on first use."""
        if self._response_alerts is None:
            from .response_alerts import ResponseAlerts

            self._response_alerts = ResponseAlerts(self)
        return self._response_alerts

    # -- start-up --------------------------------------------------------------------------------
    def on_load(self) -> None:
        remember_app_thread(self)

    def on_mount(self) -> None:
        watch_terminal(self)
        self.register_theme(HIGH_CONTRAST)
        theme = self.launch.snapshot["theme"] if self.launch is not None else self.settings.theme
        if theme in self.available_themes:
            self.theme = theme
        if self.keymap_in_force:
            self.set_keymap(self.keymap_in_force)
        if self.launch is not None:
            from .screens.call_layout import CallLayout

            self.push_screen(CallLayout(launch=self.launch.snapshot))
            return
        if self.problems is not None:
            from .screens.problems import ProtocolProblemsScreen

            self.push_screen(ProtocolProblemsScreen(*self.problems))
            return
        if self.journal_warning:
            self.notify(self.journal_warning, title="Records", severity="warning", timeout=15)
        if self.home:
            self.show_home()
            return
        if self.resume is not None:
            self.resume_call(self.resume)
            return
        if self._offer_unfinished():
            return
        self.new_call(self.start)

    def on_unmount(self) -> None:
        if self.eido_inbox_feed is not None:
            self.eido_inbox_feed.stop()
        gc.unfreeze()  # back to the collector (tests run many apps in one process)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Messages go to the message line of the nearest screen that has one (the call, dispatch,
        handoff): a toast would cover the call so far, a list, the caller's words or the question.
        Screens without one (home, setup) still get a toast."""
        for screen in reversed(self.screen_stack):
            lines = screen.query(MessageLine)
            if lines:
                lines.first().say(message, title=title, severity=severity, at=self.clock())
                return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def store_problem(self, problem: str | None) -> None:
        """The record store changed state: say so, loudly when records are at risk."""
        if problem:
            self.notify(problem, title="Records", severity="error", timeout=20)
        else:
            self.notify("The record store works again.", title="Records")

    def on_ready(self) -> None:
        if self.launch is None:
            self._freeze_loaded()
        elapsed_ms = (time.perf_counter() - STARTED_AT) * 1000
        self.log.info(f"started in {elapsed_ms:.0f} ms")
        if self.announce_startup:
            self._startup_message = (f"started in {elapsed_ms:.0f} ms", self.clock())
            self.notify(self._startup_message[0], timeout=3)
        # Ready comes before the first frame is written: what follows waits for it.
        self.call_after_refresh(self._finish_launch if self.launch is not None else self._after_first_paint)

    _startup_message: tuple[str, datetime] | None = None

    @staticmethod
    def _freeze_loaded() -> None:
        # Everything loaded so far (protocol, widgets, CSS) lives as long as the console: keep it out
        # of the garbage collector's full passes, which otherwise land on a keypress now and then.
        gc.freeze()
        gc.enable()  # off during start-up (cli/console.py)

    def _after_first_paint(self) -> None:
        if self.launch is None and self.snapshot_key is not None and self._started_from_start:
            self._write_snapshot()
        if self.protocol is not None:
            self.response_alerts.start()  # after the first paint and the start-up figure (~15 ms of imports)
            if self.settings.eido_inbox_subscribe:  # likewise, and its modules load only when configured
                from .screens.eido_inbox import start_inbox_feed

                self.eido_inbox_feed = start_inbox_feed(self)
        self.set_timer(0.5, self._warm_up)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key_at = time.monotonic()
            if self._holds(event):  # the first frame came from a snapshot: the call is not loaded yet
                return
            await super().on_event(event)
            self._replayed(event)
            return
        await super().on_event(event)

    def _warm_up(self, steps=None) -> None:
        """After the first paint, in idle time, one small step per tick: Jinja2 and the protocol's
        handoff templates (left out of start-up by the compiled-protocol cache), so the first F9 does
        not wait for them. While keys are coming (a call-taker answering), it waits: a step (Jinja2's
        import is ~30 ms) would otherwise land on an answer."""
        if time.monotonic() - self._last_key_at < WARM_UP_IDLE_S:
            self.set_timer(WARM_UP_IDLE_S, lambda: self._warm_up(steps))
            return
        if steps is None:
            from ..store.protocol_cache import warm_up_steps

            steps = warm_up_steps(self.protocol)
        if next(steps, "done") != "done":
            self.set_timer(0.02, lambda: self._warm_up(steps))

    def _offer_unfinished(self) -> bool:
        """The unfinished calls offered before a new one (tui/unfinished_calls.py); False if none."""
        return offer_unfinished(self)

    # -- calls -----------------------------------------------------------------------------------
    @property
    def loaded_protocol(self) -> Protocol:
        """The protocol calls are taken with. Calls start only once it loaded: a protocol with
        problems opens the problems screen and the console exits, so no call reaches here without one."""
        if self.protocol is None:
            raise RuntimeError("no protocol is loaded")
        return self.protocol

    def defaults(self) -> CallContext:
        from .screens.setup import CallContext

        protocol = self.loaded_protocol
        district = self.settings.district if self.settings.district in protocol.districts else None
        language = self.settings.language if self.settings.language in protocol.languages else "en"
        line = protocol.document.lines[0].id if protocol.document.lines else None
        return CallContext(door=None, line=line, district=district, language=language)

    def new_call(self, context: CallContext | None = None) -> None:
        """Setup (door, line, district, language) unless the door is already known, then the call."""
        from .screens.setup import CallContext, CallSetupScreen

        if context is not None and context.door is not None:
            self._started_from_start = context is self.start
            self.begin_call(context)
            return
        base = self.defaults()
        if context is not None:
            base = CallContext(
                door=None,
                line=context.line or base.line,
                district=context.district or base.district,
                language=context.language or base.language,
            )

        def chosen(result: CallContext | None) -> None:
            if result is not None:
                self.begin_call(result)

        self._show_screen(CallSetupScreen(self.loaded_protocol, base), chosen)

    _started_from_start = False
    """The first call screen is a new call from the command's own context (what a launch snapshot shows)."""

    def begin_call(self, context: CallContext) -> Any:
        """Journal the call's start and show its screen; what to await for it to be mounted (None if refused)."""
        from ..engine import CallStarted, SessionError
        from ..store.journal import CallMeta
        from .screens.call import CallScreen

        protocol = self.loaded_protocol
        meta = CallMeta(
            call_id=self.call_ids(),
            console_id=self.settings.console_id,
            call_taker_id=self.settings.call_taker_id,
            protocol_id=protocol.id,
            protocol_version=protocol.version,
            protocol_sha256=protocol.sha256,
            protocol_file=protocol.file,
        )
        start = CallStarted(
            at=self.clock(), door=context.door, line=context.line, district=context.district, language=context.language
        )
        try:
            session = CallScreen.new_call(protocol, self.journal, meta, start)
        except SessionError as exc:
            self.notify(str(exc), title="Cannot start the call", severity="error", timeout=10)
            return None
        except Exception as exc:
            self.notify(f"The record store refused the call: {exc}", title="NOT RECORDED", severity="error", timeout=15)
            return None
        return self._show_screen(CallScreen(protocol, self.journal, meta, session))

    def resume_call(self, call_id: str) -> None:
        """Rebuild an unfinished call from its journalled events and carry on where it stopped."""
        from ..engine import CallSession
        from .screens.call import CallScreen

        try:
            meta = self.journal.meta(call_id)
            events = self.journal.events(call_id)
            protocol = self.loaded_protocol
            if meta.protocol_sha256 and meta.protocol_sha256 != protocol.sha256:
                self.notify(
                    f"This call was taken with {meta.protocol_id} {meta.protocol_version}; it continues with "
                    f"{protocol.id} {protocol.version}.",
                    title="Protocol changed",
                    severity="warning",
                    timeout=10,
                )
            session = CallSession.replay(protocol, events)
        except Exception as exc:
            self.notify(f"Could not resume call {call_id[:8]}: {exc}", severity="error", timeout=10)
            self.new_call(self.start)
            return
        self._show_screen(CallScreen(protocol, self.journal, meta, session))
        self.notify(f"Resumed: {len(events)} events replayed.", title="Call resumed")

    def _show_screen(self, screen: Screen, callback: Any = None) -> Any:
        # Keep the stack shallow: one live screen (plus the default) at a time, modals above it.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        return self.push_screen(screen, callback)

    def show_home(self) -> None:
        from .screens.home import HomeScreen

        self._show_screen(HomeScreen())

    def action_home(self) -> None:
        from .screens.call import CallScreen

        if any(isinstance(s, CallScreen) for s in self.screen_stack):
            self.notify(
                f"End the call first ({label('end_call', self.keymap_in_force)}); the call stays open.",
                severity="warning",
            )
            return
        self.show_home()

    def action_active_calls(self) -> None:
        """This console's calls whose response is not resolved (issue 12)."""
        from .screens.active_calls import ActiveCallsScreen

        if self.protocol is not None and not isinstance(self.screen, ActiveCallsScreen):
            self.response_alerts.refresh()
            self.push_screen(ActiveCallsScreen())

    def show_followups(self) -> None:
        """The follow-up queue: due, overdue, done (issue 12)."""
        from .screens.followup_queue import FollowUpQueueScreen

        if self.protocol is not None and not isinstance(self.screen, FollowUpQueueScreen):
            self.push_screen(FollowUpQueueScreen())

    def on_interrupt_requested(self) -> None:
        """The interrupt key in a dialog above the call: close what is above the call, open the interrupt keys."""
        call = self.call_screen()
        if call is None:
            return
        while self.screen is not call:
            self.pop_screen()
        call.action_interrupt()

    def open_practice(self) -> None:
        """The home screen's Practice key: the scenario library beside the protocol in use."""
        from .practice_flow import open_practice

        open_practice(self)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if self.protocol is not None:
            self.push_screen(HelpScreen(self.protocol, self.keymap_in_force))

    def action_cycle_theme(self) -> None:
        themes = [t for t in CONSOLE_THEMES if t in self.available_themes]
        self.theme = themes[(themes.index(self.theme) + 1) % len(themes)] if self.theme in themes else themes[0]
        self.notify(f"Theme: {self.theme}")

    def action_quit_console(self) -> None:
        """Quit; with a call open, only after a deliberate second key (the call stays unfinished,
        journalled, and is offered again at the next start)."""
        if self.call_screen() is None:
            self.exit(self.return_code_value)
            return
        from .screens.confirm import QuitWithCallModal

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.exit(self.return_code_value)

        if not isinstance(self.screen, QuitWithCallModal):
            self.push_screen(
                QuitWithCallModal(
                    "Quit with a call open?",
                    ["The call stays unfinished: it is offered again when the console starts."],
                    "quit",
                    "back to the call",
                ),
                confirmed,
            )

    def action_exit_with_problems(self) -> None:
        self.exit(1, return_code=1)

    # -- command palette ---------------------------------------------------------------------------
    def call_screen(self):
        from .screens.call import CallScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, CallScreen):
                return screen
        return None

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from console_commands(self)  # tui/console_commands.py
