"""``crisis-triage call``: the call console (and, with no command, the console home)."""

from __future__ import annotations

from typing import Any

import click

from .common import load_settings_or_exit, protocol_option


def check_keys_or_exit(settings) -> None:
    """A ``[keys]`` table with an unknown binding id (or a key given twice on one screen) stops the
    console before it starts, naming the nearest id: a silently ignored remap is a key that does
    something else in a call."""
    from ..config import config_path
    from ..keymap import keymap_problems

    problems = keymap_problems(settings.keys)
    if problems:
        raise click.ClickException(f"{config_path()}: " + f"\n{config_path()}: ".join(problems))


@click.command()
@protocol_option
@click.option("--district", "-d", help="District code for the call (default: from the config file).")
@click.option("--language", "-l", help="Caller's language, e.g. es (default: from the config file).")
@click.option("--door", help="Who is calling (a door id of the protocol); skips the start screen with --line.")
@click.option("--line", "line_", metavar="LINE", help="Which number they called (a line id of the protocol).")
@click.option("--store", help="Record store: a SQLite file path or a postgresql:// URL (default: from the config).")
@click.option(
    "--from-eido",
    "from_eido",
    metavar="FILE|URL",
    help="Continue an incident another system sent as a NENA EIDO (location, caller, callback, language, notes).",
)
@click.pass_context
def call(
    ctx: click.Context,
    protocol: str,
    district: str | None,
    language: str | None,
    door: str | None,
    line_: str | None,
    store: str | None,
    from_eido: str | None = None,
    home: bool = False,
) -> None:
    """Start a call at once: door, line, district and language, then the protocol's questions.

    Every event is written to the record store before the screen shows its consequence; if the
    console stops mid-call, the next start offers the unfinished call to resume.
    """
    import gc

    # Start-up creates some hundred thousand long-lived objects (models, compiled protocol, widgets):
    # the collector's passes over them cost ~15% of the launch and free nothing. It is back on (with
    # everything loaded frozen out of its way) once the first screen is painted (ConsoleApp.on_ready).
    gc.disable()
    ctx.call_on_close(gc.enable)  # whatever way the command ends
    start = ConsoleStart(ctx, protocol, district, language, door, line_, store, from_eido)
    key = None
    if door is not None and from_eido is None and not home:
        # A call at once: its first screen may be painted from a launch snapshot (tui/launch.py).
        import os

        from ..tui.launch import launch_key, read_snapshot

        options = {
            "protocol": protocol,
            "protocol_default": start.protocol_is_default,
            "cwd": os.getcwd(),
            "district": district,
            "language": language,
            "door": door,
            "line": line_,
            "store": store,
        }
        key = launch_key(options)
        snapshot = read_snapshot(key)
        if snapshot is not None:
            if _from_snapshot(start, key, snapshot):
                return
            # The attempt closed what it opened (start.close()): the usual start begins afresh.
            start = ConsoleStart(ctx, protocol, district, language, door, line_, store, from_eido)
    _start(start, home, key)


def _from_snapshot(start: ConsoleStart, key: str, snapshot: dict) -> bool:
    """The console with its first frame painted from ``snapshot``, the rest loaded right after it.
    False when the protocol turned out not to load (then the usual start shows its problems)."""
    from ..tui.app import ConsoleApp
    from ..tui.launch import Launch

    app = ConsoleApp(None, None, launch=Launch(key, snapshot, start.load_into))
    try:
        app.run()
    finally:
        start.close()
    from ..protocol.errors import ProtocolError  # not before the first frame: the protocol package loads pydantic

    if isinstance(app.launch_error, ProtocolError):
        return False
    if app.launch_error is not None:
        raise app.launch_error
    if app.return_code:
        raise SystemExit(app.return_code)
    return True


def _start(start: ConsoleStart, home: bool, key: str | None) -> None:
    """The console as it always starts: settings, protocol, record store, then the first frame."""
    from ..protocol.errors import ProtocolError
    from ..store.protocol_cache import load_protocol_cached
    from ..tui.app import ConsoleApp

    settings = start.load_settings()
    path = start.protocol_path(settings)
    try:
        loaded = load_protocol_cached(path)  # the same checks, skipped only for bytes already checked
    except ProtocolError as exc:
        app = ConsoleApp(settings, None, problems=(path, list(exc.problems)))
        app.run()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    start.check_options(loaded)
    try:
        context, resume, relay = start.open_store(settings, loaded)
        app = ConsoleApp(
            settings,
            loaded,
            journal=start.journal,
            home=home,
            start=context,
            journal_warning=start.journal_warning,
            resume=resume,
            snapshot_key=key,
        )
        relay.app = app
        start.link = centre_link(settings, loaded, app)  # None without a centre file: availability per call
        app.run()
    finally:
        start.close()
    if app.return_code:
        raise SystemExit(app.return_code)


