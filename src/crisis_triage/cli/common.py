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
    "--protocol",
    "-p",
    type=click.Path(dir_okay=False),
    default=default_protocol,
    show_default="the shipped Boston protocol",
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


def load_settings_or_exit(**overrides):
    """Settings in force with ``overrides`` (CLI options) on top; a config file that cannot be read or
    a bad value is one clear line naming where the value came from (option, environment variable or
    config file), and exit 1."""
    from pydantic import ValidationError

    from ..config import SettingsError, load_settings, setting_origin, settings_problems

    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        raise click.ClickException(f"cannot read the settings: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))} (from {setting_origin(str(e['loc'][0]), overrides)}): {e['msg']}"
            for e in exc.errors()
        )
        raise click.ClickException(f"cannot read the settings: {problems}; check `crisis-triage config`") from None
    wrong = settings_problems(settings)
    if wrong:
        raise click.ClickException(
            "cannot use the settings: "
            + "; ".join(f"{name} (from {setting_origin(name, overrides)}): {message}" for name, message in wrong)
        )
    return settings


def write_or_exit(path: str, data: str | bytes) -> None:
    """Write a file a command was asked to produce; a path that cannot be written is one clear line.

    The folder must exist: a command never creates folders (as whoever runs it) from a mistyped path.
    """
    from pathlib import Path

    folder = Path(path).parent
    if not folder.is_dir():
        raise click.ClickException(f"cannot write {path}: the folder {folder} does not exist")
    try:
        Path(path).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
