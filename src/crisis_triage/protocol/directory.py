"""Load a referral directory: YAML with positions -> schema -> a :class:`Directory` with weekly hours.

The same source map and problem values as protocols: every problem at once, each with
``file:line:column`` and what was expected, raised as :class:`ProtocolError`. A directory is checked
against the protocol it serves when one is given (district codes, the time zone).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, cached_property
from pathlib import Path as FilePath
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import directory_models
from .compiled import Protocol
from .directory_models import DAYS, DirectoryDocument, Service
from .errors import Problem, did_you_mean

if TYPE_CHECKING:
    from .yaml_source import SourceMap

# Reading the YAML (side_file, schema_errors, yaml_source) is imported when a directory is parsed: the
# console, starting from the compiled cache (store/protocol_cache.py), never needs it.

WEEK = 7 * 24 * 60
"""Minutes in a week: hours are kept as minute-of-week intervals, Monday 00:00 being 0."""


@cache
def _field_names() -> set[str]:
    from .schema_errors import model_field_names

    return model_field_names(directory_models)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _days(text: str) -> list[int]:
    if text == "daily":
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start = DAYS.index(first)
        end = DAYS.index(last) if last else start
        days.extend((start + i) % 7 for i in range((end - start) % 7 + 1))
    return days


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours as sorted, merged minute-of-week intervals ``[start, end)`` in local wall-clock time.

    Wall-clock minutes make daylight-saving changes come out right: a clinic open 08:00-20:00 opens at
    08:00 local time on both sides of a change.
    """

    intervals: tuple[tuple[int, int], ...]

    @classmethod
    def parse(cls, entries: list[str]) -> WeeklyHours:
        spans: list[tuple[int, int]] = []
        for entry in entries:
            if entry == "24/7":
                spans.append((0, WEEK))
                continue
            days, times = entry.split(" ")
            opens, closes = (_minutes(t) for t in times.split("-"))
            length = (closes - opens) % (24 * 60) or 24 * 60
            for day in _days(days):
                start = day * 24 * 60 + opens
                end = start + length
                if end > WEEK:  # Sunday night into Monday morning
                    spans += [(start, WEEK), (0, end - WEEK)]
                else:
                    spans.append((start, end))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return cls(tuple(merged))

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _ in self.intervals]

    @property
    def always(self) -> bool:
        return self.intervals == ((0, WEEK),)

    def is_open_at(self, minute: int) -> bool:
        """Open at this minute of the week (0 = Monday 00:00 local)?"""
        i = bisect.bisect_right(self._starts, minute) - 1
        return i >= 0 and minute < self.intervals[i][1]

    def minutes_until_open(self, minute: int) -> int | None:
        """0 when open at ``minute``, else minutes to the next opening; None when it never opens."""
        if not self.intervals:
            return None
        if self.is_open_at(minute):
            return 0
        i = bisect.bisect_right(self._starts, minute)
        if i < len(self._starts):
            return self._starts[i] - minute
        return self._starts[0] + WEEK - minute


def minute_of_week(local: datetime) -> int:
    """Minutes since Monday 00:00 of ``local``'s week (wall-clock)."""
    return local.weekday() * 24 * 60 + local.hour * 60 + local.minute


@dataclass(frozen=True)
class DirectoryService:
    """One service of a loaded directory, with its hours worked out."""

    spec: Service
    hours: WeeklyHours
    index: int
    """Position in the directory file (ties are broken by it: the author's order)."""

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def kind(self) -> str:
        return self.spec.kind

    def serves_district(self, district: str | None) -> bool:
        """Citywide services serve every call; others only calls from their districts."""
        districts = self.spec.districts
        return districts is None or (district is not None and district in districts)


@dataclass(frozen=True)
class Directory:
    """A checked referral directory, ready for :func:`crisis_triage.engine.referrals.offer_referrals`."""

    document: DirectoryDocument
    file: str
    sha256: str
    services: tuple[DirectoryService, ...]
    zone: ZoneInfo = field(repr=False)
    source: SourceMap | None = field(default=None, repr=False, compare=False)
    """Where each value sits in the file (for authoring findings)."""

    @property
    def id(self) -> str:
        return self.document.directory.id

    @property
    def title(self) -> str:
        return self.document.directory.title

    @cached_property
    def by_id(self) -> Mapping[str, DirectoryService]:
        return {s.id: s for s in self.services}

    @cached_property
    def by_kind(self) -> Mapping[str, tuple[DirectoryService, ...]]:
        kinds: dict[str, list[DirectoryService]] = {}
        for service in self.services:
            kinds.setdefault(service.kind, []).append(service)
        return {k: tuple(v) for k, v in kinds.items()}

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the directory's clock (naive times are taken as already local)."""
        return moment.astimezone(self.zone) if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def opens_at(self, service: DirectoryService, moment: datetime) -> datetime | None:
        """``moment`` itself when ``service`` is open then, else when it next opens (None: never)."""
        local = self.local(moment)
        wait = service.hours.minutes_until_open(minute_of_week(local))
        if wait is None or wait == 0:
            return None if wait is None else moment
        # Wall-clock arithmetic: "opens at 08:00" is 08:00 local even across a daylight-saving change.
        wall = local.replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=wait)
        return wall.replace(tzinfo=self.zone)


