"""The console home (``crisis-triage`` with no command): start a call, practice, protocols, recent calls."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...engine.views import centre_time
from ...keymap import bindings
from ...store.journal import MemoryJournal
from ..keylabels import shown_key


class HomeScreen(Screen):
    BINDINGS = bindings("home")

    def compose(self) -> ComposeResult:
        app = self.app
        protocol = app.protocol
        text = Text("CRISIS-TRIAGE CONSOLE\n\n", style="bold")
        text.append(f"{app.settings.console_id} / {app.settings.call_taker_id}\n")
        text.append(f"Protocol: {protocol.title} ({protocol.id} {protocol.version})\n\n")
        for binding_id, words in (
            ("home_new_call", "start a call"),
            ("home_practice", "practice call"),
            ("home_protocols", "protocols"),
            ("home_recent", "recent calls"),
            ("home_unfinished", "unfinished calls"),
            ("home_active", "active calls (responses not resolved)"),
            ("home_followups", "follow-up queue"),
            ("home_eido_inbox", "EIDO inbox (transfers from other systems)"),
        ):
            text.append(f" {shown_key(self, binding_id)} ", style="bold reverse")
            text.append(f" {words}\n")
        with Vertical(id="home"):
            yield Static(text, id="home-menu")
            yield Static(id="home-inbox")
            yield Static(id="home-detail")
        yield Footer()

    # -- the EIDO inbox's count (issue 13): after the first paint, and whenever it may have changed
    def on_screen_resume(self) -> None:
        self.call_after_refresh(self.show_inbox_count)

    def on_inbox_feed_changed(self) -> None:
        self.show_inbox_count()

    def show_inbox_count(self) -> None:
        from ...interop.eido_inbox_folder import inbox_folder

        if getattr(self.app, "eido_inbox_feed", None) is None and not inbox_folder().is_dir():
            return  # no transfers ever came: nothing to say (and the inbox's modules stay unloaded)
        from .eido_inbox import inbox_summary

        for line in self.query("#home-inbox").results(Static):  # none once the screen has gone
            line.update(inbox_summary(self.app))

    def action_new_call(self) -> None:
        self.app.new_call(self.app.start)

    def action_practice(self) -> None:
        self.app.open_practice()

    def action_protocols(self) -> None:
        from ...protocol.centre import looks_like_centre
        from ...protocol.directory import is_directory_file
        from ...protocol.loader import check_protocol

        protocol = self.app.protocol
        folder = Path(protocol.file).parent
        text = Text(f"Protocols in {folder}\n", style="bold")
        for path in sorted(p for p in folder.glob("*.yaml") if not is_directory_file(p) and not looks_like_centre(p)):
            errors = [p for p in check_protocol(str(path)) if p.severity == "error"]
            state = (
                "in use" if str(path) == str(protocol.file) else ("valid" if not errors else f"{len(errors)} errors")
            )
            text.append(f"  {path.name}  ", style="bold" if state == "in use" else "")
            text.append(state + "\n", style="red" if errors else "green")
        text.append("Start the console with --protocol FILE to use another one.", style="dim")
        self.query_one("#home-detail", Static).update(text)

    def action_recent(self) -> None:
        text = Text("Recent calls on this console\n", style="bold")
        rows = []
        try:
            rows = self._recent_calls()
        except Exception as exc:
            text.append(f"could not read the records: {exc}\n", style="red")
        for row in rows:
            when = centre_time(self.app.protocol, row.started_at)
            text.append(f"  {when:%Y-%m-%d %H:%M}  call {row.meta.call_id[:8]}  {row.events} events  ")
            text.append(f"{row.ended or 'unfinished'}\n", style="bold" if row.ended is None else "")
        if not rows and "could not" not in text.plain:
            text.append("  none recorded yet\n", style="dim")
        self.query_one("#home-detail", Static).update(text)

    def _recent_calls(self) -> list:
        console = self.app.settings.console_id
        lister = getattr(self.app.journal, "calls", None)
        if callable(lister):
            return list(lister(console_id=console, limit=12))
        if isinstance(self.app.journal, MemoryJournal):
            summaries = self.app.journal.unfinished_calls(console)
            return summaries[:12]
        from ...store.opening import open_reader

        reader = open_reader(self.app.settings, local=True)
        try:
            return list(reader.calls(console_id=console, limit=12))
        finally:
            reader.close()

    def action_active(self) -> None:
        self.app.action_active_calls()

    def action_followups(self) -> None:
        self.app.show_followups()

    def action_eido_inbox(self) -> None:
        from .eido_inbox import open_eido_inbox

        open_eido_inbox(self.app)

    def action_unfinished(self) -> None:
        if not self.app._offer_unfinished():
            self.notify("No unfinished calls on this console.")
