"""Render a practice session's report: Markdown (for a trainer's notes) and HTML (self-contained, with a chart).

Pure: grades and history in, text out. The HTML escapes every value (caller lines and trainee names
are text, never markup) and draws the trainee's progress as an inline SVG bar chart, so the file
opens anywhere without scripts or network access.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jinja2 import Environment

from .grading import PASS_MARK, WEIGHTS, Grade
from .results import SessionRecord
from .tables import sparkline

_VERDICT_WORDS = {
    "right": "right",
    "acceptable": "acceptable",
    "wrong": "WRONG",
    "missed": "MISSED",
    "out_of_order": "out of order",
    "on_time": "on time",
    "slow": "SLOW",
    "not_reached": "not reached",
    "critical": "CRITICAL",
    "none": "none",
}


def verdict_word(verdict: str) -> str:
    return _VERDICT_WORDS.get(verdict, verdict)


def _overall(grade: Grade) -> str:
    if grade.critical:
        return "CRITICAL: unsafe dispatch"
    if grade.passed:
        return "passed"
    if grade.missed_dangers:
        return "not passed: a volunteered danger was never recorded"
    return "not passed"


def _kind(grades: Sequence[Grade], exam: bool) -> str:
    if exam:
        return f"Exam of {len(grades)} practice calls"
    return f"Practice session of {len(grades)} calls" if len(grades) > 1 else "Practice call"


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def render_markdown(
    grades: Sequence[Grade], trainee: str, at: datetime, progress: Sequence[SessionRecord], *, exam: bool = False
) -> str:
    """The session report in Markdown: the total, then each call step by step."""
    out: list[str] = []
    kind = _kind(grades, exam)
    out.append(f"# {kind}: {trainee}")
    out.append("")
    out.append(f"{at:%Y-%m-%d %H:%M}. Practice only: nothing here comes from or went to live call records.")
    out.append("")
    if exam:
        total = round(sum(g.score for g in grades) / len(grades)) if grades else 0
        critical = sum(g.critical for g in grades)
        out.append(f"**Exam score: {total}/100** ({critical} critical); pass mark {PASS_MARK} with no critical error.")
        out.append("")
        out.append("| scenario | score | result |")
        out.append("|---|---:|---|")
        for grade in grades:
            out.append(f"| {grade.title} | {grade.score} | {_overall(grade)} |")
        out.append("")
    for grade in grades:
        out.extend(_markdown_call(grade, heading="##"))
    if progress:
        scores = [r.score for r in progress]
        out.append("## Progress")
        out.append("")
        out.append(
            f"`{sparkline(scores[-60:])}` {len(scores)} practice call(s), oldest to newest; "
            f"mean {sum(scores) / len(scores):.0f}, latest {scores[-1]}."
        )
        out.append("")
    return "\n".join(out) + "\n"


def _markdown_call(grade: Grade, heading: str) -> list[str]:
    rec = grade.recommendation
    out = [
        f"{heading} {grade.title}",
        "",
        f"**{grade.score}/100, {_overall(grade)}** (scenario `{grade.scenario}`)",
        "",
    ]
    for reason in rec.critical_reasons:
        out.append(f"> **CRITICAL**: {reason}")
    if rec.critical_reasons:
        out.append("")
    out.append("| part | points | out of |")
    out.append("|---|---:|---:|")
    for part, points in grade.parts.items():
        out.append(f"| {part} | {points:g} | {WEIGHTS[part]} |")
    out.append("")
    acceptable = f" (acceptable: {', '.join(rec.acceptable)})" if rec.acceptable else ""
    out.append(
        f"- Dispatched: **{rec.dispatched or 'nothing'}**, expected **{rec.expected}**{acceptable}: "
        f"{verdict_word('critical' if rec.missing_roles else rec.verdict)}"
    )
    if rec.engine_recommended and rec.engine_recommended != rec.dispatched:
        out.append(f"- The console recommended {rec.engine_recommended} on the answers recorded")
    out.append(
        f"- Time to dispatch: {_fmt_seconds(grade.seconds_to_dispatch)} (target {_fmt_seconds(grade.target_seconds)}): "
        f"{verdict_word(grade.time_verdict)}"
    )
    if grade.handoff_expected:
        missing = ", ".join(grade.handoff_missing) or "none"
        out.append(
            f"- Handoff steps: {len(grade.handoff_expected) - len(grade.handoff_missing)}/{len(grade.handoff_expected)} "
            f"done (missing: {missing})"
        )
    for interrupt in grade.interrupts:
        delay = f", {interrupt.delay:g}s after the caller said it" if interrupt.delay is not None else ""
        out.append(
            f'- Volunteered "{_md(interrupt.statement)}": interrupt {interrupt.expected} '
            f"{verdict_word(interrupt.verdict)}{delay}"
        )
    if grade.unsupported_interrupts:
        out.append(
            f"- Interrupts recorded for a danger the caller never described: {', '.join(grade.unsupported_interrupts)}"
        )
    out.append("")
    out.append("### Answers")
    out.append("")
    out.append("| question | caller said | recorded | caller meant | verdict |")
    out.append("|---|---|---|---|---|")
    for answer in grade.answers:
        note = " (vague)" if answer.vague else ""
        note += " (corrected by the caller)" if answer.revised_by_caller else ""
        out.append(
            f"| {_md(answer.ask)} | {_md(answer.caller_said)}{note} | {_md(answer.recorded)} | {_md(answer.meant)} | "
            f"{verdict_word(answer.verdict)} |"
        )
    out.append("")
    out.append("### Step by step")
    out.append("")
    out.append("| time | what | detail | verdict | console after |")
    out.append("|---:|---|---|---|---|")
    for step in grade.steps:
        after = f"{step.band}; {step.recommended}" if step.recommended else ""
        if step.turned:
            after = f"**{after}** (changed)"
        out.append(
            f"| {_fmt_seconds(step.seconds)} | {_md(step.title)} | {_md(step.detail)} | {verdict_word(step.verdict)} | "
            f"{_md(after)} |"
        )
    out.append("")
    return out


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ kind }}: {{ trainee }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 62rem; color: #1b1b1b; line-height: 1.4; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.score { font-size: 1.6rem; font-weight: bold; }
.critical { background: #b00020; color: white; padding: .4rem .6rem; font-weight: bold; }
.v-right, .v-on_time { color: #1b6e20; }
.v-acceptable, .v-out_of_order { color: #8a6d00; }
.v-wrong, .v-missed, .v-slow, .v-critical, .v-none { color: #b00020; font-weight: bold; }
.note { color: #555; }
</style></head>
<body>
<h1>{{ kind }}: {{ trainee }}</h1>
<p class="note">{{ at }}. Practice only: nothing here comes from or went to live call records.</p>
{% if exam %}
<p class="score">Exam score: {{ exam_score }}/100</p>
<p>{{ exam_critical }} critical; pass mark {{ pass_mark }} with no critical error.</p>
<table><tr><th>scenario</th><th>score</th><th>result</th></tr>
{% for g in grades %}<tr><td>{{ g.title }}</td><td>{{ g.score }}</td><td>{{ overall(g) }}</td></tr>{% endfor %}
</table>
{% endif %}
{% for g in grades %}
<h2>{{ g.title }}</h2>
<p class="score">{{ g.score }}/100 <span class="note">{{ overall(g) }} (scenario {{ g.scenario }})</span></p>
{% for reason in g.recommendation.critical_reasons %}<p class="critical">CRITICAL: {{ reason }}</p>{% endfor %}
<table><tr><th>part</th><th>points</th><th>out of</th></tr>
{% for part, points in g.parts.items() %}<tr><td>{{ part }}</td><td>{{ points }}</td><td>{{ weights[part] }}</td></tr>{% endfor %}
</table>
<ul>
<li>Dispatched <b>{{ g.recommendation.dispatched or "nothing" }}</b>, expected <b>{{ g.recommendation.expected }}</b>{% if g.recommendation.acceptable %} (acceptable: {{ g.recommendation.acceptable | join(", ") }}){% endif %}:
 <span class="v-{{ rec_verdict(g) }}">{{ word(rec_verdict(g)) }}</span></li>
<li>Time to dispatch {{ secs(g.seconds_to_dispatch) }} (target {{ secs(g.target_seconds) }}): <span class="v-{{ g.time_verdict }}">{{ word(g.time_verdict) }}</span></li>
{% if g.handoff_expected %}<li>Handoff steps done: {{ g.handoff_expected | length - g.handoff_missing | length }}/{{ g.handoff_expected | length }}{% if g.handoff_missing %} (missing: {{ g.handoff_missing | join(", ") }}){% endif %}</li>{% endif %}
{% for i in g.interrupts %}<li>Volunteered "{{ i.statement }}": interrupt {{ i.expected }} <span class="v-{{ i.verdict }}">{{ word(i.verdict) }}</span>{% if i.delay is not none %}, {{ i.delay }}s after the caller said it{% endif %}</li>{% endfor %}
</ul>
<h3>Answers</h3>
<table><tr><th>question</th><th>caller said</th><th>recorded</th><th>caller meant</th><th>verdict</th></tr>
{% for a in g.answers %}<tr><td>{{ a.ask }}</td><td>{{ a.caller_said }}{% if a.vague %} <i>(vague)</i>{% endif %}{% if a.revised_by_caller %} <i>(corrected by the caller)</i>{% endif %}</td><td>{{ a.recorded }}</td><td>{{ a.meant }}</td><td class="v-{{ a.verdict }}">{{ word(a.verdict) }}</td></tr>{% endfor %}
</table>
<h3>Step by step</h3>
<table><tr><th>time</th><th>what</th><th>detail</th><th>verdict</th><th>console after</th></tr>
{% for s in g.steps %}<tr><td>{{ secs(s.seconds) }}</td><td>{{ s.title }}</td><td>{{ s.detail }}</td><td class="v-{{ s.verdict }}">{{ word(s.verdict) }}</td><td>{% if s.recommended %}{% if s.turned %}<b>{{ s.band }}; {{ s.recommended }}</b> (changed){% else %}{{ s.band }}; {{ s.recommended }}{% endif %}{% endif %}</td></tr>{% endfor %}
</table>
{% endfor %}
{% if progress %}
<h2>Progress</h2>
<p>{{ progress | length }} practice call(s), oldest to newest; mean {{ mean }}, latest {{ progress[-1].score }}. The line marks the pass mark.</p>
{{ chart | safe }}
{% endif %}
</body></html>
"""

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_TEMPLATE = _ENV.from_string(_HTML)


