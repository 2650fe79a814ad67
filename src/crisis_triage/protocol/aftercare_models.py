"""The protocol's sections for what happens after the dispatch: contact confirmation, dispositions
and follow-up rules. All optional, so protocols written before them still load.

Field docstrings become the JSON Schema's descriptions (see :mod:`crisis_triage.protocol.field_docs`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .model_base import Id, Localized, Strict

#: What a disposition means for the evaluator's figures (a code may carry several).
DISPOSITION_MARKS = ("connected_to_care", "emergency_room", "involuntary_hold", "arrest", "not_found", "refused")
DispositionMark = Literal["connected_to_care", "emergency_room", "involuntary_hold", "arrest", "not_found", "refused"]


class ContactRule(Strict):
    """Responses whose contact with the person must be confirmed, and how soon."""

    models: list[str] = Field(min_length=1)
    """Response models (ids) this applies to once dispatched."""
    within_minutes: int = Field(ge=1, le=24 * 60)
    """Minutes from the dispatch by which the team must report contact made (or unable to locate)."""
    because: Localized | None = None
    """Why, shown on the alert (for example 988's policy on imminent risk)."""


class DispositionDetail(Strict):
    """A detail a disposition asks for (the receiving service, the destination, the charge)."""

    id: Id
    label: Localized
    required: bool = True
    """Whether the disposition cannot be recorded without it."""
    options: list[Id] | None = None
    """The accepted values, if the detail is a choice; free text otherwise."""
    from_directory: bool = False
    """The value is a service of the referral directory (its id), or ``other: <name>`` for one that is
    not listed; checked against the directory whenever one is loaded (issue 16)."""

    @model_validator(mode="after")
    def _one_kind_of_choice(self) -> DispositionDetail:
        if self.from_directory and self.options is not None:
            raise ValueError("a detail takes its values from the directory or from options, not both")
        return self


class Disposition(Strict):
    """How a response ended: a code the teams and the evaluator share."""

    id: Id
    label: Localized
    key: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    """The key that picks it on the console's disposition list."""
    details: list[DispositionDetail] = []
    marks: list[DispositionMark] = []
    """What it counts as in the figures: connected_to_care, emergency_room, involuntary_hold, arrest,
    not_found, refused."""
    recorded_by: list[Id] = ["call_taker", "dispatcher", "clinician", "supervisor"]
    """The roles that may record it."""


class HandoffLanding(Strict):
    """Where a warm handoff to the call line landed, as the counsellor reports it."""

    id: Id
    label: Localized
    key: Annotated[str, Field(min_length=1, max_length=1)] | None = None


class FollowUpTrigger(Strict):
    """What makes a follow-up owed; any one of the given conditions is enough."""

    handoff: bool = False
    """Every call handed off to the call line (whatever the handoff's outcome)."""
    models: list[str] = []
    """Calls dispatched to one of these response models."""
    suicide_screen_at_least: str | None = None
    """Calls whose suicide screen reached a level at this band or higher (counted when the call ends)."""
    dispositions: list[str] = []
    """Calls that ended with one of these disposition codes."""
    handoff_outcomes: list[str] = []
    """Handoffs that landed with one of these outcomes."""


class FollowUpRule(Strict):
    """A follow-up the centre owes after some calls (a caring contact, a re-check)."""

    id: Id
    label: Localized
    within_hours: float = Field(gt=0, le=24 * 30)
    """Hours from the trigger by which it is due."""
    after: FollowUpTrigger
    because: Localized | None = None


class FollowUp(Strict):
    """Follow-up after the call: the handoff's landed outcomes and the rules that owe a follow-up."""

    handoff_outcomes: list[HandoffLanding] = []
    rules: list[FollowUpRule] = []


class Evaluation(Strict):
    """What the evaluator's figures count (``report``): which roles are police, clinicians and
    mental-health professionals, and which facts mean the caller feared police or asked for none."""

    police_roles: list[str] = ["police"]
    clinician_roles: list[str] = ["clinician"]
    mental_health_roles: list[str] = []
    """Roles counted as a mental-health professional (clinicians and mental-health workers, say)."""
    no_police_facts: list[str] = []
    """Facts that mean the caller feared police or asked for none."""
