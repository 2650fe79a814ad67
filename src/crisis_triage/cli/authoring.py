"""The protocol author's commands: ``lint``, ``graph``, ``schema``, ``paths``, ``diff``, ``preview``, ``export``.

Headless (no Textual) except ``preview``, which opens the console's preview app. Every command
reports a protocol that does not load the way ``validate`` does (one ``file:line:column`` line per
problem) and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import load_protocol_or_exit, write_or_exit

_FILE = click.Path(dir_okay=False)


def _load(path: str):
    from ..authoring.source import load_with_source

    return load_protocol_or_exit(path, load_with_source)


def _check_door(loaded, door: str | None) -> None:
    if door is not None and door not in loaded.protocol.doors:
        from ..protocol.errors import did_you_mean

        raise click.BadParameter(
            f'no door "{door}"{did_you_mean(door, loaded.protocol.doors)}; doors: {", ".join(loaded.protocol.doors)}',
            param_hint="--door",
        )


# -- lint ------------------------------------------------------------------------------------------
@click.command()
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings (and no errors).")
@click.option(
    "--max-words",
    type=click.IntRange(5, 500),
    default=35,
    show_default=True,
    help="Longest script (ask, ask_other, say) to read aloud, in words.",
)
@click.option(
    "--severity",
    type=click.Choice(["error", "warning", "info"]),
    default="info",
    show_default=True,
    help="Show findings of this severity and above.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--max-states",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="Partial paths the reachability walk keeps per step before it samples (see `paths`).",
)
def lint(files: tuple[str, ...], strict: bool, max_words: int, severity: str, fmt: str, max_states: int | None) -> None:
    """Check what valid protocols still get wrong: unreachable questions, shadowed rules, bands and
    models never reached, interrupts with no effect, missing translations, long scripts, key clashes.

    One line per finding: FILE:LINE:COLUMN: severity[code] at PATH: message. Exit codes: 0 no
    errors (with --strict: no warnings either), 1 errors or a file that does not load, 2 warnings
    only with --strict. Silence a finding with a `# lint: ignore[code]` comment on its line.
    """
    from ..authoring.lint import SEVERITY_ORDER, LintOptions, exit_code, lint as run_lint

    worst = 0
    report = []
    for file in files:
        loaded = _load(file)
        exploration = None
        if max_states is not None:
            from ..authoring.explore import explore

            exploration = explore(loaded.protocol, budget=max_states)
        findings = run_lint(loaded, LintOptions(max_words=max_words, exploration=exploration))
        shown = [f for f in findings if SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[severity]]
        if fmt == "json":
            report.append(
                {
                    "file": file,
                    "findings": [
                        {
                            "code": f.code,
                            "severity": f.severity,
                            "line": f.line,
                            "column": f.column,
                            "path": list(f.path),
                            "message": f.message,
                        }
                        for f in shown
                    ],
                }
            )
        else:
            for finding in shown:
                click.echo(str(finding))
            counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
            click.echo(
                f"{file}: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes", err=True
            )
        code = exit_code(findings, strict=strict)
        worst = 1 if 1 in (worst, code) else max(worst, code)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    raise SystemExit(worst)


# -- graph -----------------------------------------------------------------------------------------
@click.command()
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg", "png"]),
    default=None,
    help="Diagram format (default: from the --output suffix, else mermaid).",
)
@click.option("--door", default=None, help="Only the questions this door (who is calling) can reach.")
@click.option("--overview", is_flag=True, help="One box per section instead of one per question (long protocols).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (default: stdout; required for png).",
)
def graph(file: str, fmt: str, door: str | None, overview: bool, output: str | None) -> None:
    """Draw the protocol's flow: questions by section, conditions on the arrows, interrupts, rules
    and the models they recommend. Mermaid renders on code hosts; svg/png need Graphviz's `dot`."""
    from ..authoring.diagram import GraphvizMissing, render

    fmt = _graph_format(fmt, output)
    loaded = _load(file)
    _check_door(loaded, door)
    if fmt == "png" and output is None and sys.stdout.isatty():
        raise click.UsageError("PNG is binary: give --output FILE.png")
    try:
        result = render(loaded.protocol, fmt, door, overview)
    except GraphvizMissing as exc:
        click.echo(f"crisis-triage graph: {exc}", err=True)
        raise SystemExit(3) from None
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    if output is None:
        if isinstance(result, bytes):
            sys.stdout.buffer.write(result)
        else:
            click.echo(result, nl=False)
        return
    write_or_exit(output, result)
    click.echo(f"wrote {output}", err=True)


