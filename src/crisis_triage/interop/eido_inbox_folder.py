"""Where the EIDO inbox lives and how many incidents wait in it, without reading them.

Kept apart from :mod:`.eido_inbox` (which reads the EIDOs, and loads the EIDO models to do it) so the
console's home screen can show its count without loading them.
"""

from __future__ import annotations

from pathlib import Path

from ..config import data_dir

TAKEN = "taken"
"""The inbox's sub-folder marking each incident taken as a call (by the same file name)."""


def inbox_folder() -> Path:
    """``<data dir>/eido/inbox``: filled by ``eido subscribe --inbox`` and the console's own subscription."""
    return data_dir() / "eido" / "inbox"


def waiting_count(folder: Path) -> int:
    """How many incidents wait in the inbox (by file name alone: cheap enough for the home screen)."""
    try:
        taken = {p.name for p in (folder / TAKEN).glob("*.json")} if (folder / TAKEN).is_dir() else set()
        return sum(1 for p in folder.glob("*.json") if p.name not in taken)
    except OSError:
        return 0
