"""The protocol format: models, the YAML loader with file:line errors, the condition language.

The loader (YAML, the schema's checks, the compiler) is imported on first use of its names: the
console, starting from the compiled-protocol cache, never needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compiled import CompiledQuestion, Protocol
from .errors import Problem, ProtocolError

if TYPE_CHECKING:
    from .loader import check_protocol, load_protocol, parse_protocol

__all__ = [
    "CompiledQuestion",
    "Problem",
    "Protocol",
    "ProtocolError",
    "check_protocol",
    "load_protocol",
    "parse_protocol",
]

_FROM_LOADER = ("check_protocol", "load_protocol", "parse_protocol")


def __getattr__(name: str) -> Any:
    if name in _FROM_LOADER:
        from . import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
