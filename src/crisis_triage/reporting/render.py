"""The pilot report as text (tables and bar charts for the terminal), as JSON, and as one
self-contained HTML file with inline SVG charts: no scripts, fonts or images fetched from anywhere.

All three are drawn from the same :func:`report_data`, so a figure cannot differ between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, tzinfo
from html import escape
from typing import Any

from .figures import CONTACT_STATES, DOOR_DIMENSIONS, FOLLOW_UP_STATES, Figures, percentile

BAR = "█"
TEXT_ROWS = 40
"""Rows of a table the terminal report prints; JSON and HTML have every row."""
PARTIAL = " ▏▎▍▌▋▊▉"


def _ordered(counts: Counter, order: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Known keys in ``order`` first (those with calls), then the rest by count."""
    order = [k for k in order if counts.get(k)]
    rest = sorted((k for k in counts if k not in order), key=lambda k: (-counts[k], str(k)))
    return [(k, counts[k]) for k in order + rest]


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at full scale, with eighth-cell resolution."""
    if maximum <= 0:
        return ""
    eighths = round(8 * width * value / maximum)
    return BAR * (eighths // 8) + (PARTIAL[eighths % 8] if eighths % 8 else "")


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}"


def _pct(count: int, whole: int) -> str:
    return f"{count} of {whole} ({100 * count / whole:.1f}%)" if whole else f"{count} of 0"


def sections(
    figures: Figures,
    *,
    models: Iterable[str] = (),
    bands: Iterable[str] = (),
    districts: Iterable[str] = (),
    doors: Iterable[str] = (),
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The count tables of the report (shares of all calls), in the order they are printed."""
    f = figures
    return [
        ("response model (dispatched calls)", _ordered(f.per_model, models)),
        ("not dispatched (how the call ended)", _ordered(f.not_dispatched)),
        ("district", _ordered(f.per_district, districts)),
        ("risk band", _ordered(f.per_band, bands)),
        ("door (who called)", _ordered(f.per_door, doors)),
        ("disposition", _ordered(f.dispositions)),
    ]


def headline(figures: Figures) -> list[tuple[str, str]]:
    """(label, value) pairs: the shares and times the evaluator quotes."""
    f = figures
    r = f.roles
    p50, p90 = percentile(f.seconds_to_recommendation, 50), percentile(f.seconds_to_recommendation, 90)
    d50, d90 = percentile(f.seconds_to_dispatch, 50), percentile(f.seconds_to_dispatch, 90)
    on_scene = [s for values in f.on_scene_by_model.values() for s in values]
    contact_required = sum(f.contact.values())
    owed = sum(f.followups.values())
    return [
        ("calls", f"{f.calls}" + (f" ({f.unfinished} unfinished)" if f.unfinished else "")),
        ("dispatched", _pct(f.dispatched, f.calls)),
        ("not dispatched", _pct(f.calls - f.dispatched, f.calls)),
        (f"police involved ({', '.join(r.police)})", _pct(f.police, f.dispatched) + " of dispatched"),
        (f"with a clinician ({', '.join(r.clinician)})", _pct(f.clinician, f.dispatched) + " of dispatched"),
        (
            f"with a mental-health professional ({', '.join(r.mental_health)})",
            _pct(f.mental_health, f.dispatched) + " of dispatched",
        ),
        ("dispatched to the call line (warm handoff)", _pct(f.call_line_dispatched, f.dispatched) + " of dispatched"),
        ("call line added beside a team", _pct(f.call_line_beside, f.dispatched) + " of dispatched"),
        ("handoffs accepted", _pct(f.handoffs_accepted, f.handoffs) + " handoffs"),
        ("preferred model unavailable", _pct(f.preferred_unavailable, f.calls)),
        ("departures from the recommendation", _pct(f.departures, f.dispatched) + " of dispatched"),
        (
            "calls given a referral",
            f"{f.referred} ({f.share(f.referred):.1f}%), {sum(f.referrals_by_kind.values())} referrals",
        ),
        ("time to recommendation p50 / p90", f"{_seconds(p50)} / {_seconds(p90)} (min:s)"),
        ("time to dispatch p50 / p90", f"{_seconds(d50)} / {_seconds(d90)} (min:s)"),
        ("disposition recorded", _pct(f.with_disposition, f.dispatched) + " of dispatched"),
        (
            "resolved without arrest, ER, hold or not found",
            _pct(f.resolved_without, f.with_disposition) + " with a disposition",
        ),
        ("connected to care", _pct(f.connected, f.with_disposition) + " with a disposition"),
        (
            "time to on scene p50 / p90",
            f"{_seconds(percentile(on_scene, 50))} / {_seconds(percentile(on_scene, 90))} (min:s, {len(on_scene)} calls)",
        ),
        (
            "contact confirmed in time",
            _pct(f.contact["in_time"], contact_required)
            + " requiring it"
            + (
                f"; {f.contact['missed']} missed, {f.contact['late']} late, {f.contact['open']} open"
                if contact_required
                else ""
            ),
        ),
        (
            "follow-ups done on time",
            _pct(f.followups["on_time"], owed)
            + " owed"
            + (
                f"; {f.followups['late']} late, {f.followups['overdue']} overdue, {f.followups['open']} not due yet"
                if owed
                else ""
            ),
        ),
        (
            "no-police requests honoured",
            _pct(f.no_police_honoured, f.no_police_requests) + f" dispatched calls ({', '.join(r.no_police_facts)})",
        ),
    ]


