"""``crisis-triage config``: the config file in force and every value, with where it came from."""

from __future__ import annotations

import json
import os

import click

from .common import load_settings_or_exit


def records_place(settings) -> str:
    """Where calls are recorded: the embedded SQLite file, or the shared store (journalled locally first)."""
    from ..store.opening import is_postgres_url, sqlite_path

    local = sqlite_path()
    if is_postgres_url(settings.store):
        from ..store.postgres import redact

        return f"{redact(settings.store)} (each event journalled first in {local})"
    return str(local)


SECRET_SUFFIXES = ("_token", "_password", "_secret", "_key_file")
"""Settings whose values are credentials: `config` says whether they are set, never what they are
(its output is pasted into tickets and shown on shared screens)."""


def shown_value(name: str, value):
    """A setting as `config` prints it: a credential as "(set, hidden)", a store URL without its password."""
    if value in (None, "", {}, []):
        return value
    if name.endswith(SECRET_SUFFIXES):
        return "(set, hidden)"
    if name == "store" and isinstance(value, str):
        from ..store.opening import is_postgres_url

        if is_postgres_url(value):
            from ..store.postgres import redact

            return redact(value)
    return value


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the values as JSON.")
def config(as_json: bool) -> None:
    """Show the config file's path and the settings in force (file, environment, defaults)."""
    from ..config import config_path, data_dir, field_docs, file_values as read_file_values

    path = config_path()
    settings = load_settings_or_exit()
    values = {name: shown_value(name, value) for name, value in settings.model_dump().items()}
    if as_json:
        click.echo(
            json.dumps(
                {
                    "config_file": str(path),
                    "exists": path.exists(),
                    "data_dir": str(data_dir()),
                    "records": records_place(settings),
                    "settings": values,
                },
                indent=2,
                default=str,
            )
        )
        return
    file_values = read_file_values(path)
    from ..keymap import keymap_problems

    for problem in keymap_problems(settings.keys):
        click.echo(f"problem: {problem}")
    click.echo(
        f"config file: {path}" + ("" if path.exists() else "  (not created yet: defaults and environment apply)")
    )
    click.echo(f"data dir:    {data_dir()}")
    click.echo(f"records:     {records_place(settings)}")
    click.echo("")
    docs = field_docs()
    width = max(len(name) for name in values)
    for name, value in values.items():
        env = f"CRISIS_TRIAGE_{name.upper()}"
        if env in os.environ:
            origin = f"env {env}"
        elif name in file_values:
            origin = "config file"
        else:
            origin = "default"
        shown = json.dumps(value) if isinstance(value, (dict, list)) else ("" if value is None else str(value))
        click.echo(f"{name:<{width}}  {shown:<32}  ({origin})")
        if docs.get(name):
            click.echo(f"{'':<{width}}  {docs[name]}")
