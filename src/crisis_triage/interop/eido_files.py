"""A call's EIDO written to a file: the dispatch screen's E key, for a CAD that takes files."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..engine.session import CallSession
from ..protocol.compiled import Protocol
from .eido import eido_document


def write_call_eido(protocol: Protocol, session: CallSession, call_id: str, folder: Path) -> Path:
    """Write the call's current EIDO to ``folder/<call id>.json`` (readable by its owner only: it is
    health information) and return the path. Raises OSError when the folder cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{call_id}.json"
    text = json.dumps(eido_document(protocol, session, call_id), indent=2, ensure_ascii=False) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