def report_data(figures: Figures) -> dict[str, Any]:
    """Every figure as plain JSON-ready data (what ``report --json`` prints)."""
    f = figures
    on_scene = [s for values in f.on_scene_by_model.values() for s in values]

    def p(values: list[float]) -> dict[str, float | None]:
        return {"p50": percentile(values, 50), "p90": percentile(values, 90), "calls": len(values)}

    compared = f.strata_compared()
    return {
        "calls": f.calls,
        "unfinished": f.unfinished,
        "dispatched": f.dispatched,
        "not_dispatched": dict(f.not_dispatched),
        "per_model": dict(f.per_model),
        "recommended": dict(f.recommended),
        "per_district": dict(f.per_district),
        "per_band": dict(f.per_band),
        "per_door": dict(f.per_door),
        "roles": {
            "police": list(f.roles.police),
            "clinician": list(f.roles.clinician),
            "mental_health": list(f.roles.mental_health),
        },
        "police": f.police,
        "clinician": f.clinician,
        "mental_health": f.mental_health,
        "call_line_dispatched": f.call_line_dispatched,
        "call_line_beside": f.call_line_beside,
        "handoffs": f.handoffs,
        "handoff_outcomes": dict(f.handoff_outcomes),
        "handoff_landed": dict(f.landed),
        "preferred_unavailable": f.preferred_unavailable,
        "unavailable_reasons": [
            {"preferred": a, "sent": b, "reason": r, "calls": n} for (a, b, r), n in f.unavailable_reasons.most_common()
        ],
        "departures": f.departures,
        "departure_models": [
            {"recommended": a, "dispatched": b, "calls": n} for (a, b), n in f.departure_models.most_common()
        ],
        "seconds_to_recommendation": p(f.seconds_to_recommendation),
        "seconds_to_dispatch": p(f.seconds_to_dispatch),
        "outcomes": {
            "with_disposition": f.with_disposition,
            "dispositions": dict(f.dispositions),
            "resolved_without_arrest_er_hold_or_not_found": f.resolved_without,
            "connected_to_care": f.connected,
            "receiving_services": dict(f.receiving_services.most_common()),
            "by_model": {m: dict(c) for m, c in sorted(f.by_model.items())},
            "seconds_to_on_scene": p(on_scene),
            "seconds_to_on_scene_by_model": {m: p(v) for m, v in sorted(f.on_scene_by_model.items())},
            "seconds_to_on_scene_by_district": {d: p(v) for d, v in sorted(f.on_scene_by_district.items())},
            "contact_confirmation": {s: f.contact[s] for s in CONTACT_STATES},
            "followups": {s: f.followups[s] for s in FOLLOW_UP_STATES},
            "followups_by_rule": {
                r: {s: c[s] for s in FOLLOW_UP_STATES} for r, c in sorted(f.followups_by_rule.items())
            },
        },
        "no_wrong_door": {
            "strata_compared": compared,
            "differing": [
                {
                    "dimension": dimension,
                    "band": band,
                    "facts": list(facts),
                    "responses": {value: dict(models) for value, models in sorted(values.items())},
                }
                for dimension, (band, facts), values in f.wrong_door()
            ],
        },
        "no_police_requested": {
            "facts": list(f.roles.no_police_facts),
            "calls": f.no_police_requests,
            "honoured": f.no_police_honoured,
            "overridden_by": dict(f.no_police_overrides),
        },
        "weeks": {
            week: {
                "calls": w.calls,
                "dispatched": w.dispatched,
                "police": w.police,
                "with_disposition": w.with_disposition,
                "resolved_without": w.resolved_without,
            }
            for week, w in sorted(f.weeks.items())
        },
        "protocols": dict(f.protocols),
        "unreadable": [{"reason": r, "calls": n} for r, n in f.unreadable.most_common()],
    }


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    out = ["  ".join(f"{h:<{w}}" for h, w in zip(header, widths))]
    out += ["  ".join(f"{c!s:<{w}}" for c, w in zip(row, widths)) for row in rows]
    return out


