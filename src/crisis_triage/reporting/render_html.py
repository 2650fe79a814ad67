"""The pilot report as one self-contained HTML file with inline SVG charts: no scripts, fonts or
images fetched from anywhere. Drawn from :mod:`.report_content`, like the text report."""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from .figures import Figures
from .report_content import headline, outcome_tables, period_line, sections


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
            f"<p>{escape(period_line(f.first, f.last, zone))}. Protocols: "
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