def progress_svg(records: Sequence[SessionRecord], width: int = 720, height: int = 180) -> str:
    """Scores over time as an SVG bar chart (red bars for critical calls), with the pass mark drawn."""
    from html import escape

    records = list(records)[-60:]
    if not records:
        return ""
    pad_left, pad_bottom = 30, 20
    plot_w, plot_h = width - pad_left - 5, height - pad_bottom - 5
    step = plot_w / len(records)
    bar_w = min(40.0, max(2.0, step * 0.7))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="Practice scores over time">'
    ]
    for value in (0, 50, 100):
        y = 5 + plot_h * (1 - value / 100)
        parts.append(
            f'<text x="0" y="{y + 4:.1f}" font-size="10">{value}</text>'
            f'<line x1="{pad_left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
    for i, record in enumerate(records):
        h = plot_h * record.score / 100
        x = pad_left + i * step + (step - bar_w) / 2
        colour = "#b00020" if record.critical else ("#2e7d32" if record.passed else "#f9a825")
        parts.append(
            f'<rect x="{x:.1f}" y="{5 + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
            f"<title>{escape(record.at[:16])} {escape(record.scenario)}: {record.score}</title></rect>"
        )
    y = 5 + plot_h * (1 - PASS_MARK / 100)
    parts.append(f'<line x1="{pad_left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#333" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(
    grades: Sequence[Grade], trainee: str, at: datetime, progress: Sequence[SessionRecord], *, exam: bool = False
) -> str:
    """The session report as one self-contained HTML page."""
    scores = [r.score for r in progress]
    return _TEMPLATE.render(
        kind=_kind(grades, exam),
        trainee=trainee,
        at=f"{at:%Y-%m-%d %H:%M}",
        exam=exam,
        grades=grades,
        exam_score=round(sum(g.score for g in grades) / len(grades)) if grades else 0,
        exam_critical=sum(g.critical for g in grades),
        pass_mark=PASS_MARK,
        weights=WEIGHTS,
        overall=_overall,
        word=verdict_word,
        secs=_fmt_seconds,
        rec_verdict=lambda g: "critical" if g.recommendation.missing_roles else g.recommendation.verdict,
        progress=list(progress),
        mean=f"{sum(scores) / len(scores):.0f}" if scores else "-",
        chart=progress_svg(progress),
    )
