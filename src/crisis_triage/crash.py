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
        path = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S}.txt"
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        os.chmod(path, 0o600)
        return path
    except OSError:
        return None
