"""The scenario file format: a scripted practice call, as pydantic models.

A scenario plays the caller (what they say when asked each question, what they mean, what they
volunteer and when) and states what a good call-taker should end up with (the recommendation, the
handoff steps, how fast). The same file is a practice call for a trainee and a regression case for
a protocol author: ``crisis-triage scenarios check`` plays it with a scripted perfect trainee.

Every field carries a docstring: they become the descriptions in the exported JSON Schema
(``schema/scenario.schema.json``), which is what a trainer's editor shows on hover.
References to the protocol (question, option, interrupt, model ids) are checked afterwards by
:mod:`crisis_triage.training.library`, which knows where each value sits in the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..protocol.directory_models import ServiceKind

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
"""Ids are lower_snake_case, like the protocol's."""

DIFFICULTIES = ("beginner", "intermediate", "advanced")

MeantValue = str | float | list[str] | None
"""What the caller means: an option id (``yes``, ``unknown``, ``past_3_months``), a list of option
ids for a multiple-choice question, a number, free text, or null when the caller gives nothing
usable and the question should be skipped."""


class Strict(BaseModel):
    # Field docstrings reach the JSON Schema through protocol/field_docs.py (not use_attribute_docstrings,
    # which parses this file on every import).
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScenarioMeta(Strict):
    """What the practice call is and what it teaches."""

    id: Id
    """A short unique id (lower_snake_case); used on the command line and in reports."""
    title: str = Field(min_length=1, max_length=120)
    """The scenario's name as the trainer sees it in lists."""
    summary: str = ""
    """One or two sentences for the trainer: the situation, without giving the answer away."""
    difficulty: Literal["beginner", "intermediate", "advanced"] = "beginner"
    """beginner (a clear call), intermediate (vague answers, an interrupt) or advanced (several
    traps at once: revisions, fallbacks, a frightened or hostile caller)."""
    tags: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]] = []
    """Free labels for filtering (``crisis-triage train --tag weapon``): weapon, spanish, revision ..."""
    learning_goals: list[str] = Field(min_length=1)
    """What the trainee should practise; shown before the call and in the debrief."""
    protocol: str | None = None
    """The protocol id this scenario was written for (e.g. boston_mh_crisis); checked when set."""


class Persona(Strict):
    """Who is on the phone."""

    name: str = ""
    """The caller's first name, if they give it (the answer to a name question)."""
    who: str = Field(min_length=1)
    """A line for the trainer: "Rosa, 52, the mother of a 24-year-old man"."""
    relation: str = Field(min_length=1)
    """The caller's relation to the person in crisis: self, mother, neighbour, shelter worker ..."""
    language: str = "en"
    """The language the caller speaks (a language code of the protocol: en, es)."""
    temperament: str = ""
    """How the caller sounds: calm, frightened, angry, flat, talks fast ... shown on the caller pane."""
    opening: str = Field(min_length=1)
    """What the caller says when the call is picked up, before any question."""
    opening_translation: str | None = None
    """An English translation of the opening line, for the trainer, when the caller speaks another language."""


