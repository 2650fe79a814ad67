"""Every time a command prints is in the centre's zone (the shipped protocol's), labelled with it."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache


@cache
def centre_zone() -> tzinfo:
    """The zone of the protocol in force (UTC if it cannot be read, and then the label says UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ..protocol import ProtocolError, load_protocol
    from .common import default_protocol

    try:
        return ZoneInfo(load_protocol(default_protocol()).document.protocol.timezone)
    except (ProtocolError, OSError, ZoneInfoNotFoundError, ValueError):
        return UTC


def centre_stamp(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """``moment`` on the centre's clock, with the zone's abbreviation; "-" for none."""
    if moment is None:
        return "-"
    return moment.astimezone(centre_zone()).strftime(fmt)
