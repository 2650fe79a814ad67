"""``crisis-triage report``: the pilot's figures from the call records, as tables, bar charts and HTML."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from .common import write_or_exit
from .records import _date, local_option, opened_reader, period_options, store_option


@click.command()
@store_option
@local_option
@period_options
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the report with charts to this HTML file (self-contained, no network).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of tables.")
@click.option(
    "--protocol",
    "-p",
    "protocols",
    multiple=True,
    type=click.Path(exists=True),
    help="Protocol files to replay with (matched by sha256), if recorded paths have moved.",
)
@click.option("--police-role", "police_roles", multiple=True, help="Role ids that count as police (default: police).")
@click.option(
    "--clinician-role",
    "clinician_roles",
    multiple=True,
    help="Role ids that count as a clinician (default: clinician, mh_worker).",
)
@click.option("--practice", is_flag=True, help="Include practice calls.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for replaying calls (default 1; helps on large stores with many cores).",
)
def report(
    store, local, since, until, html_path, as_json, protocols, police_roles, clinician_roles, practice, jobs
) -> None:
    """The pilot's figures: calls per model, district, band and door; share with police involved and
    with a clinician; handoffs accepted; preferred model unavailable and why; time to recommendation
    p50/p90. Every call is replayed through the exact protocol text it was taken with."""
    from ..reporting.figures import CLINICIAN_ROLES, POLICE_ROLES, compute_figures, percentile
    from ..reporting.outcomes import call_outcomes
    from ..reporting.render import render_html, render_text
    from .common import default_protocol

    started = time.perf_counter()
    candidates = [*protocols, str(Path(default_protocol()).parent)]
    with opened_reader(store, local) as reader:
        total_calls = reader.count()[0]
        results = call_outcomes(
            reader.iter_rows(),
            candidates,
            jobs=jobs,
            total_calls=total_calls,
            since=_date(since, "--since"),
            until=_date(until, "--until"),
            include_practice=practice,
        )
        figures = compute_figures(
            results, police_roles=police_roles or POLICE_ROLES, clinician_roles=clinician_roles or CLINICIAN_ROLES
        )
    seconds = time.perf_counter() - started
    orders = _orders()
    title = "Crisis response pilot: figures from the call records"
    if as_json:
        f = figures
        click.echo(
            json.dumps(
                {
                    "calls": f.calls,
                    "unfinished": f.unfinished,
                    "per_model": f.per_model,
                    "recommended": f.recommended,
                    "per_district": f.per_district,
                    "per_band": f.per_band,
                    "per_door": f.per_door,
                    "police": f.police,
                    "clinician": f.clinician,
                    "call_line": f.call_line,
                    "handoffs": f.handoffs,
                    "handoff_outcomes": f.handoff_outcomes,
                    "preferred_unavailable": f.preferred_unavailable,
                    "unavailable_reasons": [
                        {"preferred": a, "sent": b, "reason": r, "calls": n}
                        for (a, b, r), n in f.unavailable_reasons.most_common()
                    ],
                    "departures": f.departures,
                    "seconds_to_recommendation": {
                        "p50": percentile(f.seconds_to_recommendation, 50),
                        "p90": percentile(f.seconds_to_recommendation, 90),
                    },
                    "seconds_to_dispatch": {
                        "p50": percentile(f.seconds_to_dispatch, 50),
                        "p90": percentile(f.seconds_to_dispatch, 90),
                    },
                    "unreadable": [{"reason": r, "calls": n} for r, n in f.unreadable.most_common()],
                },
                indent=2,
            )
        )
    else:
        click.echo(render_text(figures, title=title, **orders))
        click.echo(f"\n({figures.calls} calls replayed in {seconds:.1f} s)", err=True)
    if html_path:
        write_or_exit(html_path, render_html(figures, title=title, **orders))
        click.echo(f"charts written to {html_path}", err=True)
    if figures.calls == 0 and not figures.unreadable:
        click.echo("no calls in the records" + (" for that period" if since or until else ""), err=True)


def _orders() -> dict:
    """Protocol order for the tables (models, bands, districts, doors as the shipped protocol lists them)."""
    from ..protocol import ProtocolError, load_protocol
    from .common import default_protocol

    try:
        p = load_protocol(default_protocol())
    except (ProtocolError, OSError):
        return {}
    return {"models": list(p.models), "bands": list(p.band_ids), "districts": list(p.districts), "doors": list(p.doors)}
