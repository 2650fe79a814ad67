"""``crisis-triage train`` (practice calls and exams) and ``crisis-triage scenarios check`` (regression suite).

Headless parts (listing, checking, history) never import Textual; the practice console is imported
only when a practice call actually starts.
"""

from __future__ import annotations

import random
from pathlib import Path

import click

from ..training.scenario import DIFFICULTIES
from .common import DEFAULT_PROTOCOL, load_protocol_or_exit, load_settings_or_exit, protocol_option, write_or_exit


def default_scenarios_dir() -> str:
    """The shipped scenario library: next to the shipped protocol in the source tree, or in the
    installed package data (the same fallback as the default protocol)."""
    source = Path(DEFAULT_PROTOCOL).parent / "scenarios"
    if source.is_dir():
        return str(source)
    return str(Path(__file__).resolve().parents[1] / "data" / "scenarios")


def _load_library(directory: str, protocol):
    from ..training.library import load_library

    library = load_library(directory, protocol)
    for problem in library.problems:
        click.echo(str(problem), err=True)
    return library


# -- scenarios check ------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def scenarios() -> None:
    """Scenario library tools: check every scenario against a protocol, list them."""


@scenarios.command("check")
@protocol_option
@click.argument("directory", required=False, type=click.Path(file_okay=False), default=default_scenarios_dir)
@click.option("--verbose", "-v", is_flag=True, help="Also show each scenario's team, band and rule.")
def check(protocol: str, directory: str, verbose: bool) -> None:
    """Play every scenario in DIRECTORY headlessly against a protocol and compare outcomes.

    Prints one row per scenario (expected, got, status) and the differences below the table.
    Exits 1 when any scenario fails to load or its outcome differs from its expectation; a
    scenario marked ``disputed`` (the protocol is believed wrong for it) is reported, not failed.
    """
    from ..training.runner import check_scenario
    from ..training.tables import check_table

    loaded = load_protocol_or_exit(protocol)
    library = _load_library(directory, loaded)
    results = [check_scenario(loaded, scenario) for scenario in library.scenarios]
    click.echo(check_table(results, verbose=verbose))
    failed = sum(1 for r in results if r.failed) + len(library.problems)
    bad_files = f", {len(library.problems)} problem(s) loading files" if library.problems else ""
    summary = (
        f"{len(results)} scenarios against {loaded.id} {loaded.version}: "
        f"{sum(r.status == 'ok' for r in results)} ok, {sum(r.status == 'differs' for r in results)} differ, "
        f"{sum(r.status == 'error' for r in results)} could not be played, "
        f"{sum(r.status == 'disputed' for r in results)} disputed{bad_files}"
    )
    click.echo(summary)
    if not results and not library.problems:
        click.echo(f"no scenario files (*.yaml) in {directory}", err=True)
        raise SystemExit(1)
    raise SystemExit(1 if failed else 0)


@scenarios.command("list")
@protocol_option
@click.argument("directory", required=False, type=click.Path(file_okay=False), default=default_scenarios_dir)
@click.option("--tag", "tags", multiple=True, help="Only scenarios with this tag (repeat for several).")
@click.option("--difficulty", type=click.Choice(DIFFICULTIES))
def list_scenarios(protocol: str, directory: str, tags: tuple[str, ...], difficulty: str | None) -> None:
    """List the scenarios of a library (same as ``train --list``)."""
    from ..training.tables import scenario_table

    library = _load_library(directory, load_protocol_or_exit(protocol))
    click.echo(scenario_table(library.filter(tags, difficulty)))


@scenarios.command("schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the schema to this file (default: print it).",
)
def schema(output: str | None) -> None:
    """The JSON Schema of scenario files, for editors (yaml-language-server) and CI."""
    import json

    from ..training.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    write_or_exit(output, text)
    click.echo(f"wrote {output}")


