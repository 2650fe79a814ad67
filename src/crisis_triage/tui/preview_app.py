"""``crisis-triage preview FILE``: a protocol author's live view of their protocol.

The file is polled for changes (its modification time and size) and reloaded on save. A protocol
that does not load shows its problems in place, each ``file:line:column`` with the line of YAML it
points at, and the last good version stays on screen underneath so the author keeps their place.
The author walks a path by pressing the answer keys (or clicking the options), and records an
interrupt with F2 and its key; the band, score and recommendation beside it are what the engine says. The answers given so far are replayed after
every reload, so an edit shows its effect on the path at once. No triage logic lives here: every
figure on screen comes from :class:`~crisis_triage.engine.CallSession` and ``engine.views``.
"""

from __future__ import annotations

import os
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.markup import escape
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Static

from ..authoring.source import load_with_source
from ..engine.events import CallStarted
from ..engine.session import CallSession, SessionError
from ..engine.views import band_view, interrupt_views, next_question_view
from ..keymap import bindings, label
from ..protocol.compiled import Protocol
from ..protocol.errors import Problem, ProtocolError
from .terminal_watch import watch_terminal
from .widgets.recommendation import RecommendationCard
from .widgets.risk import RiskPanel

PREVIEW_DATE = datetime(2026, 1, 5).date()
SKIPPED = object()
"""Stands for a skipped optional question on the path (replayed as a skip)."""


