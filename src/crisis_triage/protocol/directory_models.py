"""The referral directory format: services a call-taker can point a caller or their family to.

A directory is a YAML file beside the protocol (the protocol's ``referrals.directory`` names it).
Like the protocol, every field carries a docstring that becomes the JSON Schema's description, and
a file is checked with ``file:line:column`` problems by :mod:`crisis_triage.protocol.directory`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator

from .model_base import Id, Localized, Strict

#: The kinds of service a directory lists and a protocol's referral rules point at, with their labels.
SERVICE_KINDS: dict[str, dict[str, str]] = {
    "urgent_care": {"en": "Urgent-care clinic (walk-in)", "es": "Clínica de atención urgente (sin cita)"},
    "crisis_stabilisation": {"en": "Crisis stabilisation unit", "es": "Unidad de estabilización de crisis"},
    "peer_respite": {"en": "Peer respite", "es": "Respiro con pares"},
    "detox_recovery": {"en": "Detox and recovery", "es": "Desintoxicación y recuperación"},
    "family_support": {"en": "Family support line", "es": "Línea de apoyo a familias"},
    "youth": {"en": "Youth service", "es": "Servicio para jóvenes"},
    "older_adult": {"en": "Older-adult service", "es": "Servicio para personas mayores"},
    "shelter": {"en": "Shelter bed", "es": "Cama en albergue"},
}
ServiceKind = Literal[
    "urgent_care",
    "crisis_stabilisation",
    "peer_respite",
    "detox_recovery",
    "family_support",
    "youth",
    "older_adult",
    "shelter",
]
"""A kind of service (see :data:`SERVICE_KINDS`)."""

NEEDS = ("mental_health", "substance_use", "psychosis", "dementia", "homelessness", "family_distress")
Need = Literal["mental_health", "substance_use", "psychosis", "dementia", "homelessness", "family_distress"]
"""A need a service meets; a referral rule may ask for services that meet one."""

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d"
_DAY_PART = r"(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))?"
HOURS_PATTERN = rf"^(?:24/7|(?:daily|{_DAY_PART}(?:,{_DAY_PART})*) {_TIME}-(?:{_TIME}|24:00))$"


def _check_hours(value: str) -> str:
    if not re.match(HOURS_PATTERN, value):
        raise ValueError(
            'hours read like "mon-fri 08:00-20:00", "sat,sun 10:00-16:00", "daily 20:00-08:00" or "24/7" '
            f"(found {value!r})"
        )
    opens, closes = value.rsplit(" ", 1)[-1].split("-") if value != "24/7" else ("00:00", "24:00")
    if opens == closes:
        raise ValueError(f'"{value}" opens and closes at the same time; write 00:00-24:00 for all day')
    return value


Hours = Annotated[
    str,
    AfterValidator(_check_hours),
    WithJsonSchema({"type": "string", "pattern": HOURS_PATTERN, "examples": ["mon-fri 08:00-20:00", "24/7"]}),
]
"""Opening hours in the directory's time zone: ``24/7`` or days and a time range, e.g.
``mon-fri 08:00-20:00``; a range that closes earlier than it opens runs past midnight into the next day."""


class DirectoryMeta(Strict):
    """What the directory is, whose clock its hours follow, and how current it is."""

    id: Id
    """A short id for the directory, stored with every referral given (e.g. boston_example)."""
    title: str
    """The directory's name as shown in the console."""
    timezone: str = "America/New_York"
    """IANA time zone of every service's hours (the call centre's clock)."""
    example: bool = False
    """True while the entries are example data that the city has yet to verify: the console says so."""
    verify_every_days: int = Field(default=180, ge=1, le=3650)
    """How old a ``last_verified`` date may be before ``lint`` notes the entry as due for checking."""
    note: str = ""
    """Who maintains the directory and how to report a change."""


class Serves(Strict):
    """Who a service serves."""

    min_age: int | None = Field(default=None, ge=0, le=130)
    """Youngest age served (left out: no lower limit)."""
    max_age: int | None = Field(default=None, ge=0, le=130)
    """Oldest age served (left out: no upper limit)."""
    needs: list[Need] = []
    """Needs the service meets; left out means any mental-health need."""
    person: bool = True
    """Serves the person in crisis themselves."""
    family: bool = False
    """Serves family members and friends of the person (a family support line, a carers' group)."""


class ReferralWay(Strict):
    """One way to refer someone to the service."""

    how: Literal["phone", "walk_in", "warm_transfer", "text", "online"]
    """phone (give the number), walk_in (give the address), warm_transfer (conference them in now),
    text (a text line), online (a web form or chat)."""
    detail: str = Field(min_length=1)
    """The number, address or web address."""
    note: str = ""
    """What to tell the caller (bring ID, ask for the intake worker ...)."""


class Service(Strict):
    """One service in the directory."""

    id: Id
    """Unique id; recorded with every referral given."""
    kind: ServiceKind
    """urgent_care, crisis_stabilisation, peer_respite, detox_recovery, family_support, youth,
    older_adult or shelter."""
    name: Localized
    """The service's name as said to the caller."""
    description: Localized | None = None
    """One line on what the service does, for the call-taker."""
    serves: Serves = Serves()
    languages: list[str] = ["en"]
    """Languages the service works in (language codes such as en, es, ht, pt, zh, vi)."""
    districts: list[str] | None = None
    """Districts of its catchment (the protocol's district codes); left out means citywide."""
    hours: list[Hours] = Field(min_length=1)
    """When it is open, in the directory's time zone: ``["24/7"]`` or entries like ``mon-fri 08:00-20:00``."""
    refer: list[ReferralWay] = Field(min_length=1)
    """How to refer: phone, walk-in, warm transfer ... the first is the usual way."""
    capacity: str = ""
    """What to know about capacity: beds, waiting times, when to call ahead."""
    last_verified: date
    """The date someone last checked this entry with the service (YYYY-MM-DD)."""

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.match(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", code):
                raise ValueError(f'"{code}" is not a language code such as en or es')
        if not value:
            raise ValueError("a service works in at least one language")
        return value


class DirectoryDocument(Strict):
    """A referral directory: services to connect a caller, or their family, to."""

    directory: DirectoryMeta
    services: list[Service] = Field(min_length=1)
