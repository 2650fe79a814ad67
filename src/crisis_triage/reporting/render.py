"""The pilot report as text (tables and bar charts for the terminal) and as one self-contained HTML
file with inline SVG charts: no scripts, fonts or images fetched from anywhere."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape

from .figures import Figures, percentile

BAR = "█"
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


def sections(
    figures: Figures,
    *,
    models: Iterable[str] = (),
    bands: Iterable[str] = (),
    districts: Iterable[str] = (),
    doors: Iterable[str] = (),
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The count tables of the report, in the order they are printed."""
    return [
        ("response model (dispatched)", _ordered(figures.per_model, models)),
        ("district", _ordered(figures.per_district, districts)),
        ("risk band", _ordered(figures.per_band, bands)),
        ("door (who called)", _ordered(figures.per_door, doors)),
    ]


def headline(figures: Figures) -> list[tuple[str, str]]:
    """(label, value) pairs: the shares and times the evaluator quotes."""
    f = figures
    p50, p90 = percentile(f.seconds_to_recommendation, 50), percentile(f.seconds_to_recommendation, 90)
    d50, d90 = percentile(f.seconds_to_dispatch, 50), percentile(f.seconds_to_dispatch, 90)
    return [
        ("calls", f"{f.calls}" + (f" ({f.unfinished} unfinished)" if f.unfinished else "")),
        ("police involved", f"{f.police} ({f.share(f.police):.1f}%)"),
        ("with a clinician", f"{f.clinician} ({f.share(f.clinician):.1f}%)"),
        ("to the call line", f"{f.call_line} ({f.share(f.call_line):.1f}%)"),
        (
            "handoffs accepted",
            f"{f.handoffs_accepted} of {f.handoffs} handoffs"
            + (f" ({100 * f.handoffs_accepted / f.handoffs:.1f}%)" if f.handoffs else ""),
        ),
        ("preferred model unavailable", f"{f.preferred_unavailable} ({f.share(f.preferred_unavailable):.1f}%)"),
        ("departures from the recommendation", f"{f.departures} ({f.share(f.departures):.1f}%)"),
        ("time to recommendation p50 / p90", f"{_seconds(p50)} / {_seconds(p90)} (min:s)"),
        ("time to dispatch p50 / p90", f"{_seconds(d50)} / {_seconds(d90)} (min:s)"),
    ]


def render_text(figures: Figures, *, title: str, chart_width: int = 30, **orders) -> str:
    f = figures
    lines = [title]
    if f.first and f.last:
        lines.append(
            f"calls started {f.first:%Y-%m-%d} to {f.last:%Y-%m-%d}; protocols: "
            + ", ".join(f"{k} ({v})" for k, v in f.protocols.most_common())
        )
    lines.append("")
    label_width = max(len(label) for label, _ in headline(f))
    for label, value in headline(f):
        lines.append(f"{label:<{label_width}}  {value}")
    for name, rows in sections(f, **orders):
        lines.append("")
        width = max([len(name)] + [len(str(k)) for k, _ in rows])
        lines.append(f"{name:<{width}}  {'calls':>7}  {'share':>6}")
        top = max((n for _, n in rows), default=0)
        for key, count in rows:
            lines.append(f"{key:<{width}}  {count:>7}  {f.share(count):>5.1f}%  {bar(count, top, chart_width)}")
    if f.unavailable_reasons:
        lines.append("")
        lines.append("preferred model unavailable: why, and what was sent instead")
        for (from_model, to_model, reason), count in f.unavailable_reasons.most_common():
            lines.append(f"  {count:>6}  {from_model} -> {to_model}: {reason}")
    if f.departure_models:
        lines.append("")
        lines.append("departures (recommended -> dispatched)")
        for (recommended, dispatched), count in f.departure_models.most_common():
            lines.append(f"  {count:>6}  {recommended} -> {dispatched}")
    if f.handoffs:
        lines.append("")
        lines.append("handoff outcomes: " + ", ".join(f"{k} {v}" for k, v in f.handoff_outcomes.most_common()))
    if f.unreadable:
        lines.append("")
        reasons = f.unreadable.most_common()
        lines.append(f"{sum(f.unreadable.values())} calls could not be replayed and are not counted:")
        lines.extend(f"  {count:>6}  {reason}" for reason, count in reasons[:10])
        if len(reasons) > 10:
            lines.append(f"  ... and {len(reasons) - 10} more reasons")
    return "\n".join(lines)


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


def render_html(figures: Figures, *, title: str, **orders) -> str:
    f = figures
    body = [f"<h1>{escape(title)}</h1>"]
    if f.first and f.last:
        body.append(
            f"<p>Calls started {f.first:%Y-%m-%d} to {f.last:%Y-%m-%d}. Protocols: "
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
        ("to the call line", f.call_line),
        ("preferred model unavailable", f.preferred_unavailable),
        ("departures", f.departures),
    ]
    body.append("<h2>Shares of calls</h2>" + svg_bars(shares, f.calls))
    for name, rows in sections(f, **orders):
        body.append(f"<h2>Calls by {escape(name)}</h2>" + svg_bars(rows, f.calls))
    if f.unavailable_reasons:
        body.append(
            "<h2>Preferred model unavailable</h2><table><tr><th>calls</th><th>preferred</th><th>sent</th>"
            "<th>reason</th></tr>"
            + "".join(
                f"<tr><td>{n}</td><td>{escape(a)}</td><td>{escape(b)}</td><td>{escape(r)}</td></tr>"
                for (a, b, r), n in f.unavailable_reasons.most_common()
            )
            + "</table>"
        )
    if f.handoffs:
        body.append("<h2>Handoff outcomes</h2>" + svg_bars(f.handoff_outcomes.most_common(), f.handoffs))
    if f.unreadable:
        body.append(
            f"<h2>Not counted ({sum(f.unreadable.values())} calls)</h2><ul>"
            + "".join(f"<li>{n} calls: {escape(r)}</li>" for r, n in f.unreadable.most_common(50))
            + "</ul>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:900px;color:#222}"
        "svg text{font-size:13px;fill:#222}svg rect{fill:#3b6ea8}"
        "table{border-collapse:collapse;margin:1em 0}th,td{padding:4px 10px;border-bottom:1px solid #ddd;"
        "text-align:left}h2{margin-top:1.6em}"
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )
