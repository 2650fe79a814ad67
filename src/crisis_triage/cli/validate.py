"""``crisis-triage validate FILE...``: one line per problem, exit 0 when every file is valid."""

from __future__ import annotations

import click

from ..protocol.centre import check_centre, looks_like_centre
from ..protocol.directory import check_directory, directory_path, is_directory_file
from ..protocol.errors import Problem
from ..protocol.loader import check_protocol, load_protocol


@click.command()
# Paths are not checked by click: a missing file or a directory is reported like any other problem
# (one line, exit 1), not as a usage error.
@click.argument("files", nargs=-1, required=True)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing for valid files.")
def validate(files: tuple[str, ...], quiet: bool) -> None:
    """Check protocol files: YAML, schema, references, conditions, cycles, reachability.

    A protocol's referral directory (``referrals.directory``) is checked with it, against its
    districts; a file named *-directory.yaml given on its own is checked as a directory.
    A centre file (top-level ``centre:``) is checked as one: schema, unique unit ids.

    Prints one line per problem as FILE:LINE:COLUMN: error[code] at PATH: message.
    Exits 0 when every file is valid, 1 otherwise.
    """
    failed = 0
    for file in files:
        problems = _problems(file)
        errors = [p for p in problems if p.severity == "error"]
        for problem in problems:
            click.echo(str(problem), err=False)
        if errors:
            failed += 1
            click.echo(f"{file}: {len(errors)} error{'s' if len(errors) != 1 else ''}", err=True)
        elif not quiet:
            click.echo(f"{file}: valid")
    raise SystemExit(1 if failed else 0)


def _problems(file: str) -> list[Problem]:
    if looks_like_centre(file):
        return check_centre(file)
    if is_directory_file(file):
        return check_directory(file)
    problems = check_protocol(file)
    if problems:
        return problems
    protocol = load_protocol(file)
    directory = directory_path(protocol)
    return check_directory(directory, protocol) if directory is not None else []
