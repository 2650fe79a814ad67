"""``crisis-triage call``: the call console (and, with no command, the console home)."""

from __future__ import annotations

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
    from ..protocol.errors import ProtocolError
    from ..protocol.loader import load_protocol

    # A protocol given explicitly wins over the config file's default.
    source = ctx.get_parameter_source("protocol")
    settings = load_settings_or_exit(district=district, language=language, store=store)
    check_keys_or_exit(settings)
    path = protocol
    if source == click.core.ParameterSource.DEFAULT and settings.protocol:
        path = settings.protocol
    from ..tui.app import ConsoleApp, open_journal
    from ..tui.screens.setup import CallContext

    try:
        loaded = load_protocol(path)
    except ProtocolError as exc:
        app = ConsoleApp(settings, None, problems=(path, list(exc.problems)))
        app.run()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    for name, value, known in (
        ("district", settings.district if district else None, loaded.districts),
        ("language", language, loaded.languages),
        ("door", door, loaded.doors),
        ("line", line_, [x.id for x in loaded.document.lines]),
    ):
        if value is not None and value not in known:
            raise click.BadParameter(
                f'"{value}" is not a {name} of {loaded.id}; expected one of {", ".join(known)}', param_hint=f"--{name}"
            )
    from ..store.journal import JournalError

    try:
        journal, warning, relay = open_journal(settings)
    except JournalError as exc:
        raise click.ClickException(str(exc)) from None
    eido_server = None
    if settings.eido_listen:  # the EIDO notifier's modules (~45 ms) load only when one is configured
        from ..interop.eido_console import with_eido_server

        journal, eido_server = with_eido_server(settings, journal, loaded)
    try:
        start = CallContext(
            door=door,
            line=line_,
            district=settings.district if settings.district in loaded.districts else None,
            language=settings.language if settings.language in loaded.languages else "en",
        )
        if line_ is None and loaded.document.lines:
            start.line = loaded.document.lines[0].id
        resume = _transferred(from_eido, settings, loaded, journal, start) if from_eido else None
        app = ConsoleApp(
            settings, loaded, journal=journal, home=home, start=start, journal_warning=warning, resume=resume
        )
        relay.app = app
        link = centre_link(settings, loaded, app)  # None without a centre file: availability per call, as before
        try:
            app.run()
        finally:
            if link is not None:
                link.stop()
    finally:
        journal.close()
        if eido_server is not None:
            eido_server.stop()
    if app.return_code:
        raise SystemExit(app.return_code)


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