#: File suffixes of each diagram format: the written file's format always matches its name.
_GRAPH_SUFFIXES = {".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid", ".dot": "dot", ".gv": "dot"}
_GRAPH_SUFFIXES.update({".svg": "svg", ".png": "png"})


def _graph_format(fmt: str | None, output: str | None) -> str:
    """The format to draw: --format, else the output's suffix, else mermaid; a suffix that names
    another format than --format is a usage error (Mermaid text in a file named .svg helps nobody)."""
    from pathlib import Path

    suffix = Path(output).suffix.lower() if output else ""
    implied = _GRAPH_SUFFIXES.get(suffix)
    if fmt is None:
        if output and implied is None:
            raise click.UsageError(
                f'cannot tell the format from "{suffix or output}": name the file '
                f"{', '.join(sorted(_GRAPH_SUFFIXES))} or give --format"
            )
        return implied or "mermaid"
    if implied is not None and implied != fmt:
        raise click.UsageError(f"--format {fmt} does not match the file name {output} ({suffix} is {implied})")
    return fmt


# -- schema ----------------------------------------------------------------------------------------
@click.command()
@click.option(
    "--kind", type=click.Choice(["protocol", "scenario", "directory", "centre"]), default="protocol", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to this file (default: stdout)."
)
def schema(kind: str, output: str | None) -> None:
    """The JSON Schema of protocol (or scenario, referral directory or centre) files, with help text for editor hover.

    Point yaml-language-server at it with a first line such as
    `# yaml-language-server: $schema=../schema/protocol.schema.json`.
    """
    from ..authoring.schema import schema_text

    text = schema_text(kind)
    if output is None:
        click.echo(text, nl=False)
        return
    write_or_exit(output, text)
    click.echo(f"wrote {output}", err=True)


# -- paths -----------------------------------------------------------------------------------------
@click.command()
@click.argument("file", type=_FILE)
@click.option("--door", default=None, help="Only this door (default: every door).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--hour",
    type=click.FloatRange(0, 23.99),
    default=12.0,
    show_default=True,
    help="Local hour the calls are taken at (response hours depend on it).",
)
@click.option("--district", default=None, help="District the calls come from (availability depends on it).")
@click.option(
    "--verify", is_flag=True, help="Replay each row's example through the engine and check it ends the same way."
)
@click.option(
    "--max-states",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="Partial paths kept per step before the walk samples (default: sized to answer in seconds).",
)
def paths(
    file: str, door: str | None, as_json: bool, hour: float, district: str | None, verify: bool, max_states: int | None
) -> None:
    """Every distinct path through the protocol, per door, with its band and recommendation.

    Answers that behave alike (same points, same facts, same value to every condition) are tried
    once, so the table stays small and fast on large protocols; each row counts the paths it stands for.
    Paths are made of answers: interrupts are left out (lint checks what each interrupt changes).
    """
    from ..authoring.explore import explore, verify as check
    from ..authoring.paths import as_json as to_json, as_text

    loaded = _load(file)
    _check_door(loaded, door)
    if district is not None and district not in loaded.protocol.districts:
        raise click.BadParameter(
            f'no district "{district}"; districts: {", ".join(loaded.protocol.districts)}', param_hint="--district"
        )
    exploration = explore(
        loaded.protocol, doors=[door] if door else None, hour=hour, district=district, budget=max_states
    )
    if as_json:
        click.echo(json.dumps(to_json(exploration), indent=2, ensure_ascii=False, default=str))
    else:
        click.echo(as_text(exploration))
    if verify:
        problems = check(exploration)
        for problem in problems:
            click.echo(f"mismatch: {problem}", err=True)
        click.echo(
            f"verified {len(exploration.ends)} examples against the engine: {len(problems)} mismatches", err=True
        )
        if problems:
            raise SystemExit(1)


