"""Options and helpers shared by subcommands."""

from __future__ import annotations

from pathlib import Path

import click

#: The protocol shipped with the project (the Boston pilot).
DEFAULT_PROTOCOL = str(Path(__file__).resolve().parents[3] / "protocols" / "boston-mh-crisis.yaml")


def default_protocol() -> str:
    """The shipped Boston protocol: from the source tree, or from the installed package data."""
    source = Path(DEFAULT_PROTOCOL)
    if source.exists():
        return str(source)
    packaged = Path(__file__).resolve().parents[1] / "data" / "boston-mh-crisis.yaml"
    return str(packaged)


protocol_option = click.option(
    "--protocol", "-p", type=click.Path(dir_okay=False), default=default_protocol, show_default="the shipped Boston protocol",
    help="Protocol file (YAML).",
)


def load_protocol_or_exit(path: str, load=None):
    """Load a protocol for a command (with ``load``, default ``load_protocol``); on problems print one
    line each to stderr, then what to do, and exit 1."""
    from ..protocol.errors import ProtocolError
    from ..protocol.loader import load_protocol

    try:
        return (load or load_protocol)(path)
    except ProtocolError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{path}: the protocol does not load; fix the problems above first", err=True)
        raise SystemExit(1) from None
