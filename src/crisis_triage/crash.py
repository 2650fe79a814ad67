"""Where an unexpected error's details go, so the user sees one line and maintainers get the trace."""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path


def crash_dir() -> Path:
    override = os.environ.get("CRISIS_TRIAGE_LOG_DIR")
    if override:
        return Path(override)
    try:
        from platformdirs import user_log_dir

        return Path(user_log_dir("crisis-triage", appauthor=False))
    except Exception:
        return Path(tempfile.gettempdir()) / "crisis-triage"


def report_crash(exc: BaseException) -> Path | None:
    try:
        folder = crash_dir()
        folder.mkdir(parents=True, exist_ok=True)
        # Microseconds and the process id: two crashes in the same second (or two consoles) never
        # overwrite each other's report.
        path = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{os.getpid()}.txt"
        # Created exclusively, private from the start: a report never replaces another.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None
