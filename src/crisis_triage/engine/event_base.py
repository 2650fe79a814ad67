"""What every event of a call is: an immutable record with the time it happened.

Kept apart from ``events.py`` so that modules adding their own events (``events_<area>.py``) import
the base from here while ``events.py`` imports them for the ``AnyEvent`` union, with no cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _yes_no_from_bool(value: object) -> object:
    # A JSON true / false (replay files, hand-written scenarios) means "yes" / "no". Without this,
    # pydantic's union would turn true into 1.0, which no yes/no question accepts.
    if value is True or value is False:
        return "yes" if value else "no"
    return value


AnswerValue = Annotated[str | float | int | list[str], BeforeValidator(_yes_no_from_bool)]


class Event(BaseModel):
    # Each event class's validator is built when first used, not at import: the console's first
    # screen needs only CallStarted's (the rest are warmed up after the first paint).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    at: datetime
    """When it happened (timezone-aware)."""
