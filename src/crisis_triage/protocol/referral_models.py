"""The protocol's ``referrals:`` block: which kinds of service fit which calls.

Optional: a protocol without it loads as before, and the console shows no referral panel. The
services themselves live in a directory file (:mod:`.directory_models`) the block names.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .directory_models import Need, ServiceKind
from .model_base import Id, Localized, Strict


class ReferralRule(Strict):
    """A rule offering kinds of service; unlike response rules, every rule whose condition holds applies."""

    id: Id
    when: str | None = None
    """The condition on the call (same language as response rules); left out: every call."""
    offer: list[ServiceKind] = Field(min_length=1)
    """The kinds of service to offer, best first (e.g. ``[urgent_care, crisis_stabilisation]``)."""
    to: Literal["person", "family"] = "person"
    """Who the services are for: the person in crisis, or their family and friends."""
    need: Need | None = None
    """Offer only services that meet this need (services listing no needs meet any mental-health need)."""
    because: Localized
    """The reason shown beside each service offered by this rule."""


class Referrals(Strict):
    """Referral rules and where the directory of services is."""

    directory: str | None = None
    """The directory file, relative to the protocol file (e.g. ``boston-directory.yaml``)."""
    rules: list[ReferralRule] = Field(min_length=1)
    age_question: str | None = None
    """The question holding the person's age, matched against the services' age limits: a number
    question (the age), or a choice question whose options ``age_bands`` gives ages for."""
    age_bands: dict[Id, tuple[Annotated[int, Field(ge=0, le=130)], Annotated[int, Field(ge=0, le=130)]]] = {}
    """For a choice age question: each option's ages, lowest and highest (``teen: [13, 17]``). A band
    fits a service whose age limits overlap it; an option with no band (``unknown``) matches any age."""
    per_kind: int = Field(default=2, ge=1, le=10)
    """At most this many services of one kind are offered."""
    most: int = Field(default=6, ge=1, le=30)
    """At most this many services are offered in all."""
