"""The protocol format: models, the YAML loader with file:line errors, the condition language."""

from .compiled import CompiledQuestion, Protocol
from .errors import Problem, ProtocolError
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
