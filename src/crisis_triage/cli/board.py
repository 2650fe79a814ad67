"""``crisis-triage board``: the supervisor's board (or, with ``--wall``, the read-only wall display)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import load_protocol_or_exit, load_settings_or_exit, protocol_option


def default_centre() -> str:
    """The shipped Boston centre file, beside the shipped protocol."""
    from .common import default_protocol

    return str(Path(default_protocol()).parent / "boston-centre.yaml")


def load_centre_or_exit(path: str, protocol):
    """The centre file checked against the protocol; on problems one line each, and exit 1."""
    from ..protocol.centre import load_centre
    from ..protocol.errors import ProtocolError

    try:
        return load_centre(path, protocol)
    except ProtocolError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{path}: the centre file does not load; fix the problems above first", err=True)
        raise SystemExit(1) from None


@click.command()
@protocol_option
@click.option("--centre", "centre_path", help="Centre file (default: the config's, else the shipped Boston centre).")
@click.option("--store", help="Record store: a postgresql:// URL for a centre (default: from the config).")
@click.option("--wall", is_flag=True, help="Read-only wall display: the same board, no key changes anything.")
@click.option("--supervisor", default=None, help="The supervisor's name, recorded with consultations.")
@click.option(
    "--serve",
    "serve_port",
    type=int,
    default=None,
    metavar="PORT",
    help="Serve the wall display to web browsers at http://127.0.0.1:PORT (textual-serve; no internet needed).",
)
def board(
    protocol: str,
    centre_path: str | None,
    store: str | None,
    wall: bool,
    supervisor: str | None,
    serve_port: int | None,
) -> None:
    """Every live call across the centre's consoles, every unit, and the alerts that need a supervisor.

    Updates live (PostgreSQL LISTEN/NOTIFY, polling as the fallback). Keys: S sort, F filter,
    C consultation recorded on the selected call, O unit out of service / back, E unit on scene,
    X unit clear; Tab moves between calls and units.
    """
    settings = load_settings_or_exit(store=store)
    loaded = load_protocol_or_exit(settings.protocol or protocol)
    centre_file = centre_path or settings.centre or default_centre()
    centre = load_centre_or_exit(centre_file, loaded)
    if serve_port is not None:
        serve_wall(loaded.file, centre_file, settings.store, serve_port)
        return
    from datetime import UTC, datetime

    from ..store.centre_link import CentreLink, availability_opener
    from ..store.opening import open_reader
    from ..tui.board_app import BoardApp

    link = CentreLink(
        availability_opener(settings.store),
        centre,
        console_id=f"board:{supervisor or settings.call_taker_id}",
        clock=lambda: datetime.now(UTC),
        watch_events=True,
    )
    app = BoardApp(
        loaded, centre, link, lambda: open_reader(settings), wall=wall, supervisor=supervisor or settings.call_taker_id
    )
    link.start()
    try:
        app.run()
    finally:
        link.stop()


def serve_wall(protocol_file: str, centre_file: str, store: str | None, port: int) -> None:
    """The read-only board in a browser: textual-serve runs ``board --wall`` for each page opened.

    The page template is textual-serve's own with its web font served locally (tui/web/), so
    nothing is fetched from the internet. Bound to 127.0.0.1: put a proxy with TLS and a login in
    front of it to show it on another screen.
    """
    import os
    import shlex
    import sys

    try:
        from textual_serve.server import Server
    except ImportError:
        raise click.ClickException('the web board needs textual-serve: pip install "crisis-triage[web]"') from None
    if store:
        os.environ["CRISIS_TRIAGE_STORE"] = store  # to the board processes, not on their command line
    command = shlex.join(
        [sys.executable, "-m", "crisis_triage", "board", "--wall", "-p", protocol_file, "--centre", centre_file]
    )
    templates = Path(__file__).resolve().parents[1] / "tui" / "web"
    Server(command, host="127.0.0.1", port=port, title="crisis-triage board", templates_path=templates).serve()


@click.command("centre-roles")
@click.option("--store", help="The centre's postgresql:// URL (default: from the config).")
@click.option("--map", "mappings", multiple=True, metavar="ROLE=CONSOLE", help="Let login ROLE ship CONSOLE's events.")
def centre_roles(store: str | None, mappings: tuple[str, ...]) -> None:
    """Create the call-taker, supervisor and evaluator roles and their grants (see docs/operations.md).

    Run as the owner of the centre's schema. Idempotent: run it again after an upgrade.
    """
    settings = load_settings_or_exit(store=store)
    from ..store.opening import is_postgres_url
    from ..store.postgres import redact
    from ..store.roles import apply_roles, map_console

    if not is_postgres_url(settings.store):
        raise click.ClickException("roles need the centre's PostgreSQL store: give --store postgresql://...")
    pairs = []
    for mapping in mappings:
        role, _, console = mapping.partition("=")
        if not role or not console:
            raise click.BadParameter(f'"{mapping}": expected ROLE=CONSOLE', param_hint="--map")
        pairs.append((role, console))
    try:
        apply_roles(settings.store)
        for role, console in pairs:
            map_console(settings.store, role, console)
    except Exception as exc:
        raise click.ClickException(f"cannot set up the roles on {redact(settings.store)}: {exc}") from None
    click.echo(f"roles and grants in place on {redact(settings.store)}")