class PreviewApp(App):
    """Live preview of one protocol file."""

    TITLE = "crisis-triage preview"
    CSS = """
    #status { height: auto; padding: 0 1; background: $boost; }
    #status.bad { background: $error 40%; }
    #problems { height: auto; max-height: 12; padding: 0 1; color: $text; background: $error 15%; display: none; }
    #problems.shown { display: block; }
    #main { height: 1fr; }
    #left { width: 3fr; padding: 0 1; }
    #right { width: 2fr; padding: 0 1; border-left: solid $primary; }
    #question { height: auto; margin-bottom: 1; }
    #options { height: auto; }
    #options Button { margin: 0 1 1 0; min-width: 12; }
    #free { display: none; }
    #free.shown { display: block; }
    #path { height: auto; margin-top: 1; color: $text-muted; }
    #risk, #recommendation { height: auto; margin-bottom: 1; }
    """
    BINDINGS = bindings("preview")

    def __init__(
        self, path: str | os.PathLike[str], *, door: str | None = None, poll_seconds: float = 0.5, hour: int = 12
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.poll_seconds = poll_seconds
        self.hour = hour
        self.wanted_door = door
        self.protocol: Protocol | None = None
        self.problems: list[Problem] = []
        self.answers: list[tuple[str, Any]] = []
        self.interrupts: list[str] = []
        """Interrupts recorded on the path (F2, then the interrupt's key), replayed like the answers."""
        self.picking_interrupt = False
        self.session: CallSession | None = None
        self.door: str | None = None
        self.notice = ""
        self.reloads = 0
        self._stamp: tuple[float, int] | None = None

    # -- layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Static(id="problems")
        with Horizontal(id="main"):
            with VerticalScroll(id="left"):
                yield Static(id="question")
                yield Horizontal(id="options")
                yield Input(placeholder="type the answer, then Enter", id="free")
                yield Static(id="path")
            with Vertical(id="right"):
                yield RiskPanel(id="risk")
                yield RecommendationCard(id="recommendation")
        yield Footer()

    def on_mount(self) -> None:
        watch_terminal(self)
        self.load()
        self.set_interval(self.poll_seconds, self.check_file)

    # -- the file -----------------------------------------------------------------------------------
    def _file_stamp(self) -> tuple[float, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime, info.st_size)

    def check_file(self) -> None:
        """Reload when the file was saved since the last load (polled: works on every editor and OS)."""
        stamp = self._file_stamp()
        if stamp != self._stamp:
            self.load()

    def load(self) -> None:
        self._stamp = self._file_stamp()
        self.reloads += 1
        try:
            loaded = load_with_source(self.path)
        except ProtocolError as exc:
            self.problems = list(exc.problems)
        else:
            self.problems = []
            self.protocol = loaded.protocol
            if self.door not in self.protocol.doors:
                doors = list(self.protocol.doors)
                self.door = self.wanted_door if self.wanted_door in doors else doors[0]
            self.rebuild()
        self.refresh_view()

    def rebuild(self) -> None:
        """Replay the path so far through the current protocol; keep what still fits."""
        protocol = self.protocol
        assert protocol is not None
        zone = ZoneInfo(protocol.document.protocol.timezone)
        at = datetime.combine(PREVIEW_DATE, time(self.hour, 0), tzinfo=zone)
        session = CallSession(
            protocol, CallStarted(at=at, door=self.door, line=protocol.document.lines[0].id, language="en")
        )
        kept: list[tuple[str, Any]] = []
        self.notice = ""
        self.interrupts = [i for i in self.interrupts if i in protocol.interrupts]
        for interrupt in self.interrupts:
            session.interrupt(interrupt, at)
        for qid, value in self.answers:
            try:
                if value is SKIPPED:
                    session.skip(qid, at)
                else:
                    session.answer(qid, value, at)
            except SessionError as exc:
                self.notice = f"the path stops at {qid}: {exc}"
                break
            kept.append((qid, value))
        self.answers = kept
        self.session = session

    # -- what is on screen ----------------------------------------------------------------------------
    def refresh_view(self) -> None:
        status = self.query_one("#status", Static)
        problems = self.query_one("#problems", Static)
        if self.problems:
            count = len([p for p in self.problems if p.severity == "error"]) or len(self.problems)
            status.update(
                escape(
                    f"{self.path.name}: {count} problem{'s' if count != 1 else ''}; "
                    + ("showing the last version that loaded" if self.protocol else "nothing loaded yet")
                )
            )
            status.add_class("bad")
            problems.update(escape("\n".join(self._problem_lines())))
            problems.add_class("shown")
        else:
            status.remove_class("bad")
            problems.remove_class("shown")
            if self.protocol:
                status.update(
                    escape(
                        f"{self.path.name}: {self.protocol.id} {self.protocol.version}, loaded "
                        f"(reload {self.reloads}); door: {self.door}" + (f"; {self.notice}" if self.notice else "")
                    )
                )
        self._show_call()

    def _problem_lines(self) -> list[str]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        out = []
        for problem in self.problems[:20]:
            out.append(str(problem))
            if 1 <= problem.line <= len(lines):
                out.append(f"    {problem.line:>4} | {lines[problem.line - 1].rstrip()}")
        return out

    def _show_call(self) -> None:
        question_box = self.query_one("#question", Static)
        options = self.query_one("#options", Horizontal)
        free = self.query_one("#free", Input)
        options.remove_children()
        free.remove_class("shown")
        if self.session is None or self.protocol is None:
            question_box.update("")
            return
        protocol, session = self.protocol, self.session
        assessment = session.assessment
        view = next_question_view(protocol, session.state, assessment)
        if view is None:
            question_box.update(
                f"[b]No question left.[/b] {label('preview_undo')} undoes the last answer, "
                f"{label('preview_restart')} starts the path again."
            )
        else:
            hint = f"\n[i]{escape(view.hint)}[/i]" if view.hint else ""
            question_box.update(
                f"[dim]{escape(view.section)} · question {view.position} · {view.id}[/dim]\n"
                f"[b]{escape(view.text)}[/b]{hint}"
            )
            if view.options:
                options.mount_all(
                    Button(escape(f"[{o.key}] {o.label}"), id=f"option-{o.id}", name=o.id) for o in view.options
                )
            else:
                free.value = ""
                free.placeholder = "type the answer, then Enter" + (
                    "" if view.required else "; an empty Enter skips this optional question"
                )
                free.add_class("shown")
                self.call_after_refresh(free.focus)  # the author types at once
        if (view is None or view.options) and self.focused is free:
            self.set_focus(None)  # answer keys go to the options again
        # The console's own panels: the author sees exactly what a call-taker would.
        self.query_one(RiskPanel).show(
            assessment,
            band_view(protocol, assessment.risk.band),
            band_view(protocol, assessment.risk.points_band),
            interrupt_views(protocol, assessment.active_interrupts),
            interrupt_key=label("preview_interrupt"),
        )
        self.query_one(RecommendationCard).show(protocol, assessment.recommendation, accept_key=None)
        path = escape(
            " > ".join(f"{qid}={'(skipped)' if value is SKIPPED else value}" for qid, value in self.answers)
            or "(no answers yet)"
        )
        recorded = (
            f"\n[b]Interrupts[/b]: {', '.join(self.interrupts)} ({label('preview_interrupt')} + key again withdraws)"
            if self.interrupts
            else ""
        )
        picking = ""
        if self.picking_interrupt:
            picking = "\n[reverse] Interrupt: press a key [/reverse] " + escape(
                "  ".join(f"[{i.key}] {i.label['en']}" for i in protocol.document.interrupts)
                + "  (any other key cancels)"
            )
        self.query_one("#path", Static).update(f"[b]Path[/b]: {path}{recorded}{picking}")

    # -- answering ------------------------------------------------------------------------------------
    def answer(self, value: Any) -> None:
        if self.session is None:
            return
        question = self.session.assessment.next_question
        if question is None:
            return
        try:  # the engine says whether the answer fits (a number out of range ...)
            self.session.answer(question.id, value, self.session.state.now)
        except SessionError as exc:
            self.notice = str(exc)
            self.notify(str(exc), severity="warning")
            return
        self.answers.append((question.id, value))  # the session has it already: no replay needed
        self.notice = ""
        self.refresh_view()

    def skip(self, question_id: str) -> None:
        """Skip an optional question; the path records it as skipped and replays it after a reload."""
        try:
            self.session.skip(question_id, self.session.state.now)
        except SessionError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.answers.append((question_id, SKIPPED))
        self.refresh_view()

    @on(Button.Pressed)
    def _clicked(self, event: Button.Pressed) -> None:
        if event.button.name:
            self.answer(event.button.name)

    @on(Input.Submitted, "#free")
    def _typed(self, event: Input.Submitted) -> None:
        question = self.session.assessment.next_question if self.session else None
        if question is None:
            return
        if not event.value.strip():
            if not question.spec.required:  # an empty Enter skips an optional question
                self.skip(question.id)
            return
        value: Any = event.value.strip()
        if question.type == "number":
            try:
                value = float(value)
            except ValueError:
                self.notify("a number, please", severity="warning")
                return
        self.answer(value)

    def on_key(self, event) -> None:
        if self.picking_interrupt and self.protocol is not None:
            event.stop()
            self.picking_interrupt = False
            chosen = next(
                (
                    i
                    for i in self.protocol.document.interrupts
                    if event.character and i.key.lower() == event.character.lower()
                ),
                None,
            )
            if chosen is not None:
                if chosen.id in self.interrupts:
                    self.interrupts.remove(chosen.id)
                else:
                    self.interrupts.append(chosen.id)
                self.rebuild()
            self.refresh_view()
            return
        if self.session is None or isinstance(self.focused, Input):
            return
        view = next_question_view(self.protocol, self.session.state, self.session.assessment) if self.protocol else None
        if view is None or not event.character:
            return
        option = view.option_for_key(event.character) or view.option_for_key(event.character.lower())
        if option is not None:
            event.stop()
            self.answer(option.id)

    # -- actions --------------------------------------------------------------------------------------
    def action_interrupt(self) -> None:
        if self.protocol is not None and self.protocol.document.interrupts:
            self.picking_interrupt = True
            self.refresh_view()

    def action_undo(self) -> None:
        if self.answers and self.protocol:
            self.answers.pop()
            self.rebuild()
            self.refresh_view()

    def action_restart(self) -> None:
        if self.protocol:
            self.answers = []
            self.interrupts = []
            self.rebuild()
            self.refresh_view()

    def action_next_door(self) -> None:
        if self.protocol:
            doors = list(self.protocol.doors)
            self.door = doors[(doors.index(self.door) + 1) % len(doors)] if self.door in doors else doors[0]
            self.rebuild()
            self.refresh_view()

    def action_reload(self) -> None:
        self.load()
