"""Load a centre file: YAML with positions -> schema -> :class:`Centre`, every problem located.

Checked like a protocol: ``file:line:column`` and what was expected for each problem, all at once.
Given the protocol, each unit's model and districts are checked against it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FilePath

from . import centre_models
from .centre_models import CentreDocument, Unit
from .compiled import Protocol
from .errors import Problem, did_you_mean
from .schema_errors import model_field_names
from .side_file import parse_side_file, problems_in, read_side_file
from .yaml_source import SourceMap

_FIELD_NAMES = model_field_names(centre_models)


@dataclass(frozen=True)
class Centre:
    """A loaded centre: its units, indexed by id and by response model."""

    document: CentreDocument
    file: str = "<centre>"
    units: Mapping[str, Unit] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.document.centre.id

    @property
    def name(self) -> str:
        return self.document.centre.name

    def units_of(self, model: str) -> list[Unit]:
        """The units of one response model, in file order."""
        return [u for u in self.units.values() if u.model == model]

    @property
    def tracked_models(self) -> list[str]:
        """Response models with at least one unit, in file order."""
        return list(dict.fromkeys(u.model for u in self.units.values()))


def parse_centre(text: str, file: str = "<centre>", protocol: Protocol | None = None) -> Centre:
    """Check a centre file's text; raise :class:`ProtocolError` listing every problem."""
    document, _ = parse_side_file(
        text,
        file,
        CentreDocument,
        _FIELD_NAMES,
        "a centre file is a mapping with centre: and units:",
        lambda document, source: _cross_checks(document, source, protocol),
    )
    return Centre(document, file, {u.id: u for u in document.units})


def _cross_checks(document: CentreDocument, source: SourceMap, protocol: Protocol | None) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, unit in enumerate(document.units):
        if unit.id in seen:
            line, _ = source.locate(("units", seen[unit.id], "id"))
            problems.append(
                source.problem(
                    "duplicate-id", f'unit id "{unit.id}" is already used on line {line}', ("units", index, "id")
                )
            )
        seen.setdefault(unit.id, index)
    if protocol is None:
        return problems
    meta = document.centre
    if meta.protocol is not None and meta.protocol != protocol.document.protocol.id:
        problems.append(
            source.problem(
                "wrong-protocol",
                f'this centre is for protocol "{meta.protocol}", not "{protocol.document.protocol.id}"',
                ("centre", "protocol"),
            )
        )
    for index, unit in enumerate(document.units):
        if unit.model not in protocol.models:
            problems.append(
                source.problem(
                    "unknown-name",
                    f'no response model "{unit.model}" in the protocol{did_you_mean(unit.model, protocol.models)}',
                    ("units", index, "model"),
                )
            )
        for d_index, district in enumerate(unit.districts or ()):
            if district not in protocol.districts:
                problems.append(
                    source.problem(
                        "unknown-name",
                        f'no district "{district}" in the protocol{did_you_mean(district, protocol.districts)}',
                        ("units", index, "districts", d_index),
                    )
                )
    return problems


def load_centre(path: str | FilePath, protocol: Protocol | None = None) -> Centre:
    """Read and check a centre file; raise :class:`ProtocolError` (never anything else)."""
    text, _ = read_side_file(path, "centre file")
    return parse_centre(text, str(path), protocol)


def check_centre(path: str | FilePath, protocol: Protocol | None = None) -> list[Problem]:
    """Every problem in a centre file, or an empty list when it is valid."""
    return problems_in(load_centre, path, protocol)


def looks_like_centre(path: str | FilePath) -> bool:
    """True when the file's top level starts a ``centre:`` section (so ``validate`` checks it as one)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.startswith("centre:") for line in handle)
    except OSError:
        return False
