"""The supervisor's board: every live call across consoles, every unit, and the alerts that need a supervisor.

Live without a keypress: a :class:`~crisis_triage.store.centre_link.CentreLink` wakes on every change
of units and every event shipped by a console (LISTEN/NOTIFY, polling as the fallback), reads the
calls in its own thread and hands the rows to the app's thread. What a row says comes from
:func:`~crisis_triage.store.live_calls.board_picture`; this module only shows it. ``wall=True`` is the
read-only wall display: the same picture, no key changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import DataTable, Footer, Static

from ..engine.views import model_name
from ..keymap import KEYS, bindings
from ..protocol.centre import Centre
from ..protocol.compiled import Protocol
from ..store.centre_link import CentreLink
from ..store.live_calls import SORTS, BoardPicture, LiveCall, board_picture, consulted_calls, read_live_calls
from .terminal_watch import watch_terminal

WALL_ACTIONS = {spec.action for spec in KEYS if spec.where == "board / wall"}
FILTERS = ("all", "alerts", "questioning", "dispatched", "follow-up due")
ALERT_STYLE = {
    "imminent": "bold white on red",
    "contact": "bold red",
    "follow_up": "bold magenta",
    "departure": "yellow",
    "time": "bold yellow",
    "out_of_service": "magenta",
}


def short_model(protocol: Protocol, model: str) -> str:
    """A model's name without its parenthesised team, for narrow board columns."""
    return model_name(protocol, model).split(" (")[0] if model else ""


def _now() -> datetime:
    return datetime.now(UTC)