# -- diff ------------------------------------------------------------------------------------------
@click.command()
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.option(
    "--calls",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="A calls file (replay format, JSONL) to replay through both versions.",
)
@click.option(
    "--scenarios",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A folder of scenarios to play with both versions.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def diff(old: str, new: str, calls: str | None, scenarios: str | None, as_json: bool) -> None:
    """What changed between two versions of a protocol, and which outcomes it shifts.

    Lists structural changes (questions, options, points, rules, models, scripts). With --calls and
    --scenarios, replays them through both versions and prints the shift matrix (old model -> new
    model, counts, example ids) and the scenarios whose verdict changed.
    """
    from ..authoring.diff import structural_changes
    from ..authoring.outcome_shift import format_matrix, outcome_shift, scenario_shift

    before, after = _load(old).protocol, _load(new).protocol
    changes = structural_changes(before, after)
    result: dict = {
        "old": {"file": old, "version": before.version},
        "new": {"file": new, "version": after.version},
        "changes": [{"kind": c.kind, "what": c.what, "detail": c.detail} for c in changes],
    }
    text = [
        f"{before.id} {before.version} -> {after.id} {after.version}: {len(changes)} change{'s' if len(changes) != 1 else ''}"
    ]
    text += [f"  {c}" for c in changes]
    if calls:
        with open(calls, "rb") as stream:  # bytes: a line that is not UTF-8 is a bad line, not a crash
            matrix, bad = outcome_shift(before, after, stream)
        result["calls"] = matrix.as_json() | {"bad_lines": bad}
        text += ["", format_matrix(matrix, f"calls ({calls})") + (f"\n  {bad} bad lines skipped" if bad else "")]
    if scenarios:
        matrix, changed, problems = scenario_shift(before, after, scenarios)
        result["scenarios"] = matrix.as_json() | {
            "verdicts": [
                {"scenario": c.scenario, "old": c.old_status, "new": c.new_status, "detail": c.detail} for c in changed
            ],
            "problems": problems,
        }
        text += ["", format_matrix(matrix, f"scenarios ({scenarios})")]
        if changed:
            text.append("")
            text.append("scenario verdicts that change:")
            text += [
                f"  {c.scenario}: {c.old_status} -> {c.new_status}" + (f" ({c.detail})" if c.detail else "")
                for c in changed
            ]
        for problem in problems:
            click.echo(problem, err=True)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else "\n".join(text))


# -- preview ---------------------------------------------------------------------------------------
@click.command()
@click.argument("file", type=_FILE)
@click.option("--door", default=None, help="The door to start with (default: the first).")
@click.option(
    "--poll",
    type=click.FloatRange(0.05, 10),
    default=0.5,
    show_default=True,
    help="Seconds between checks for a saved file.",
)
def preview(file: str, door: str | None, poll: float) -> None:
    """Open the protocol in the console's preview: reloads on save, shows errors in place, and lets
    you answer questions to see the band and the recommendation the engine gives."""
    if not Path(file).exists():
        raise click.BadParameter(f"{file} does not exist", param_hint="FILE")
    from ..tui.preview_app import PreviewApp

    PreviewApp(file, door=door, poll_seconds=poll).run()


# -- export ----------------------------------------------------------------------------------------
@click.command()
@click.argument("file", type=_FILE)
@click.option("--format", "fmt", type=click.Choice(["fhir", "eido"]), required=True)
@click.option(
    "--call",
    "call_file",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="A completed call: events JSONL (one event per line) or a calls file (replay format, first call).",
)
@click.option("--call-id", default=None, help="Which call of a calls file (default: the first).")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write to this file (default: stdout)."
)
def export(file: str, fmt: str, call_file: str | None, call_id: str | None, output: str | None) -> None:
    """Export for other systems: the protocol as a FHIR R4 Questionnaire (with --call: the call as a
    QuestionnaireResponse), or a call as a NENA EIDO incident document (--format eido needs --call)."""
    from ..authoring.callfile import CallFileError, read_call

    loaded = _load(file)
    session = None
    if call_file:
        try:
            session, label = read_call(
                loaded.protocol, call_file, call_id, on_bad_line=lambda message: click.echo(message, err=True)
            )
        except CallFileError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "fhir":
        from ..interop.fhir import questionnaire, questionnaire_response

        document = (
            questionnaire_response(loaded.protocol, session, label) if session else questionnaire(loaded.protocol)
        )
    else:
        if session is None:
            raise click.UsageError("an EIDO document describes a call: give --call FILE")
        from ..interop.eido import eido_document

        document = eido_document(loaded.protocol, session, label)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_or_exit(output, text)
        click.echo(f"wrote {output}", err=True)