class CallSetup(Strict):
    """How the call reaches the console: the context the call-taker sets at the start."""

    door: Id
    """The protocol door that fits the caller (self, family, bystander, professional)."""
    line: Id | None = None
    """The line the call came in on (e911, alt_line); left out means the protocol's first line."""
    district: str | None = None
    """The police district the caller is in (A1, B2, C11 ...); matters for dedicated and pilot teams."""
    time: str = "12:00"
    """Local time of day of the call, ``HH:MM`` (24-hour); matters for teams with service hours."""
    unavailable: dict[str, str] = {}
    """Response models that are unavailable on this call, each with the reason the dispatcher gives
    (``co_response: Both co-response teams are on other calls``)."""

    @field_validator("time")
    @classmethod
    def _time_format(cls, value: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError('time must read like "14:30" (24-hour clock)')
        return value

    @property
    def hour_minute(self) -> tuple[int, int]:
        hour, minute = self.time.split(":")
        return int(hour), int(minute)


class Reply(Strict):
    """What the caller says when asked one question, and what they mean by it."""

    says: str = Field(min_length=1)
    """The caller's words, in the caller's language, as shown on the caller pane."""
    translation: str | None = None
    """An English translation for the trainer, when the caller speaks another language."""
    means: MeantValue = None
    """The answer the caller means: an option id, a list of option ids (multiple choice), text, a
    number, or null when nothing usable was said (the question should be skipped)."""
    also_accept: list[str | list[str]] = []
    """Other answers a careful call-taker could defensibly record from these words (for a vague
    reply: ``unknown`` when the caller means ``yes`` but only hints at it). Graded as acceptable."""
    vague: bool = False
    """The words do not say the answer outright: the trainee must ask again or choose. Shown in
    the debrief so a trainer can discuss it."""


class Volunteer(Strict):
    """Something the caller says unprompted at a set moment ("he just picked up a knife")."""

    after: Id | None = None
    """Said right after this question is answered (a question id)."""
    after_questions: int | None = Field(default=None, ge=0)
    """Said after this many questions have been answered or skipped (0: right at the start)."""
    says: str = Field(min_length=1)
    """The caller's words."""
    translation: str | None = None
    """An English translation for the trainer."""
    record: Id | None = None
    """The interrupt the call-taker should record at once (an interrupt id of the protocol:
    weapon_seen, violence, medical ...). Leave out for statements that are not a danger sign."""
    also_accept: list[Id] = []
    """Other interrupts that record the same danger well enough (weapon_used for weapon_seen)."""
    revise: dict[str, MeantValue] = {}
    """Earlier answers the caller corrects with this statement (question id -> the answer now
    meant): "actually, he did take pills" revises ``took_substance`` to ``yes``."""

    @model_validator(mode="after")
    def _one_moment(self) -> "Volunteer":
        if (self.after is None) == (self.after_questions is None):
            raise ValueError(
                "say when the caller says this: either after: QUESTION or after_questions: N (one of them)"
            )
        return self


class Script(Strict):
    """The caller's side of the call."""

    default: Reply = Reply(says="No, nothing like that.", means="no")
    """What the caller says (and means) when asked a question that has no reply of its own; for a
    question that cannot take this answer, the caller means nothing usable (skip it)."""
    answers: dict[str, Reply] = {}
    """Replies keyed by question id."""
    volunteers: list[Volunteer] = []
    """Statements the caller volunteers at set moments, in the order they are said."""


class Expectation(Strict):
    """The outcome a call-taker who follows the protocol and records the caller right reaches."""

    recommendation: Id
    """The response model the call should end in (after fallbacks and safety guarantees)."""
    acceptable: list[Id] = []
    """Other models graded as acceptable (not unsafe, but not the best fit)."""
    band: Id | None = None
    """The risk band the call should end in, when it matters for the lesson."""
    team_includes: list[Id] = []
    """Roles the dispatched team must include (ems, police, call_line ...). A dispatch without one
    of them is marked CRITICAL."""
    referrals_offer: list[ServiceKind] = []
    """Kinds of service the protocol's referral rules must offer on this call, to the person or the
    family (``[older_adult]`` for a caller of 80): checked whatever the directory's hours."""
    fallback_from: Id | None = None
    """The model the protocol prefers but cannot send on this call (unavailable, out of hours or
    district): checks the fallback is taken."""
    handoff_steps: list[Id] | None = None
    """Warm-handoff steps the trainee must complete, in order; left out means every step of the
    protocol's handoff when the call ends in a handoff, none otherwise."""
    disputed: str | None = None
    """Set when the protocol's result is believed wrong for this call: why. The scenario then
    states the clinically right outcome, ``scenarios check`` reports it as disputed, and the
    protocol's clinical lead should review the rule."""


class Targets(Strict):
    """Time targets for the trainee, in seconds from pick-up."""

    recommendation_seconds: int = Field(default=300, ge=10, le=3600)
    """Dispatch (accept the recommendation) within this many seconds of the call starting."""
    interrupt_seconds: int = Field(default=15, ge=1, le=600)
    """Record each volunteered danger within this many seconds of the caller saying it."""


class ScenarioDocument(Strict):
    """A scripted practice call: the caller, the call's context, and the expected outcome."""

    scenario: ScenarioMeta
    caller: Persona
    call: CallSetup
    script: Script = Script()
    expect: Expectation
    targets: Targets = Targets()


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors (yaml-language-server) and the authoring tools."""
    import sys

    from ..protocol.field_docs import add_field_descriptions

    schema = add_field_descriptions(ScenarioDocument.model_json_schema(), "ScenarioDocument", sys.modules[__name__])
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crisis-triage practice scenario"
    return schema
