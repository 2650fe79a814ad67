"""Plain-text tables for the terminal: scenario lists, check results, grades, progress sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from .grading import Grade
from .library import Scenario
from .runner import CheckResult

_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], low: float = 0, high: float = 100) -> str:
    """One block character per value, scaled between ``low`` and ``high``."""
    span = (high - low) or 1
    return "".join(
        _BLOCKS[min(len(_BLOCKS) - 1, max(0, int((v - low) / span * (len(_BLOCKS) - 1) + 0.5)))] for v in values
    )


def bar(value: float, width: int = 20, high: float = 100) -> str:
    filled = max(0, min(width, round(value / high * width))) if high else 0
    return "█" * filled + "·" * (width - filled)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def scenario_table(scenarios: Sequence[Scenario], width: int = 100) -> str:
    """The library as the trainer picks from it: id, difficulty, door, language and title on one
    line, the tags under it; every line fits ``width`` columns (a long title ends in "...")."""
    if not scenarios:
        return "no scenarios match"
    headers = ["scenario", "difficulty", "door", "lang", "title"]
    rows = [
        [s.id, s.meta.difficulty, s.document.call.door or "-", s.document.caller.language, s.title] for s in scenarios
    ]
    fixed = [max([len(headers[i])] + [len(r[i]) for r in rows]) for i in range(4)]
    title = max(10, width - sum(fixed) - 2 * 4)
    lines = _table(headers, [[*r[:4], _fit(r[4], title)] for r in rows]).split("\n")
    out = lines[:2]
    for line, scenario in zip(lines[2:], scenarios):
        out.append(line)
        if scenario.meta.tags:
            out.append(_fit("    tags: " + ", ".join(scenario.meta.tags), width))
    return "\n".join(out) + f"\n{len(rows)} scenario(s)"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


_STATUS = {"ok": "ok", "differs": "DIFFERS", "error": "ERROR", "disputed": "disputed"}


def check_table(results: Sequence[CheckResult], verbose: bool = False) -> str:
    """One row per scenario, then what differed for each scenario that did not match."""
    headers = ["scenario", "expected", "got", "band", "status"]
    if verbose:
        headers += ["team", "rule"]
    rows = []
    for result in results:
        outcome = result.outcome
        got = outcome.model or "-"
        if outcome.preferred_model and outcome.model and outcome.preferred_model != outcome.model:
            got += f" (from {outcome.preferred_model})"
        row = [
            result.scenario.id,
            result.scenario.document.expect.recommendation,
            got,
            outcome.band or "-",
            _STATUS[result.status],
        ]
        if verbose:
            row += [",".join(outcome.team), outcome.rule or "-"]
        rows.append(row)
    text = _table(headers, rows) if rows else "no scenarios"
    details = []
    for result in results:
        if result.resolved:
            details.append(
                f"{result.scenario.file}: {result.scenario.id} is marked disputed but the protocol now gives "
                "what it expects: remove expect.disputed"
            )
        if result.status == "ok":
            continue
        where = result.scenario.file
        if result.status == "error":
            details.append(f"{where}: {result.scenario.id} could not be played: {result.outcome.error}")
            continue
        label = "disputed" if result.status == "disputed" else "differs"
        for diff in result.differences:
            details.append(
                f"{where}: {result.scenario.id} {label}: {diff.what}: expected {diff.expected}, got {diff.got}"
            )
        if result.status == "disputed":
            details.append(f"    why disputed: {result.scenario.document.expect.disputed}")
    return text + ("\n\n" + "\n".join(details) if details else "")


def grade_summary(grade: Grade) -> str:
    """A few lines for the terminal after a practice call."""
    verdict = "CRITICAL" if grade.critical else "passed" if grade.passed else "not passed"
    lines = [f"{grade.title}: {grade.score}/100 ({verdict})"]
    for part, points in grade.parts.items():
        lines.append(f"  {part:<15} {points:>5.1f}")
    for reason in grade.recommendation.critical_reasons:
        lines.append(f"  CRITICAL: {reason}")
    return "\n".join(lines)