# -- train -----------------------------------------------------------------------------------------


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("chosen", nargs=-1)
@protocol_option
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=default_scenarios_dir,
    show_default="the shipped library",
    help="Folder of scenario files.",
)
@click.option("--list", "list_only", is_flag=True, help="List the scenarios (after filters) and exit.")
@click.option("--tag", "tags", multiple=True, help="Only scenarios with this tag (repeat for several).")
@click.option("--difficulty", type=click.Choice(DIFFICULTIES), help="Only this difficulty.")
@click.option("--random", "pick_random", is_flag=True, help="Practise one scenario picked at random (after filters).")
@click.option(
    "--exam",
    type=click.IntRange(1, 100),
    metavar="N",
    help="An exam of N scenarios, one after the other, with a total score.",
)
@click.option(
    "--seed", type=int, default=None, help="Seed for --random and --exam (the same seed picks the same scenarios)."
)
@click.option(
    "--trainee",
    default=None,
    help="The trainee's name for reports and history (default: the configured call-taker id).",
)
@click.option(
    "--history", "show_history", is_flag=True, help="Show the trainee's past sessions and progress, and exit."
)
@click.option("--everyone", is_flag=True, help="With --history: every trainee at a glance (for trainers).")
def train(
    chosen: tuple[str, ...],
    protocol: str,
    directory: str,
    list_only: bool,
    tags: tuple[str, ...],
    difficulty: str | None,
    pick_random: bool,
    exam: int | None,
    seed: int | None,
    trainee: str | None,
    show_history: bool,
    everyone: bool,
) -> None:
    """Practice calls: the console in practice mode, playing a scripted caller.

    SCENARIO is a scenario id from the library or a path to a scenario file; several make a
    session run one after the other. With none, pick from the library on screen (after --tag and
    --difficulty). Nothing is written to the live call records: reports and
    history go under the data directory's training/ folder.
    """
    settings = load_settings_or_exit()
    trainee = trainee or settings.call_taker_id
    if show_history or everyone:
        from ..training.history import History, format_history, format_overview

        history = History.open()
        click.echo(
            format_overview(history.sessions()) if everyone else format_history(history.sessions(trainee), trainee)
        )
        return
    loaded = load_protocol_or_exit(protocol)
    library = _load_library(directory, loaded)
    if list_only:
        from ..training.tables import scenario_table

        click.echo(scenario_table(library.filter(tags, difficulty)))
        return
    picked = _pick(loaded, library, chosen, tags, difficulty, pick_random, exam, seed)
    from ..tui.practice_app import run_practice
    from .console import check_keys_or_exit

    check_keys_or_exit(settings)

    # Nothing named or filtered: the trainee picks from the library on screen.
    raise SystemExit(
        run_practice(
            settings, loaded, picked, trainee=trainee, exam=exam is not None, library=library.filter(tags, difficulty)
        )
    )


def _pick(protocol, library, chosen, tags, difficulty, pick_random, exam, seed):
    from ..training.library import ScenarioError, load_scenario

    picked = []
    for name in chosen:
        scenario = library.by_id(name)
        if scenario is None and (name.endswith((".yaml", ".yml")) or Path(name).exists()):
            try:
                scenario = load_scenario(name, protocol)
            except ScenarioError as exc:
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
                raise SystemExit(1) from None
        if scenario is None:
            from ..protocol.errors import did_you_mean

            ids = [s.id for s in library.scenarios]
            raise click.UsageError(f'no scenario "{name}"{did_you_mean(name, ids)}; see crisis-triage train --list')
        picked.append(scenario)
    pool = picked or library.filter(tags, difficulty)
    if not pool:
        raise click.UsageError("no scenario matches: see crisis-triage train --list")
    rng = random.Random(seed)
    if exam is not None:
        if exam > len(pool):
            raise click.UsageError(f"an exam of {exam} needs {exam} scenarios; only {len(pool)} match")
        return rng.sample(pool, exam)
    if pick_random:
        return [rng.choice(pool)]
    if picked:
        return picked
    if len(pool) == 1:
        return pool
    return []  # the picker: choose on screen from the (filtered) library
