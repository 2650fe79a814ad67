"""``crisis-triage replay`` and ``crisis-triage generate-calls``."""

from __future__ import annotations

import json
import sys

import click

from ..replay.calls import Summary
from ..replay.jobs import default_jobs, replay_in_chunks
from .common import load_protocol_or_exit, protocol_option


@click.command()
@protocol_option
# Binary: each line is decoded on its own, so one line that is not UTF-8 is reported and skipped.
@click.argument("calls", type=click.File("rb"))
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write results (default: stdout).",
)
@click.option(
    "--summary", is_flag=True, help="Also print counts per model and per band (to stderr when results go to stdout)."
)
@click.option("--summary-only", is_flag=True, help="Print only the summary table.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=None,
    help="Processes to replay with (default: the machine's cores). Output stays in input order.",
)
def replay(protocol: str, calls, output, summary: bool, summary_only: bool, jobs: int | None) -> None:
    """Replay a calls file (JSONL, one call per line) through a protocol.

    Each input line: {"id", "door", "line", "district", "language", "at", "answers": {question: value},
    "interrupts": [...], "unavailable": {model: reason}}. Writes one JSON line per call: model, team,
    band, score, fallback, rationale. A bad line is reported with its number and skipped. The calls
    are split into chunks replayed by --jobs processes; the results are the same whatever the number.
    """
    loaded = load_protocol_or_exit(protocol)
    totals = Summary()
    name = getattr(calls, "name", "-")
    # A summary alone needs only the decisions, which the engine's fast path gives several times faster.
    chunks = replay_in_chunks(
        loaded, calls, jobs=jobs or default_jobs(), decision_only=summary_only, write=not summary_only
    )
    for chunk in chunks:
        for bad in chunk.bad_lines:
            click.echo(f"{name}:{bad}", err=True)
        totals.merge(chunk.summary)
        output.write(chunk.output)
    if summary or summary_only:
        stream = sys.stderr if (output is sys.stdout and not summary_only) else sys.stdout
        click.echo(format_summary(totals, loaded), file=stream)
    if totals.bad_lines and totals.calls == 0:
        raise SystemExit(1)


def format_summary(totals: Summary, protocol) -> str:
    lines = [
        f"{totals.calls} calls replayed through {protocol.id} {protocol.version}"
        + (f", {totals.bad_lines} bad lines skipped" if totals.bad_lines else "")
    ]
    width = max([len(m) for m in protocol.models] + [len(b) for b in protocol.band_ids] + [10])

    def table(title: str, counts: dict[str, int], order: list[str]) -> None:
        lines.append("")
        lines.append(f"{title:<{width}}  {'calls':>8}  {'share':>6}")
        for key in order + sorted(set(counts) - set(order)):
            n = counts.get(key, 0)
            share = 100 * n / totals.calls if totals.calls else 0.0
            lines.append(f"{key:<{width}}  {n:>8}  {share:>5.1f}%")

    table("model", totals.per_model, list(protocol.models))
    table("band", totals.per_band, list(protocol.band_ids))
    if totals.calls:
        lines.append("")
        lines.append(
            f"police involved: {totals.with_police} ({100 * totals.with_police / totals.calls:.1f}%); "
            f"fallback taken: {totals.fallbacks} ({100 * totals.fallbacks / totals.calls:.1f}%)"
        )
    return "\n".join(lines)


@click.command("generate-calls")
@protocol_option
@click.option("--count", "-n", type=click.IntRange(1, 10_000_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--distinct",
    type=click.IntRange(1, 10_000_000),
    default=None,
    help="Generate this many different calls, then repeat them under new ids (fast volume tests).",
)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def generate_calls(protocol: str, count: int, seed: int, distinct: int | None, output) -> None:
    """Write realistic synthetic calls (JSONL) for demos, benchmarks and impact estimates."""
    from ..replay.generate_calls import generate_calls as generate, stream_calls

    loaded = load_protocol_or_exit(protocol)
    calls = stream_calls(loaded, count, seed, distinct) if distinct else generate(loaded, count, seed)
    for call in calls:
        output.write(json.dumps(call, ensure_ascii=False) + "\n")