def parse_directory(text: str, file: str = "<directory>", protocol: Protocol | None = None) -> Directory:
    """Check and load directory text; raise :class:`ProtocolError` listing every problem."""
    from .side_file import parse_side_file

    document, source = parse_side_file(
        text,
        file,
        DirectoryDocument,
        _field_names(),
        "a directory is a mapping with directory: and services:",
        lambda document, source: _check(document, source, protocol) + _check_zone(document, source),
    )
    services = tuple(DirectoryService(s, WeeklyHours.parse(s.hours), i) for i, s in enumerate(document.services))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Directory(document, file, digest, services, ZoneInfo(document.directory.timezone), source)


def _check_zone(document: DirectoryDocument, source: SourceMap) -> list[Problem]:
    try:
        ZoneInfo(document.directory.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            source.problem(
                "bad-timezone",
                f'"{document.directory.timezone}" is not an IANA time zone such as America/New_York',
                ("directory", "timezone"),
            )
        ]
    return []


def _check(document: DirectoryDocument, source: SourceMap, protocol: Protocol | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    districts = protocol.districts if protocol is not None else None
    for i, service in enumerate(document.services):
        path = ("services", i)
        if service.id in seen:
            line = source.locate(("services", seen[service.id], "id"))[0]
            problems.append(
                source.problem(
                    "duplicate-id",
                    f'service "{service.id}" is used twice (first on line {line}); each must be unique',
                    path + ("id",),
                )
            )
        seen.setdefault(service.id, i)
        serves = service.serves
        if serves.min_age is not None and serves.max_age is not None and serves.min_age > serves.max_age:
            problems.append(
                source.problem("bad-ages", "min_age is above max_age: nobody could be served", path + ("serves",))
            )
        if not serves.person and not serves.family:
            problems.append(
                source.problem(
                    "serves-nobody", "a service serves the person, their family, or both", path + ("serves",)
                )
            )
        for j, district in enumerate(service.districts or []):
            if districts is not None and district not in districts:
                problems.append(
                    source.problem(
                        "unknown-reference",
                        f'no district has the code "{district}"{did_you_mean(district, districts)}',
                        path + ("districts", j),
                    )
                )
    if protocol is not None and document.directory.timezone != protocol.document.protocol.timezone:
        problems.append(
            source.problem(
                "timezone-mismatch",
                f"the directory's hours are in {document.directory.timezone} but the protocol's centre is in "
                f"{protocol.document.protocol.timezone}; use the centre's time zone",
                ("directory", "timezone"),
            )
        )
    return problems


def load_directory(path: str | FilePath, protocol: Protocol | None = None) -> Directory:
    """Read and check a directory file; raise :class:`ProtocolError` (never anything else)."""
    from .side_file import read_side_file

    text, digest = read_side_file(path, "directory file")
    directory = parse_directory(text, str(path), protocol)
    return Directory(directory.document, directory.file, digest, directory.services, directory.zone, directory.source)


def check_directory(path: str | FilePath, protocol: Protocol | None = None) -> list[Problem]:
    """Every problem in a directory file, or an empty list when it is valid."""
    from .side_file import problems_in

    return problems_in(load_directory, path, protocol)


def directory_path(protocol: Protocol) -> FilePath | None:
    """The directory file a protocol names (relative to the protocol file), or None."""
    block = protocol.document.referrals
    if block is None or block.directory is None:
        return None
    return FilePath(protocol.file).parent / block.directory


def load_directory_for(protocol: Protocol) -> Directory | None:
    """The directory the protocol names, checked against it; None when it names none."""
    path = directory_path(protocol)
    return None if path is None else load_directory(path, protocol)


def is_directory_file(path: str | FilePath) -> bool:
    """Directory files are named ``*-directory.yaml`` so protocol listings can leave them out."""
    return FilePath(path).name.endswith("-directory.yaml")