class ConsoleStart:
    """What a console start loads, in order (settings, protocol, record store, centre link), and
    closes when the console ends: the same steps whether the first frame came before them (from a
    launch snapshot) or after."""

    def __init__(self, ctx, protocol, district, language, door, line_, store, from_eido) -> None:
        self.ctx = ctx
        self.protocol = protocol
        self.district = district
        self.language = language
        self.door = door
        self.line = line_
        self.store = store
        self.from_eido = from_eido
        self.journal: Any = None
        self.journal_warning: str | None = None
        self.eido_server: Any = None
        self.link: Any = None
        # A protocol given explicitly wins over the config file's default.
        self.protocol_is_default = ctx.get_parameter_source("protocol") == click.core.ParameterSource.DEFAULT

    def load_settings(self):
        settings = load_settings_or_exit(district=self.district, language=self.language, store=self.store)
        check_keys_or_exit(settings)
        return settings

    def protocol_path(self, settings) -> str:
        return settings.protocol if self.protocol_is_default and settings.protocol else self.protocol

    def check_options(self, loaded) -> None:
        """An option naming no district, language, door or line of the protocol stops the start."""
        for name, value, known in (
            ("district", self.district, loaded.districts),
            ("language", self.language, loaded.languages),
            ("door", self.door, loaded.doors),
            ("line", self.line, [x.id for x in loaded.document.lines]),
        ):
            if value is not None and value not in known:
                raise click.BadParameter(
                    f'"{value}" is not a {name} of {loaded.id}; expected one of {", ".join(known)}',
                    param_hint=f"--{name}",
                )

    def open_store(self, settings, loaded):
        """Open the record store (and the EIDO server when configured); the call's context, the call to
        resume (one transferred in as an EIDO) and the store's problem relay."""
        from ..store.journal import JournalError
        from ..tui.app import open_journal
        from ..tui.screens.setup import CallContext

        try:
            journal, self.journal_warning, relay = open_journal(settings)
        except JournalError as exc:
            raise click.ClickException(str(exc)) from None
        self.journal = journal
        if settings.eido_listen:  # the EIDO notifier's modules (~45 ms) load only when one is configured
            from ..interop.eido_console import with_eido_server

            self.journal, self.eido_server = with_eido_server(settings, journal, loaded)
        context = CallContext(
            door=self.door,
            line=self.line,
            district=settings.district if settings.district in loaded.districts else None,
            language=settings.language if settings.language in loaded.languages else "en",
        )
        if self.line is None and loaded.document.lines:
            context.line = loaded.document.lines[0].id
        resume = _transferred(self.from_eido, settings, loaded, self.journal, context) if self.from_eido else None
        return context, resume, relay

    def load_into(self, app) -> None:
        """After a snapshot's first frame: the same steps as :func:`_start`, into the running ``app``."""
        from ..store.protocol_cache import load_protocol_cached

        settings = self.load_settings()
        loaded = load_protocol_cached(self.protocol_path(settings))
        self.check_options(loaded)
        context, _resume, relay = self.open_store(settings, loaded)
        app.settings, app.protocol, app.journal = settings, loaded, self.journal
        app.start, app.journal_warning = context, self.journal_warning
        relay.app = app
        self.link = centre_link(settings, loaded, app)

    def close(self) -> None:
        if self.link is not None:
            self.link.stop()
        if self.journal is not None:
            self.journal.close()
        if self.eido_server is not None:
            self.eido_server.stop()


def _transferred(source, settings, protocol, journal, start) -> str:
    """Journal the opening of a call that arrived as an EIDO; a bad EIDO is one clear line."""
    from ..engine.session import SessionError
    from ..interop.eido_console import start_transferred_call
    from ..interop.eido_in import EidoInError
    from ..tui.app import local_now

    try:
        return start_transferred_call(source, settings, protocol, journal, start, local_now())
    except (EidoInError, SessionError) as exc:
        raise click.ClickException(f"--from-eido: {exc}") from None


def centre_link(settings, protocol, app):
    """With a centre file in the settings: the shared availability, linked to the app and started."""
    if not settings.centre:
        return None
    from datetime import UTC, datetime

    from ..store.centre_link import CentreLink, availability_opener
    from ..tui.centre_hook import attach
    from .board import load_centre_or_exit

    centre = load_centre_or_exit(settings.centre, protocol)
    link = CentreLink(
        availability_opener(settings.store), centre, console_id=settings.console_id, clock=lambda: datetime.now(UTC)
    )
    attach(app, link)
    return link.start()
