"""Options and helpers shared by subcommands: the protocol to load, settings, writing files, and for
the commands that read call records (records, report, followups, eido) the store, period and
protocol-file options and opening the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
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


# -- reading call records ------------------------------------------------------------------------------
store_option = click.option(
    "--store",
    default=None,
    metavar="URL",
    help="A centre's postgresql:// store (default: from settings; empty means the local file).",
)
local_option = click.option(
    "--local", is_flag=True, help="Read this console's local file even if a centre store is set."
)


def parse_date(value: str | None, name: str) -> datetime | None:
    """The date/time an option gives (local time without an offset), or None; a bad one is a usage error."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f'"{value}" is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)', param_hint=name
        ) from None
    if not 1900 <= moment.year <= 2999:
        raise click.BadParameter(f'"{value}": give a year between 1900 and 2999', param_hint=name)
    return moment if moment.tzinfo else moment.astimezone()


def period_options(function):
    function = click.option(
        "--until", default=None, help="Only calls started before this date/time (local time without an offset)."
    )(function)
    return click.option(
        "--since",
        default=None,
        help="Only calls started on or after this date/time "
        "(YYYY-MM-DD[THH:MM][+HH:MM]; local time without an offset).",
    )(function)


@contextmanager
def opened_reader(store: str | None, local: bool) -> Iterator:
    """The store to read, closed afterwards; a store that cannot be opened is a one-line error."""
    from ..store.journal import JournalError
    from ..store.opening import open_reader
    from ..store.postgres import redact

    settings = load_settings_or_exit(store=store)
    try:
        reader = open_reader(settings, local=local)
    except JournalError as exc:
        raise click.ClickException(f"{exc}{_fallback_note()}") from None
    try:
        yield reader
    except JournalError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # psycopg errors: the module is only imported with a centre store
        if type(exc).__module__.startswith("psycopg"):
            raise click.ClickException(
                f"cannot read the centre store {redact(settings.store or '')}: {str(exc).strip()}"
            ) from None
        raise
    finally:
        reader.close()


def _fallback_note() -> str:
    """Where calls recorded while the local store was unusable are, if any (they merge at the next start)."""
    from ..store.fallback import fallback_files
    from ..store.opening import fallback_dirs

    files = [f for folder in fallback_dirs() for f in fallback_files(folder)]
    if not files:
        return ""
    return (
        f"\n{len(files)} fallback journal file(s) hold events recorded meanwhile, in "
        f"{', '.join(sorted({str(f.parent) for f in files}))}; they merge into the store at the console's next "
        "start once the store opens (JSON Lines, readable with any text tool)"
    )


def protocol_resolver(protocols: tuple[str, ...]):
    """Finds the protocol text each recorded call used: the given files, then the shipped protocols."""
    from ..reporting.protocol_texts import ProtocolResolver

    return ProtocolResolver([*protocols, Path(default_protocol()).parent])


def find_call(reader, call_id: str) -> str:
    """The full id of the call ``call_id`` names (an id or a unique prefix of one)."""
    if reader.has_call(call_id):
        return call_id
    matches = [c.meta.call_id for c in reader.calls() if c.meta.call_id.startswith(call_id)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.ClickException(f'no call "{call_id}" in the records')
    raise click.ClickException(f'"{call_id}" matches {len(matches)} calls; give more of the id')


def protocol_files_option(help: str):
    """``--protocol/-p FILE`` (repeatable): protocol texts to match recorded calls against by sha256."""
    return click.option("--protocol", "-p", "protocols", multiple=True, type=click.Path(exists=True), help=help)
