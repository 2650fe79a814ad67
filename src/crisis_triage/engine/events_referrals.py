"""The referral events of a call: a service from the directory given to the caller or the family.

The event carries the service's name and how it was reached as they were at the time, so a call's
record says what the caller was told even after the directory changes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .event_base import Event


class ReferralGiven(Event):
    """The call-taker gave the caller (or their family) a service from the referral directory."""

    kind: Literal["referral_given"] = "referral_given"
    service: str = Field(min_length=1, max_length=64)
    """The service's id in the directory."""
    service_kind: str = Field(min_length=1, max_length=64)
    """Its kind (urgent_care, detox_recovery ...), for counting referrals by kind."""
    service_name: str = Field(min_length=1, max_length=200)
    """Its name (English) as the directory had it when given."""
    contact: str = Field(default="", max_length=300)
    """How it was reached as given to the caller (e.g. ``phone 617-555-0101``)."""
    to: Literal["caller", "family"] = "caller"
    """Given to the caller, or to the person's family."""
    directory: str = Field(default="", max_length=64)
    """The directory's id."""
    rule: str = Field(default="", max_length=64)
    """The referral rule that offered it; empty when the call-taker picked it from the whole directory."""
