"""Reading a protocol file (or a file that goes with one): its text and the sha256 of its bytes (no
YAML, no checks).

Kept apart from the loader so the console, starting from the compiled-protocol cache, reads and
hashes its files without importing YAML, the schema's checks and the compiler.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..untrusted import UntrustedInputError, decode_utf8, read_bounded
from .errors import Problem, ProtocolError


def read_protocol_text(path: str | Path) -> tuple[str, str]:
    """A protocol file's text and the sha256 of its bytes; :class:`ProtocolError` if unreadable."""
    return read_text_and_digest(path, "protocol file")


def read_text_and_digest(path: str | Path, what: str) -> tuple[str, str]:
    """A file's text and the sha256 of its bytes; :class:`ProtocolError` if unreadable.

    Read through the bounded reader: a device, a folder or a file over the size limit is a problem,
    never a hang or an exhausted memory.
    """
    try:
        raw = read_bounded(path, what=what)
        text = decode_utf8(raw, "file")
    except UntrustedInputError as exc:
        code = "encoding" if exc.line else "unreadable"
        raise ProtocolError([Problem(code, exc.message, str(path), exc.line, exc.column)]) from None
    return text, hashlib.sha256(raw).hexdigest()
