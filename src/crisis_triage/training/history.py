"""Practice history and saved reports, under ``<data dir>/training/`` and never in the live call records.

* ``history.jsonl``: one line per graded practice call (trainee, scenario, score, critical, exam);
* ``reports/``: a Markdown and an HTML report per practice session (one call, or a whole exam).

Trainee names are labels a trainer chooses; they are written as given in the history and made safe
for file names in report names.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..config import data_dir
from .grading import Grade
from .results import SessionRecord
from .tables import bar, sparkline


def training_dir() -> Path:
    """``<data dir>/training``: practice calls never share a folder with live records."""
    return data_dir() / "training"


class History:
    """The practice history file: append one record per graded call; read a trainee's records."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def open(cls, folder: Path | None = None) -> "History":
        return cls((folder or training_dir()) / "history.jsonl")

    def add(self, record: SessionRecord) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record.__dict__, ensure_ascii=False)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def sessions(self, trainee: str | None = None) -> list[SessionRecord]:
        """Records in the order they were added (all trainees when ``trainee`` is None).

        A damaged line (a crash mid-write) is skipped, not fatal: history is a convenience."""
        if not self.path.exists():
            return []
        records = []
        fields = set(SessionRecord.__dataclass_fields__)
        for text in self.path.read_text(encoding="utf-8").splitlines():
            try:
                data = json.loads(text)
                record = SessionRecord(**{k: v for k, v in data.items() if k in fields})
            except (ValueError, TypeError):
                continue
            if trainee is None or record.trainee == trainee:
                records.append(record)
        return records


def format_history(records: Sequence[SessionRecord], trainee: str) -> str:
    """A trainee's progress for the terminal: a sparkline of scores, then one bar per call."""
    if not records:
        return f"No practice calls recorded for {trainee} yet."
    scores = [r.score for r in records]
    recent = scores[-10:]
    lines = [
        f"Practice history for {trainee}: {len(records)} call(s), mean {sum(scores) / len(scores):.0f}/100, "
        f"last {scores[-1]}/100",
        f"progress  {sparkline(scores[-60:])}  (oldest to newest)",
        f"last {len(recent)}: mean {sum(recent) / len(recent):.0f}, critical {sum(1 for r in records if r.critical)}",
        "",
    ]
    width = max(len(r.scenario) for r in records[-30:])
    for record in records[-30:]:
        flag = "CRITICAL" if record.critical else ("passed" if record.passed else "")
        lines.append(f"{record.at[:16]}  {record.scenario:<{width}}  {bar(record.score)} {record.score:>3}  {flag}")
    return "\n".join(lines)


def format_overview(records: Sequence[SessionRecord]) -> str:
    """Every trainee at a glance, for the trainer: calls, mean, latest, critical calls, progress."""
    if not records:
        return "No practice calls recorded yet."
    by_trainee: dict[str, list[SessionRecord]] = {}
    for record in records:
        by_trainee.setdefault(record.trainee, []).append(record)
    width = max(len(name) for name in by_trainee)
    lines = [f"{'trainee':<{width}}  calls  mean  last  critical  progress", "-" * (width + 44)]
    for name in sorted(by_trainee):
        mine = by_trainee[name]
        scores = [r.score for r in mine]
        lines.append(
            f"{name:<{width}}  {len(mine):>5}  {sum(scores) / len(scores):>4.0f}  {scores[-1]:>4}  "
            f"{sum(r.critical for r in mine):>8}  {sparkline(scores[-30:])}"
        )
    return "\n".join(lines)


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")[:40] or "trainee"


def save_reports(
    grades: Sequence[Grade],
    trainee: str,
    at: datetime,
    *,
    exam: str | None = None,
    history: History | None = None,
    folder: Path | None = None,
) -> tuple[Path, Path]:
    """Write the session's Markdown and HTML reports, add each call to the history; return the paths."""
    from .report import render_html, render_markdown

    history = history or History.open(folder)
    earlier = history.sessions(trainee)
    folder = (folder or training_dir()) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    what = (
        f"exam-{len(grades)}"
        if exam
        else safe_name(grades[0].scenario)
        if len(grades) == 1
        else f"session-{len(grades)}"
    )
    stem = f"{at:%Y%m%d-%H%M%S}-{safe_name(trainee)}-{what}"
    markdown_path = folder / f"{stem}.md"
    html_path = folder / f"{stem}.html"
    stamp = at.isoformat(timespec="seconds")
    new_records = [
        SessionRecord(stamp, trainee, g.scenario, g.title, g.score, g.critical, g.passed, exam, str(markdown_path))
        for g in grades
    ]
    progress = list(earlier) + new_records
    _write_private(markdown_path, render_markdown(grades, trainee, at, progress, exam=exam is not None))
    _write_private(html_path, render_html(grades, trainee, at, progress, exam=exam is not None))
    for record in new_records:
        history.add(record)
    return markdown_path, html_path


def _write_private(path: Path, text: str) -> None:
    # Reports quote what the scripted caller said, not a real caller; still, keep them to the user.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
