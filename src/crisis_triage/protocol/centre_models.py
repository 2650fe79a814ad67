"""The centre file format: the units behind each response model, as pydantic models.

A protocol says *which kind* of response a call needs; a centre file says *which teams* the centre
has to send: two dedicated co-response cars in A1, one in B2, the citywide B-EMS alternative units,
the community-led teams with their districts and hours, the call line's counsellors. Shared
availability (who is busy on which call) is tracked per unit.

A model with no unit in the centre file, or none covering the call's district, is not tracked: it is
"as available", exactly as without a centre file. Every field carries a docstring: they become the
descriptions in ``schema/centre.schema.json``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
"""Ids are lower_snake_case, like the protocol's."""

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)


class CentreMeta(Strict):
    """Which centre this is and which protocol its units serve."""

    id: Id
    """A short id for the centre (e.g. boston_ecc)."""
    name: str = Field(min_length=1, max_length=120)
    """The centre's name as the supervisor's board shows it."""
    protocol: Id | None = None
    """The protocol id whose response models the units belong to; checked when the centre is loaded with it."""
    time_target_minutes: int = Field(default=10, ge=1, le=240)
    """A call still open (no dispatch or handoff) after this many minutes is flagged on the board."""
    contact_confirm_minutes: int = Field(default=20, ge=1, le=240)
    """A dispatched team not reported on scene within this many minutes is flagged: 988's policy
    asks the centre to confirm that emergency services made contact."""


class Unit(Strict):
    """One team of a response model: a car, a crew, or the call line's counsellors."""

    id: Id
    """A unique id (stored with every assignment): a1_car_1, bems_alpha, call_line."""
    name: str = Field(min_length=1, max_length=60)
    """How call-takers name it on the radio and on screen: "A1 dedicated car 1"."""
    model: Id
    """The protocol's response model this unit is a team of (co_response, alternative_response ...)."""
    districts: list[str] | None = None
    """The police districts it covers; left out means citywide."""
    hours: str | None = None
    """Local hours on duty as ``HH:MM-HH:MM`` (may run past midnight); left out means round the clock."""
    capacity: int = Field(default=1, ge=1, le=200)
    """How many calls it can take at once: 1 for a car, the number of counsellors for the call line."""
    expected_minutes: int = Field(default=40, ge=1, le=720)
    """Typical time from dispatch to clear: gives the "expected clear" time shown to other consoles."""

    @field_validator("hours")
    @classmethod
    def _hours_format(cls, value: str | None) -> str | None:
        if value is not None and not _HOURS.match(value):
            raise ValueError('hours must read like "10:00-22:00" (24-hour clock)')
        return value


class CentreDocument(Strict):
    """A crisis centre: the units it can send, per response model."""

    centre: CentreMeta
    units: list[Unit] = Field(min_length=1)
    """Every team the centre tracks. Models with no unit here are sent "as available"."""