class BoardApp(App):
    """``crisis-triage board``: the centre at a glance, for a supervisor or a wall."""

    CSS = """
    #board-title { height: 1; background: $panel; text-style: bold; }
    #offline { height: 1; background: $error; color: $background; text-style: bold; display: none; }
    #calls { height: 2fr; }
    #lower { height: 1fr; }
    #units { width: 3fr; }
    #alerts { width: 2fr; border-left: solid $panel-lighten-2; padding: 0 1; }
    """
    TITLE = "crisis-triage board"
    BINDINGS = bindings("board") + bindings("board / wall")

    def __init__(
        self,
        protocol: Protocol,
        centre: Centre,
        link: CentreLink,
        reader_factory: Callable[[], Any],
        *,
        wall: bool = False,
        supervisor: str = "supervisor",
        clock: Callable[[], datetime] = _now,
    ) -> None:
        super().__init__()
        self.protocol = protocol
        self.centre = centre
        self.link = link
        self.reader_factory = reader_factory
        self.wall = wall
        self.supervisor = supervisor
        self.clock = clock
        self.sort = "risk"
        self.filter = "all"
        self.picture = BoardPicture((), (), ())
        self._calls_read: list = []
        self._reader = None
        self._call_order: list[str] = []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """On the wall display only the keys that change the view work (and only they are shown)."""
        return not self.wall or action in WALL_ACTIONS

    # -- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="board-title")
        yield Static(id="offline")
        yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="lower"):
            yield DataTable(id="units", cursor_type="row")
            with Vertical(id="alerts"):
                yield Static(id="alert-list")
        yield Footer()

    def on_mount(self) -> None:
        watch_terminal(self)
        calls = self._board.query_one("#calls", DataTable)
        calls.add_columns(
            # The state before the wide columns: a narrow terminal cuts the right-hand side first.
            "call",
            "console",
            "call-taker",
            "time",
            "state",
            "risk",
            "recommended",
            "sent",
            "door / line",
            "lang",
        )
        units = self._board.query_one("#units", DataTable)
        units.add_columns("unit", "model", "state", "detail")
        self.link.on_change = self._changed_elsewhere
        self.reload()
        self.set_interval(1.0, self.repaint)

    # -- data --------------------------------------------------------------------------------------
    def _changed_elsewhere(self) -> None:
        """Called by the link's thread: read the calls there, show them on the app's thread."""
        calls = self._read_calls()
        if not self.is_running:
            return
        try:
            self.call_from_thread(self._loaded, calls)
        except RuntimeError:  # a change made by this board's own key, already on the app's thread
            self._loaded(calls)

    def _read_calls(self) -> list | None:
        try:
            if self._reader is None:
                self._reader = self.reader_factory()
            keep = {a.call_id for a in self.link.states.assignments}  # a response still out after the phone call
            return read_live_calls(self._reader, now=self.clock(), keep=keep)
        except Exception:
            self._reader = None
            return None  # the centre is down: keep the last picture, the banner says so

    def _loaded(self, calls: list | None) -> None:
        if calls is not None:
            self._calls_read = calls
        self.repaint()

    def reload(self) -> None:
        """Read everything now (start-up, and tests)."""
        try:
            self.link.refresh()
        except Exception:
            pass
        self._loaded(self._read_calls())

    @property
    def _board(self):
        """The board's own screen: queries must not look into a dialog on top of it."""
        return self.screen_stack[0]

    def repaint(self) -> None:
        now = self.clock()
        consulted = consulted_calls(self.link.consultations)
        self.picture = board_picture(self.protocol, self.centre, self._calls_read, self.link.states, consulted, now)
        try:
            self._show_title(now)
            self._show_calls(now)
            self._show_units()
            self._show_alerts()
        except (NoMatches, IndexError):
            return  # the board is closing (its widgets are being removed): nothing left to paint

    # -- showing -----------------------------------------------------------------------------------
    def _show_title(self, now: datetime) -> None:
        tz = self._tz()
        mode = "WALL DISPLAY (read only)" if self.wall else f"supervisor {self.supervisor}"
        self._board.query_one("#board-title", Static).update(
            f" {self.centre.name}  {now.astimezone(tz):%H:%M:%S}  {len(self.picture.calls)} live calls  "
            f"{len(self.picture.alerts)} alerts  sort: {self.sort}  filter: {self.filter}  {mode}"
        )
        offline = self._board.query_one("#offline", Static)
        since = self.link.offline_since
        offline.display = since is not None
        if since is not None:
            offline.update(f" Centre store offline since {since.astimezone(tz):%H:%M} — showing the last known picture")

    def _tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.protocol.document.protocol.timezone)

    def visible_calls(self) -> list[LiveCall]:
        """The calls the board lists now: the centre's live calls under the chosen filter, in the chosen order."""
        alerted = {a.subject for a in self.picture.alerts}
        calls = list(self.picture.calls)
        if self.filter == "alerts":
            calls = [c for c in calls if c.call_id in alerted]
        elif self.filter == "questioning":
            calls = [c for c in calls if c.state == "questioning"]
        elif self.filter == "dispatched":
            calls = [c for c in calls if c.dispatched and c.state != "follow-up due"]
        elif self.filter == "follow-up due":
            calls = [c for c in calls if c.state == "follow-up due"]
        return sorted(calls, key=SORTS[self.sort])

    def _show_calls(self, now: datetime) -> None:
        table = self._board.query_one("#calls", DataTable)
        calls = self.visible_calls()
        selected = self._selected_call()
        alerted: dict[str, str] = {}
        for alert in self.picture.alerts:  # the first (most pressing) alert of a call colours its id
            alerted.setdefault(alert.subject, alert.kind)
        bands = {b.id: b for b in self.protocol.document.risk.bands}
        table.clear()
        for call in calls:
            seconds = int((now - call.started_at).total_seconds())
            band = bands.get(call.band)
            risk = Text(band.label["en"] if band else call.band, style=f"bold {band.colour}" if band else "")
            if call.consulted:
                risk.append(" (consulted)", style="dim")
            elif call.needs_consultation and not call.phone_ended:
                risk.append(" CONSULT", style="bold white on red")  # 988: a supervisor on imminent risk
            state = Text(call.state)
            if call.contact_overdue(now):
                state.append(" - contact overdue", style="bold red")
            elif call.phone_ended and call.state != "follow-up due":
                state.append(" (phone ended)", style="dim")
            call_text = Text(call.call_id, style=ALERT_STYLE.get(alerted.get(call.call_id, ""), ""))
            table.add_row(
                call_text,
                call.console_id,
                call.call_taker_id,
                f"{seconds // 60}:{seconds % 60:02d}",
                state,
                risk,
                short_model(self.protocol, call.recommended),
                short_model(self.protocol, call.dispatched),
                f"{call.door} / {call.line}",
                call.language,
                key=call.call_id,
            )
        self._call_order = [c.call_id for c in calls]
        if selected in self._call_order:
            table.move_cursor(row=self._call_order.index(selected))

    def _show_units(self) -> None:
        table = self._board.query_one("#units", DataTable)
        row = table.cursor_row
        table.clear()
        for unit in self.picture.units:
            style = {"free": "green", "out of service": "magenta"}.get(unit.state, "yellow")
            table.add_row(
                unit.name,
                short_model(self.protocol, unit.model),
                Text(unit.state, style=style),
                unit.detail,
                key=unit.unit_id,
            )
        if 0 <= row < len(self.picture.units):
            table.move_cursor(row=row)

    def _show_alerts(self) -> None:
        text = Text("Alerts\n", style="bold")
        if not self.picture.alerts:
            text.append("none", style="dim")
        for alert in self.picture.alerts:
            text.append(f"{alert.text}\n", style=ALERT_STYLE.get(alert.kind, ""))
        self._board.query_one("#alert-list", Static).update(text)

    def _selected_call(self) -> str | None:
        table = self._board.query_one("#calls", DataTable)
        if not self._call_order or table.cursor_row < 0 or table.cursor_row >= len(self._call_order):
            return None
        return self._call_order[table.cursor_row]

    def _selected_unit(self) -> str | None:
        table = self._board.query_one("#units", DataTable)
        units = self.picture.units
        if not units or not 0 <= table.cursor_row < len(units):
            return None
        return units[table.cursor_row].unit_id

    # -- actions (keys in keymap.py, where "board") --------------------------------------------------
    def action_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self.repaint()

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.repaint()

    def action_consult(self) -> None:
        """Record that the supervisor consulted on the selected call (the console journals it)."""
        call_id = self._selected_call()
        if call_id is None:
            self.notify("No call selected.")
            return
        self.link.record_consultation(call_id, self.supervisor, at=self.clock())
        self.notify(f"Consultation on call {call_id} recorded")
        self.repaint()

    def action_out_of_service(self) -> None:
        """Take the selected unit out of service (reason asked), or return it if it is out."""
        from .screens.modals import NoteModal

        unit_id = self._selected_unit()
        if unit_id is None:
            self.notify("No unit selected: Tab to the units.")
            return
        unit = self.centre.units[unit_id]
        if unit_id in self.link.states.out_of_service:
            self.link.return_to_service(unit_id)
            self.notify(f"{unit.name} back in service")
            self.repaint()
            return

        def given(text: str | None) -> None:
            from .centre_hook import parse_reason

            if not text:
                return
            reason, minutes = parse_reason(text)
            now = self.clock()
            back = now + timedelta(minutes=minutes) if minutes else None
            self.link.set_out_of_service(unit_id, reason, at=now, expected_return=back, by=self.supervisor)
            self.notify(f"{unit.name} out of service: {reason}")
            self.repaint()

        self.push_screen(
            NoteModal(f"{unit.name}: why out of service? (minutes until back at the end)", "reason"), given
        )

    def action_unit_cleared(self) -> None:
        """The selected unit reports clear (dispatch heard it on the radio): free for the next call."""
        unit_id = self._selected_unit()
        if unit_id is None:
            return
        on = self.link.states.on_unit(unit_id)
        if not on:
            self.notify("That unit is not on a call.")
            return
        self.link.set_status(on[0].call_id, unit_id, "cleared", at=self.clock())
        self.repaint()

    def action_unit_on_scene(self) -> None:
        """The selected unit reports on scene (heard on the radio; contact is confirmed on the call itself)."""
        unit_id = self._selected_unit()
        on = self.link.states.on_unit(unit_id) if unit_id else []
        if on and unit_id:
            self.link.set_status(on[0].call_id, unit_id, "on_scene", at=self.clock())
            self.repaint()

    def on_unmount(self) -> None:
        if self._reader is not None:
            try:
                self._reader.close()
            except Exception:
                pass
