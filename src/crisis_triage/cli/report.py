"""``crisis-triage report``: the pilot's figures from the call records, as tables, bar charts, JSON and HTML."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from .common import (
    local_option,
    opened_reader,
    parse_date,
    period_options,
    protocol_files_option,
    store_option,
    write_or_exit,
)


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
@protocol_files_option("Protocol files to replay with (matched by sha256), if recorded paths have moved.")
@click.option("--police-role", "police_roles", multiple=True, help="Role ids that count as police.")
@click.option("--clinician-role", "clinician_roles", multiple=True, help="Role ids that count as a clinician.")
@click.option(
    "--mental-health-role",
    "mental_health_roles",
    multiple=True,
    help="Role ids that count as a mental-health professional.",
)
@click.option("--versus-since", default=None, help="A second period to set beside the first: its start.")
@click.option("--versus-until", default=None, help="The second period's end.")
@click.option("--by-protocol", is_flag=True, help="The figures of each protocol version side by side.")
@click.option("--practice", is_flag=True, help="Include practice calls.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for replaying calls (default 1; helps on large stores with many cores).",
)
def report(
    store,
    local,
    since,
    until,
    html_path,
    as_json,
    protocols,
    police_roles,
    clinician_roles,
    mental_health_roles,
    versus_since,
    versus_until,
    by_protocol,
    practice,
    jobs,
) -> None:
    """The pilot's figures: dispatched and not dispatched calls, police, clinicians and the call line;
    dispositions, arrests and holds by model, time to on scene, contact confirmed in time, follow-ups
    done on time; "no wrong door" by door, line and language; no-police requests honoured; trends by
    week. Every call is replayed through the exact protocol text it was taken with; every time is in
    the centre's zone. The roles counted as police and clinicians come from the protocol's
    ``evaluation`` block unless given here."""
    from ..reporting.figures import Figures, Roles
    from ..reporting.outcomes import call_outcomes
    from ..reporting.render import render_html, render_side_by_side, render_text, report_data
    from .centre_clock import centre_zone
    from .common import default_protocol

    started = time.perf_counter()
    now = datetime.now(UTC)
    zone = centre_zone()
    candidates = [*protocols, str(Path(default_protocol()).parent)]
    orders, defaults = _protocol_defaults()
    roles = Roles(
        police=tuple(police_roles) or defaults.police,
        clinician=tuple(clinician_roles) or defaults.clinician,
        mental_health=tuple(mental_health_roles) or defaults.mental_health,
        no_police_facts=defaults.no_police_facts,
    )

    def figures_for(reader, first, last, split: bool) -> dict[str, Figures]:
        groups: dict[str, Figures] = {}
        results = call_outcomes(
            reader.iter_rows(),
            candidates,
            jobs=jobs,
            total_calls=reader.count()[0],
            since=parse_date(first, "--since"),
            until=parse_date(last, "--until"),
            include_practice=practice,
            now=now,
        )
        for meta, result in results:
            key = f"{meta.protocol_id} {meta.protocol_version}" if split else "all"
            figures = groups.setdefault(key, Figures(roles=roles))
            if isinstance(result, str):
                figures.unreadable[result] += 1
            else:
                figures.protocols[f"{meta.protocol_id} {meta.protocol_version}"] += 1
                figures.add(result, zone)
        return groups or {"all": Figures(roles=roles)}

    with opened_reader(store, local) as reader:
        groups = figures_for(reader, since, until, by_protocol)
        if versus_since or versus_until:
            first = groups.pop("all")
            groups = {
                _label(since, until): first,
                _label(versus_since, versus_until): figures_for(reader, versus_since, versus_until, False)["all"],
            }
    seconds = time.perf_counter() - started
    title = "Crisis response pilot: figures from the call records"
    if as_json:
        data = {name: report_data(f) for name, f in groups.items()}
        payload = data["all"] if list(data) == ["all"] else {"side_by_side": data}
        click.echo(
            json.dumps({"generated_at": now.astimezone(zone).isoformat(), "zone": str(zone), **payload}, indent=2)
        )
    elif len(groups) > 1:
        click.echo(render_side_by_side(list(groups.items()), title=title))
    else:
        click.echo(render_text(groups["all"], title=title, zone=zone, **orders))
    if not as_json:
        click.echo(f"\n({sum(f.calls for f in groups.values())} calls replayed in {seconds:.1f} s)", err=True)
    if html_path:
        html = "".join(
            render_html(f, title=f"{title}: {name}" if name != "all" else title, zone=zone, **orders)
            for name, f in groups.items()
        )
        write_or_exit(html_path, html)
        click.echo(f"charts written to {html_path}", err=True)
    if all(f.calls == 0 and not f.unreadable for f in groups.values()):
        click.echo("no calls in the records" + (" for that period" if since or until else ""), err=True)


def _label(since: str | None, until: str | None) -> str:
    return f"{since or 'start'} to {until or 'now'}"


def _protocol_defaults():
    """Protocol order for the tables, and the roles and facts its ``evaluation`` block names."""
    from ..protocol import ProtocolError, load_protocol
    from ..reporting.figures import Roles, roles_from_protocol
    from .common import default_protocol

    try:
        p = load_protocol(default_protocol())
    except (ProtocolError, OSError):
        return {}, Roles()
    orders = {
        "models": list(p.models),
        "bands": list(p.band_ids),
        "districts": list(p.districts),
        "doors": list(p.doors),
    }
    return orders, roles_from_protocol(p)
