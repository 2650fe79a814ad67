"""How a change of protocol shifts real outcomes: :func:`outcome_shift` replays a calls file (the
replay format) through both versions and :func:`scenario_shift` plays the scenario library with both;
both feed a :class:`ShiftMatrix`: old model -> new model, with counts and example call ids. What
changed in the document itself is :mod:`.diff`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..protocol.compiled import Protocol

EXAMPLES = 3


@dataclass
class ShiftMatrix:
    """How many calls went from each old model to each new model, with example call ids."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    band_shifts: Counter = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(call id, why) for calls one of the versions could not take (an option that no longer exists ...)."""
    left_out: int = 0
    """Calls with answers (or interrupts) that one version does not have: replayed on that version
    without them, as its call-taker would never have asked."""

    def add(
        self, call_id: str, old_model: str, new_model: str, old_band: str | None = None, new_band: str | None = None
    ) -> None:
        key = (old_model, new_model)
        self.counts[key] += 1
        if old_model != new_model:
            examples = self.examples.setdefault(key, [])
            if len(examples) < EXAMPLES:
                examples.append(call_id)
        if old_band is not None and new_band is not None and old_band != new_band:
            self.band_shifts[(old_band, new_band)] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.counts.items() if a != b)

    def shifts(self) -> list[tuple[str, str, int, list[str]]]:
        """(old, new, count, example ids) for every changed pair, largest first."""
        return sorted(
            ((a, b, n, self.examples.get((a, b), [])) for (a, b), n in self.counts.items() if a != b),
            key=lambda item: (-item[2], item[0], item[1]),
        )

    def models(self) -> tuple[list[str], list[str]]:
        return sorted({a for a, _ in self.counts}), sorted({b for _, b in self.counts})

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "changed": self.changed,
            "matrix": [{"old": a, "new": b, "count": n} for (a, b), n in sorted(self.counts.items())],
            "shifts": [{"old": a, "new": b, "count": n, "examples": ex} for a, b, n, ex in self.shifts()],
            "band_shifts": [{"old": a, "new": b, "count": n} for (a, b), n in sorted(self.band_shifts.items())],
            "failed": [{"id": i, "why": w} for i, w in self.failed],
            "left_out": self.left_out,
        }


def outcome_shift(old: Protocol, new: Protocol, lines: Iterable[str | bytes]) -> tuple[ShiftMatrix, int]:
    """Replay every call of a calls file through both versions. Returns (matrix, bad lines)."""
    from ..engine.session import SessionError
    from ..replay.calls import BadLine, parse_lines, replay_call

    matrix = ShiftMatrix()
    bad = 0
    for _, call in parse_lines(lines):
        if isinstance(call, BadLine):
            bad += 1
            continue
        old_call, new_call = _as_asked(old, call), _as_asked(new, call)
        matrix.left_out += old_call is not call or new_call is not call
        try:
            before = replay_call(old, old_call)
        except SessionError as exc:
            matrix.failed.append((call.id, f"old version: {exc}"))
            continue
        try:
            after = replay_call(new, new_call)
        except SessionError as exc:
            matrix.failed.append((call.id, f"new version: {exc}"))
            continue
        matrix.add(call.id, before["model"], after["model"], before["band"], after["band"])
    return matrix, bad


def _as_asked(protocol: Protocol, call):
    """The call as ``protocol`` would have taken it: answers to questions and interrupts it does not
    have are left out (a version that adds questions is compared on the calls made for it, and back)."""
    answers = {q: v for q, v in call.answers.items() if q in protocol.question_by_id}
    interrupts = [i for i in call.interrupts if i in protocol.interrupts]
    if len(answers) == len(call.answers) and len(interrupts) == len(call.interrupts):
        return call
    return call.model_copy(update={"answers": answers, "interrupts": interrupts})


@dataclass(frozen=True)
class ScenarioChange:
    scenario: str
    old_status: str
    new_status: str
    detail: str


def scenario_shift(old: Protocol, new: Protocol, directory: str) -> tuple[ShiftMatrix, list[ScenarioChange], list[str]]:
    """Play the scenario library with both versions: the shift matrix, scenarios whose verdict
    changed (the ones that now fail first), and problems loading the library."""
    from ..training.library import load_library
    from ..training.runner import check_scenario

    library = load_library(directory)
    problems = [str(p) for p in library.problems]
    matrix = ShiftMatrix()
    changed: list[ScenarioChange] = []
    for scenario in library.scenarios:
        before = check_scenario(old, scenario)
        after = check_scenario(new, scenario)
        if before.outcome.model and after.outcome.model:
            matrix.add(scenario.id, before.outcome.model, after.outcome.model, before.outcome.band, after.outcome.band)
        elif after.outcome.error or before.outcome.error:
            matrix.failed.append((scenario.id, after.outcome.error or before.outcome.error or ""))
        if before.status != after.status:
            detail = (
                "; ".join(f"{d.what}: expected {d.expected}, got {d.got}" for d in after.differences)
                or after.outcome.error
                or ""
            )
            changed.append(ScenarioChange(scenario.id, before.status, after.status, detail))
    changed.sort(key=lambda c: (c.new_status not in ("differs", "error"), c.scenario))
    return matrix, changed, problems


def format_matrix(matrix: ShiftMatrix, title: str) -> str:
    """The matrix as a text table (rows: old model, columns: new model) and the list of shifts."""
    lines = [
        f"{title}: {matrix.total} calls, {matrix.changed} change model"
        + (f" ({100 * matrix.changed / matrix.total:.1f}%)" if matrix.total else "")
    ]
    if matrix.total:
        lines += _matrix_table(matrix)
    if matrix.left_out:
        lines.append("")
        lines.append(f"  {matrix.left_out} calls hold answers one version does not ask: replayed on it without them")
    if matrix.failed:
        lines.append("")
        lines.append(
            f"  {len(matrix.failed)} could not be replayed through both versions, e.g. {matrix.failed[0][0]}: {matrix.failed[0][1]}"
        )
    return "\n".join(lines)


def _matrix_table(matrix: ShiftMatrix) -> list[str]:
    """The old -> new table, the shifts with example call ids, and band changes."""
    lines: list[str] = []
    rows, columns = matrix.models()
    corner = "old \\ new"
    width = max(len(m) for m in rows + columns + [corner])
    cells = {
        (row, column): (f"[{n}]" if row == column else str(n)) if (n := matrix.counts.get((row, column), 0)) else "."
        for row in rows
        for column in columns
    }
    widths = {column: max([len(column)] + [len(cells[(row, column)]) for row in rows]) for column in columns}
    lines.append("")
    lines.append(f"{corner:<{width}}  " + "  ".join(f"{c:>{widths[c]}}" for c in columns))
    for row in rows:
        lines.append(f"{row:<{width}}  " + "  ".join(f"{cells[(row, c)]:>{widths[c]}}" for c in columns))
    shifts = matrix.shifts()
    if shifts:
        lines.append("")
        for a, b, n, examples in shifts:
            lines.append(f"  {a} -> {b}: {n}  (e.g. {', '.join(examples)})")
    if matrix.band_shifts:
        lines.append("")
        lines.append(
            "  band changes: " + ", ".join(f"{a} -> {b}: {n}" for (a, b), n in sorted(matrix.band_shifts.items()))
        )
    return lines
