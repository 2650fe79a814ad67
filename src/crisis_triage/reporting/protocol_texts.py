"""Finding the exact protocol text a recorded call was triaged with (by its sha256).

A record names its protocol's id, version and sha256, and the file it was loaded from. Replaying a
call through any other text would report figures the call-taker never saw, so a protocol is only
used when its digest matches; the error says which file to pass when none does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..protocol import Protocol, ProtocolError, load_protocol
from ..store.journal import CallMeta


class ProtocolNotFound(LookupError):
    """No protocol file with the recorded digest; the message says what to pass."""


class ProtocolResolver:
    """Loads each protocol file once and finds the one a call was recorded with."""

    def __init__(self, candidates: Iterable[str | Path] = ()):
        """``candidates`` are files (or folders of .yaml files) to search besides each record's own path."""
        self._by_sha: dict[str, Protocol] = {}
        self._sha_of: dict[Path, str] = {}
        """The digest each file tried has now (to say "it has changed since")."""
        self._tried: set[Path] = set()
        self._candidates: list[Path] = []
        for candidate in candidates:
            path = Path(candidate)
            self._candidates.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])

    def _load(self, path: Path) -> None:
        path = path.resolve()
        if path in self._tried:
            return
        self._tried.add(path)
        try:
            protocol = load_protocol(path)
        except (ProtocolError, OSError):
            return
        self._sha_of[path] = protocol.sha256
        self._by_sha.setdefault(protocol.sha256, protocol)

    def add(self, protocol: Protocol) -> None:
        self._by_sha.setdefault(protocol.sha256, protocol)

    def for_call(self, meta: CallMeta) -> Protocol:
        found = self._by_sha.get(meta.protocol_sha256)
        if found is not None:
            return found
        if meta.protocol_file:
            self._load(Path(meta.protocol_file))
        for candidate in self._candidates:
            if meta.protocol_sha256 in self._by_sha:
                break
            self._load(candidate)
        found = self._by_sha.get(meta.protocol_sha256)
        if found is None:
            # One message per protocol text (no call id), so a report groups the calls it concerns.
            where = ""
            if meta.protocol_file:
                now = self._sha_of.get(Path(meta.protocol_file).resolve())
                where = (
                    f"; {meta.protocol_file} has changed since (sha256 now {now[:12]}...)"
                    if now
                    else f"; {meta.protocol_file} cannot be read"
                )
            raise ProtocolNotFound(
                f"protocol {meta.protocol_id} {meta.protocol_version} (sha256 {meta.protocol_sha256[:12]}...) "
                f"not found{where}; pass the file the calls were triaged with: --protocol FILE"
            )
        return found
