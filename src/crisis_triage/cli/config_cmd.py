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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the values as JSON.")
def config(as_json: bool) -> None:
    """Show the config file's path and the settings in force (file, environment, defaults)."""
    from ..config import config_path, data_dir, field_docs, file_values as read_file_values

    path = config_path()
    settings = load_settings_or_exit()
    values = settings.model_dump()
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
