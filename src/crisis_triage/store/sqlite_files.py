"""The embedded store's file: how it is created private, and what an SQLite error means to a person.

Both the journal's own connection and the outbox's use these, so they live apart from either.
"""

from __future__ import annotations

import os
from pathlib import Path


def describe_sqlite_error(exc: BaseException, path: Path | str) -> str:
    """A sentence for a person: what is wrong with the record file and what it means."""
    text = str(exc).lower()
    if isinstance(exc, OSError):
        if getattr(exc, "errno", None) == 28:
            return f"the disk holding {path} is full"
        return f"the record store {path} cannot be written: {exc.strerror or exc}"
    if "full" in text:
        return f"the disk holding {path} is full"
    if "locked" in text or "busy" in text:
        return f"the record store {path} is locked by another program"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"the record store {path} is damaged (not a readable database)"
    if "readonly" in text or "read-only" in text:
        return f"the record store {path} is read-only"
    if "unable to open" in text:
        return f"the record store {path} cannot be opened (missing folder or no permission)"
    return f"the record store {path} failed: {exc}"


def create_private(path: Path) -> None:
    """Create the file (and its folder) readable by this user only, before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