def outcome_tables(f: Figures) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of the outcome tables, for text and HTML alike."""
    tables = []
    if f.by_model:
        tables.append(
            (
                "outcomes by model (dispatched calls)",
                [
                    "model",
                    "dispatched",
                    "disposition",
                    "arrests",
                    "involuntary holds",
                    "emergency room",
                    "on scene p50 / p90",
                ],
                [
                    [
                        m,
                        c["dispatched"],
                        c["disposition"],
                        c["arrest"],
                        c["involuntary_hold"],
                        c["emergency_room"],
                        f"{_seconds(percentile(f.on_scene_by_model.get(m, []), 50))} / "
                        f"{_seconds(percentile(f.on_scene_by_model.get(m, []), 90))}",
                    ]
                    for m, c in sorted(f.by_model.items(), key=lambda kv: -kv[1]["dispatched"])
                ],
            )
        )
    if f.on_scene_by_district:
        tables.append(
            (
                "time to on scene by district (min:s)",
                ["district", "calls", "p50", "p90"],
                [
                    [d, len(v), _seconds(percentile(v, 50)), _seconds(percentile(v, 90))]
                    for d, v in sorted(f.on_scene_by_district.items())
                ],
            )
        )
    if f.followups_by_rule:
        tables.append(
            (
                "follow-ups by rule",
                ["rule", *FOLLOW_UP_STATES],
                [[r, *(c[s] for s in FOLLOW_UP_STATES)] for r, c in sorted(f.followups_by_rule.items())],
            )
        )
    compared = f.strata_compared()
    differing = f.wrong_door()
    rows = []
    for dimension, (band, facts), values in differing:
        for value, models in sorted(values.items()):
            rows.append(
                [
                    dimension,
                    band,
                    ", ".join(facts) or "(no facts)",
                    value,
                    sum(models.values()),
                    ", ".join(f"{m} {n}" for m, n in models.most_common()),
                ]
            )
    tables.append(
        (
            "no wrong door: same band and facts, different response by "
            + ", ".join(
                f"{d} ({sum(1 for x in differing if x[0] == d)} of {compared[d]} strata)" for d in DOOR_DIMENSIONS
            ),
            ["by", "band", "facts", "value", "calls", "responses"],
            rows,
        )
    )
    if f.no_police_requests:
        tables.append(
            (
                f"no police requested ({', '.join(f.roles.no_police_facts)}): "
                f"{_pct(f.no_police_honoured, f.no_police_requests)} honoured; where not, the safety line",
                ["sent police because", "calls"],
                [[k, n] for k, n in f.no_police_overrides.most_common()],
            )
        )
    if f.weeks:
        tables.append(
            (
                "by week (centre time)",
                ["week", "calls", "dispatched", "police", "disposition", "resolved without arrest/ER/hold"],
                [
                    [
                        wk,
                        w.calls,
                        w.dispatched,
                        w.police,
                        w.with_disposition,
                        _pct(w.resolved_without, w.with_disposition),
                    ]
                    for wk, w in sorted(f.weeks.items())
                ],
            )
        )
    return tables


def _period(first: datetime, last: datetime, zone: tzinfo | None) -> str:
    if zone:
        first, last = first.astimezone(zone), last.astimezone(zone)
    return f"calls started {first:%Y-%m-%d %H:%M %Z} to {last:%Y-%m-%d %H:%M %Z}"


def render_text(figures: Figures, *, title: str, chart_width: int = 30, zone: tzinfo | None = None, **orders) -> str:
    f = figures
    lines = [title]
    if f.first and f.last:
        lines.append(
            _period(f.first, f.last, zone)
            + "; protocols: "
            + ", ".join(f"{k} ({v})" for k, v in f.protocols.most_common())
        )
    lines.append("")
    rows = headline(f)
    label_width = max(len(label) for label, _ in rows)
    lines += [f"{label:<{label_width}}  {value}" for label, value in rows]
    for name, counted in sections(f, **orders):
        if not counted:
            continue
        lines.append("")
        width = max([len(name)] + [len(str(k)) for k, _ in counted])
        lines.append(f"{name:<{width}}  {'calls':>7}  {'share':>6}")
        top = max((n for _, n in counted), default=0)
        for key, count in counted:
            lines.append(f"{key:<{width}}  {count:>7}  {f.share(count):>5.1f}%  {bar(count, top, chart_width)}")
    for title_, header, table_rows in outcome_tables(f):
        lines += ["", title_]
        shown = table_rows[:TEXT_ROWS]
        if shown:
            lines += ["  " + line for line in _table(header, shown)]
        if len(table_rows) > len(shown):
            lines.append(f"  ... {len(table_rows) - len(shown)} more rows (report --json or --html has them all)")
    if f.unavailable_reasons:
        lines += ["", "preferred model unavailable: why, and what was sent instead"]
        for (from_model, to_model, reason), count in f.unavailable_reasons.most_common():
            lines.append(f"  {count:>6}  {from_model} -> {to_model}: {reason}")
    if f.departure_models:
        lines += ["", "departures (recommended -> dispatched)"]
        for (recommended, dispatched), count in f.departure_models.most_common():
            lines.append(f"  {count:>6}  {recommended} -> {dispatched}")
    if f.referrals_by_kind:
        lines.append("")
        lines.append("referrals given, by kind: " + ", ".join(f"{k} {v}" for k, v in f.referrals_by_kind.most_common()))
        lines.append("services given as referrals:")
        lines.extend(f"  {count:>6}  {service}" for service, count in f.referral_services.most_common())
    if f.receiving_services:
        lines += ["", "services calls were connected to (disposition):"]
        lines.extend(f"  {count:>6}  {service}" for service, count in f.receiving_services.most_common())
    if f.handoffs:
        lines.append("")
        lines.append("handoff outcomes: " + ", ".join(f"{k} {v}" for k, v in f.handoff_outcomes.most_common()))
        if f.landed:
            lines.append("handoff landed: " + ", ".join(f"{k} {v}" for k, v in f.landed.most_common()))
    if f.unreadable:
        lines.append("")
        reasons = f.unreadable.most_common()
        lines.append(f"{sum(f.unreadable.values())} calls could not be replayed and are not counted:")
        lines.extend(f"  {count:>6}  {reason}" for reason, count in reasons[:10])
        if len(reasons) > 10:
            lines.append(f"  ... and {len(reasons) - 10} more reasons")
    return "\n".join(lines)


def render_side_by_side(groups: list[tuple[str, Figures]], *, title: str) -> str:
    """Two (or more) periods or protocol versions: every headline figure in one column each."""
    rows = [headline(f) for _, f in groups]
    labels = [label for label, _ in rows[0]]
    header = ["figure", *(name for name, _ in groups)]
    table = [[label, *(dict(r)[label] for r in rows)] for label in labels]
    return "\n".join([title, "", *_table(header, table)])


def svg_bars(rows: list[tuple[str, int]], total: int, *, width: int = 560) -> str:
    """A horizontal bar chart as inline SVG (labels, bars, counts and shares)."""
    row_height, label_width, gap = 22, 190, 6
    height = max(1, len(rows)) * (row_height + gap) + gap
    top = max((n for _, n in rows), default=0) or 1
    bar_space = width - label_width - 110
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for index, (label, count) in enumerate(rows):
        y = gap + index * (row_height + gap)
        length = max(1, round(bar_space * count / top)) if count else 0
        share = 100 * count / total if total else 0
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(str(label))}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{row_height}" rx="3"><title>'
            f"{escape(str(label))}: {count} calls ({share:.1f}%)</title></rect>"
        )
        parts.append(f'<text x="{label_width + length + 6}" y="{y + 15}">{count} ({share:.1f}%)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _html_table(header: list[str], rows: list[list[Any]]) -> str:
    return (
        "<table><tr>"
        + "".join(f"<th>{escape(str(h))}</th>" for h in header)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        + "</table>"
    )


def render_html(figures: Figures, *, title: str, zone: tzinfo | None = None, **orders) -> str:
    f = figures
    body = [f"<h1>{escape(title)}</h1>"]
    if f.first and f.last:
        body.append(
            f"<p>{escape(_period(f.first, f.last, zone))}. Protocols: "
            + escape(", ".join(f"{k} ({v})" for k, v in f.protocols.most_common()))
            + ".</p>"
        )
    body.append(
        "<table class='headline'>"
        + "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in headline(f))
        + "</table>"
    )
    shares = [
        ("police involved", f.police),
        ("with a clinician", f.clinician),
        ("mental-health professional", f.mental_health),
        ("call line (dispatched)", f.call_line_dispatched),
        ("call line beside a team", f.call_line_beside),
        ("departures", f.departures),
    ]
    body.append("<h2>Shares of dispatched calls</h2>" + svg_bars(shares, f.dispatched))
    for name, rows in sections(f, **orders):
        if rows:
            body.append(f"<h2>Calls by {escape(name)}</h2>" + svg_bars(rows, f.calls))
    for title_, header, table_rows in outcome_tables(f):
        body.append(f"<h2>{escape(title_)}</h2>" + (_html_table(header, table_rows) if table_rows else ""))
    if f.unavailable_reasons:
        body.append(
            "<h2>Preferred model unavailable</h2>"
            + _html_table(
                ["calls", "preferred", "sent", "reason"],
                [[n, a, b, r] for (a, b, r), n in f.unavailable_reasons.most_common()],
            )
        )
    if f.referrals_by_kind:
        given = sum(f.referrals_by_kind.values())
        body.append("<h2>Referrals given, by kind</h2>" + svg_bars(f.referrals_by_kind.most_common(), given))
        body.append("<h2>Services given as referrals</h2>" + svg_bars(f.referral_services.most_common(), given))
    if f.receiving_services:
        connected = f.receiving_services.most_common()
        body.append("<h2>Services calls were connected to</h2>" + svg_bars(connected, f.connected))
    if f.handoffs:
        body.append("<h2>Handoff outcomes</h2>" + svg_bars(f.handoff_outcomes.most_common(), f.handoffs))
    if f.unreadable:
        body.append(
            f"<h2>Not counted ({sum(f.unreadable.values())} calls)</h2><ul>"
            + "".join(f"<li>{n} calls: {escape(r)}</li>" for r, n in f.unreadable.most_common(50))
            + "</ul>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:960px;color:#222}"
        "svg text{font-size:13px;fill:#222}svg rect{fill:#3b6ea8}"
        "table{border-collapse:collapse;margin:1em 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;"
        "text-align:left}h2{margin-top:1.6em}"
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )
