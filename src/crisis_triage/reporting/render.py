"""The pilot report as text (tables and bar charts for the terminal), as JSON (:func:`report_data`),
and as one self-contained HTML file (:func:`render_html`, in :mod:`.render_html`).

All three are drawn from the same figures and tables (:mod:`.report_content`), so a figure cannot
differ between them. The JSON and HTML renderers are re-exported here, where the commands import them.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from .figures import Figures
from .render_html import render_html, svg_bars
from .report_content import headline, outcome_tables, period_line, report_data, sections

BAR = "█"
TEXT_ROWS = 40
"""Rows of a table the terminal report prints; JSON and HTML have every row."""
PARTIAL = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int) -> str:
    """A horizontal bar of ``width`` cells at full scale, with eighth-cell resolution."""
    if maximum <= 0:
        return ""
    eighths = round(8 * width * value / maximum)
    return BAR * (eighths // 8) + (PARTIAL[eighths % 8] if eighths % 8 else "")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    out = ["  ".join(f"{h:<{w}}" for h, w in zip(header, widths))]
    out += ["  ".join(f"{c!s:<{w}}" for c, w in zip(row, widths)) for row in rows]
    return out


def render_text(figures: Figures, *, title: str, chart_width: int = 30, zone: tzinfo | None = None, **orders) -> str:
    f = figures
    lines = [title]
    if f.first and f.last:
        lines.append(
            period_line(f.first, f.last, zone)
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


__all__ = [
    "bar",
    "headline",
    "outcome_tables",
    "render_html",
    "render_side_by_side",
    "render_text",
    "report_data",
    "sections",
    "svg_bars",
]
