"""Load a protocol together with its :class:`SourceMap`, so authoring findings carry file:line.

:func:`crisis_triage.protocol.loader.load_protocol` keeps the source map to itself (the engine has
no use for it); the authoring tools need both, so this runs the same three steps (YAML with
positions, schema, compiler) and returns the pair. Errors are the loader's own :class:`ProtocolError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..protocol.compiled import Protocol
from ..protocol.errors import ProtocolError
from ..protocol.loader import parse_protocol, read_protocol_text
from ..protocol.yaml_source import SourceMap, YamlSourceError, load_yaml


@dataclass(frozen=True)
class LoadedProtocol:
    """A compiled protocol, where each of its values sits in the file, and the file's text."""

    protocol: Protocol
    source: SourceMap
    text: str

    @property
    def file(self) -> str:
        return self.source.file

    def line_of(self, path: tuple) -> int:
        return self.source.locate(path)[0]


def read_text(path: str | Path) -> str:
    """The file's text, or a :class:`ProtocolError` saying why it cannot be read."""
    return read_protocol_text(path)[0]


def parse_with_source(text: str, file: str) -> LoadedProtocol:
    """Compile protocol text and keep its source map; raises :class:`ProtocolError`."""
    protocol = parse_protocol(text, file, hashlib.sha256(text.encode("utf-8")).hexdigest())
    try:
        _, source = load_yaml(text, file)
    except YamlSourceError as exc:  # pragma: no cover - parse_protocol already read it
        raise ProtocolError(exc.problems) from None
    return LoadedProtocol(protocol, source, text)


def load_with_source(path: str | Path) -> LoadedProtocol:
    """Read and compile a protocol file, keeping where each value sits; raises :class:`ProtocolError`."""
    return parse_with_source(read_text(path), str(path))
