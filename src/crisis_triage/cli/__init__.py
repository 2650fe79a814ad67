"""The ``crisis-triage`` command: one entry point, subcommands loaded only when used.

Subcommands are imported lazily so that ``validate`` and ``replay`` (run on servers and in CI)
never import Textual and start fast. Each subcommand lives in its own module of this package.
"""

from __future__ import annotations

import importlib
import sys

import click

from .. import __version__

#: command name -> "module:attribute" inside crisis_triage.cli
COMMANDS = {
    "call": "console:call",
    "board": "board:board",
    "centre-roles": "board:centre_roles",
    "config": "config_cmd:config",
    "validate": "validate:validate",
    "replay": "replay:replay",
    "generate-calls": "replay:generate_calls",
    "records": "records:records",
    "report": "report:report",
    "followups": "followups:followups",
    "train": "training:train",
    "scenarios": "training:scenarios",
    "lint": "authoring:lint",
    "graph": "authoring:graph",
    "schema": "authoring:schema",
    "paths": "authoring:paths",
    "diff": "authoring:diff",
    "preview": "authoring:preview",
    "export": "authoring:export",
    "eido": "eido:eido",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(__name__):
                return None  # a subcommand not built in this version
            raise
        return getattr(module, attribute, None)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="crisis-triage")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Mental-health crisis call triage: the call console, protocols, records, training.

    With no command, opens the console home screen.
    """
    if ctx.invoked_subcommand is None:
        command = cli.get_command(ctx, "call")
        if command is None:  # pragma: no cover - the console ships with the package
            click.echo(ctx.get_help())
            return
        ctx.invoke(command, home=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: no Python traceback ever reaches a user."""
    try:
        cli.main(args=argv, prog_name="crisis-triage", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        from ..crash import report_crash

        path = report_crash(exc)
        click.echo(f"crisis-triage: internal error: {type(exc).__name__}: {exc}", err=True)
        if path:
            click.echo(f"details were written to {path}; please send them to the maintainers", err=True)
        sys.exit(70)
