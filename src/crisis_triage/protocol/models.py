"""The protocol file format, as pydantic models.

Every field carries a docstring: they become the descriptions in the exported JSON Schema, which is
what a protocol author's editor shows on hover. The models are frozen: a loaded protocol never
changes under a running call. Cross-references (a rule naming a model, a condition naming a fact)
are checked afterwards by :mod:`crisis_triage.protocol.checks`, which knows where each value sits in
the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

# The format's building blocks, re-exported: the format's names live in models.
from .model_base import (
    ANSWER_TYPES as ANSWER_TYPES,
    CALLER_KINDS as CALLER_KINDS,
    ID_PATTERN as ID_PATTERN,
    Id as Id,
    Localized as Localized,
    Strict as Strict,
    is_language_tag as is_language_tag,
    localized as localized,
)


class LanguageReview(Strict):
    """Whether a language's scripts have been reviewed by a certified translator."""

    reviewed: bool
    """True once a certified translator has reviewed this language's scripts; the linter notes every
    language still false, and a protocol author flips it after review."""
    reviewer: str = ""
    """Who reviewed the scripts (name or agency), once reviewed."""
    scope: Literal["all", "read_aloud"] = "all"
    """all: every text is translated. read_aloud: only the words read to the caller (ask, ask_other,
    say) are; labels, hints and reasons show in English on the call-taker's console."""
    note: str = ""
    """Anything the clinical lead should know (how the draft was made, what is left)."""


class Meta(Strict):
    """Who wrote the protocol and what it is for."""

    id: Id
    """A short id for the protocol, stored with every call record (e.g. boston_mh_crisis)."""
    title: str
    """The protocol's name as shown in the console header."""
    version: str = Field(min_length=1, max_length=40)
    """The version an author bumps on every change; stored with every call record."""
    languages: list[str] = ["en"]
    """Languages the scripts are written in; English (en) is always first and required."""
    language_review: dict[str, LanguageReview] = {}
    """For each language other than English: whether its scripts were reviewed by a certified
    translator (``ht: {reviewed: false, scope: read_aloud}``). A language with no mark is a lint warning."""
    description: str = ""
    """What the protocol covers and who maintains it."""
    timezone: str = "America/New_York"
    """IANA time zone for response hours (e.g. community team 10:00-22:00)."""

    @field_validator("languages")
    @classmethod
    def _english_first(cls, value: list[str]) -> list[str]:
        if not value or value[0] != "en":
            raise ValueError("languages must start with en (English scripts are required)")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        bad = [v for v in value if not is_language_tag(v)]
        if bad:
            raise ValueError(f'"{bad[0]}" is not a language tag such as en, es, ht or pt-BR')
        return value

    @model_validator(mode="after")
    def _reviews_name_listed_languages(self) -> "Meta":
        unknown = [code for code in self.language_review if code not in self.languages or code == "en"]
        if unknown:
            raise ValueError(
                f'language_review names "{unknown[0]}", which is not one of the protocol\'s other languages '
                f"({', '.join(self.languages[1:]) or 'none'})"
            )
        return self


class District(Strict):
    """A police district or service area that calls come from."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,12}$")]
    """The district code as dispatch writes it (Boston: A1, B2, C11 ...)."""
    name: str
    """Neighbourhoods the district covers, for the console."""


class Door(Strict):
    """Who is calling. Every door reaches the same safety questions ("no wrong door")."""

    id: Id
    label: Localized
    """How the call-taker picks this door at the start of a call."""
    caller: Literal["self", "family", "bystander", "professional", "other"]
    """The caller's relation to the person in crisis; ``self`` means they are the person."""
    key: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    """One key that picks this door in the console."""


class Line(Strict):
    """A number the call came in on (911, or the alternative crisis number)."""

    id: Id
    label: Localized
    key: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    """One key that picks this line in the console."""


class Option(Strict):
    """One possible answer to a choice question."""

    id: Id
    """The answer as recorded and as written in conditions (``weapon == "yes"``)."""
    label: Localized
    """The answer as shown on the console."""
    key: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    """The one key that records this answer; digits 1-9 are given in order when left out."""


def _option_shorthand(value: object) -> object:
    # `options: [home, street]` is short for [{id: home, label: home}, ...]
    if isinstance(value, list):
        return [{"id": v, "label": v.replace("_", " ")} if isinstance(v, str) else v for v in value]
    return value


class Question(Strict):
    """One question the call-taker reads aloud."""

    id: Id
    """Unique id; also the name under which the answer is used in conditions."""
    label: Localized | None = None
    """A few words naming the question in the call-so-far list, summaries and reviews (e.g. "Weapon");
    the id is shown when left out."""
    ask: Localized
    """The words to read aloud, when the caller is the person in crisis (or in every case if
    ``ask_other`` is not given). Short, plain, one question at a time."""
    ask_other: Localized | None = None
    """The words to read when the caller is someone else (family, bystander, professional)."""
    hint: Localized | None = None
    """Guidance for the call-taker, not read aloud: what counts, what to do if the caller hesitates."""
    type: Literal["yes_no", "choice", "multi", "number", "text"] = "yes_no"
    """yes_no (yes / no / unknown), choice (one option), multi (several options), number, text."""
    options: Annotated[list[Option], BeforeValidator(_option_shorthand)] = []
    """The possible answers of a choice or multi question (yes_no questions have yes, no, unknown)."""
    when: str | None = None
    """Ask only when this condition holds, e.g. ``weapon == "yes"``. Answers to questions that stop
    applying are dropped."""
    doors: list[str] | None = None
    """Ask only on calls through these doors (door ids). Not allowed on safety questions."""
    risk: dict[str, int] = {}
    """Risk points per answer, e.g. ``{yes: 6, unknown: 3}``. Unknown on a safety question must be
    scored conservatively."""
    sets: dict[str, str] = {}
    """Facts this answer establishes, each with a condition on ``answer``: ``{weapon_present: answer == "yes"}``."""
    required: bool = True
    """A required question cannot be skipped; the call-taker records Unknown instead."""
    min: float | None = None
    """Smallest accepted value of a number question."""
    max: float | None = None
    """Largest accepted value of a number question."""

    @model_validator(mode="after")
    def _options_fit_type(self) -> "Question":
        if self.type in ("choice", "multi") and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least two options")
        if self.type in ("yes_no", "number", "text") and self.options:
            raise ValueError(f"a {self.type} question takes no options (yes_no has yes, no, unknown built in)")
        return self


class Section(Strict):
    """A group of questions asked in order; sections are asked in the order written."""

    id: Id
    title: Localized
    safety: bool = False
    """Safety questions: every door asks them, they cannot be limited by door, unknown is an answer
    on each and is scored conservatively."""
    questions: list[Question]


class Fact(Strict):
    """Something true or false about the call (weapon present, medical emergency ...)."""

    label: Localized
    """How the fact is shown on the risk panel and in summaries."""
    when: str | None = None
    """Makes this a derived fact: true whenever the condition holds (e.g. ``weapon_present or violence_now``)."""
    critical: bool = False
    """Shown in red and listed first on the console when true."""


def _fact_shorthand(value: object) -> object:
    if isinstance(value, dict):
        return {k: {"label": v} if isinstance(v, str) else v for k, v in value.items()}
    return value


class Interrupt(Strict):
    """Critical information recordable at any moment, out of question order ("he has a knife")."""

    id: Id
    key: Annotated[str, Field(min_length=1, max_length=1)]
    """The key that records it (pressed after the console's interrupt key)."""
    fact: str
    """The fact it makes true."""
    label: Localized
    """What the call-taker sees on the interrupt bar."""


class Band(Strict):
    """A risk band. Bands are listed lowest first."""

    id: Id
    label: Localized
    min_score: int = Field(ge=0)
    """The band applies from this score up (the first band starts at 0)."""
    colour: str = "white"
    """The colour of the meter on the console (a colour name: green, yellow, orange, red, magenta)."""


class Override(Strict):
    """A rule that lifts the band regardless of points (any weapon means at least high)."""

    when: str
    at_least: str
    """The band the call is lifted to, at least."""
    reason: Localized
    """Why: shown on the risk panel beside the band."""


class Risk(Strict):
    """How answer points and facts become a risk band."""

    bands: list[Band]
    overrides: list[Override] = []


class ScreenLevel(Strict):
    """One level of the suicide-risk screen; the highest level whose condition holds decides."""

    id: Id
    label: Localized
    when: str
    at_least: str | None = None
    """The band this level lifts the call to, at least."""
    reason: Localized | None = None


class SuicideScreen(Strict):
    """Suicide risk modelled on published screener logic (ideation, method, intent, plan and
    intent, recent behaviour): levels are listed lowest first and the highest that holds decides."""

    levels: list[ScreenLevel]


class Availability(Strict):
    """When and where a response model can be sent."""

    enabled: bool = True
    """The on/off switch (a pilot that is paused)."""
    districts: list[str] | None = None
    """Only these districts; left out means citywide."""
    hours: str | None = None
    """Local hours of service as ``HH:MM-HH:MM`` (may run past midnight, e.g. 20:00-04:00)."""
    note: str = ""
    """Why availability is limited, shown when the model is passed over."""

    @field_validator("hours")
    @classmethod
    def _hours_format(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = re.match(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$", value)
        if not match:
            raise ValueError('hours must read like "10:00-22:00" (24-hour clock)')
        return value


class Dedicated(Strict):
    """Districts with dedicated units (Boston: co-response cars in A1 and B2)."""

    districts: list[str]
    note: Localized
    """Shown on the recommendation in those districts."""
    elsewhere: Localized | None = None
    """Shown in every other district (e.g. "co-response as available")."""


class ResponseModel(Strict):
    """A kind of response the assistant can recommend."""

    id: Id
    name: Localized
    team: list[str]
    """Roles sent on scene (role ids); empty for phone-only support."""
    notify: list[str] = []
    """Roles told about the call but not sent (a clinician notified)."""
    description: str = ""
    available: Availability = Availability()
    dedicated: Dedicated | None = None
    fallback: list[str] = []
    """Models to use, in order, when this one is unavailable."""
    handoff: bool = False
    """True for the call line: accepting it opens the warm handoff script."""


class Addition(Strict):
    """A resource or a note added to the recommendation when its condition holds."""

    add: str | None = None
    """A role to add to the team (e.g. ems) or a model whose team is added."""
    note: Localized | None = None
    """A note for the responders or the call-taker."""
    when: str | None = None
    because: Localized | None = None


class Rule(Strict):
    """A decision rule: the first rule whose condition holds chooses the model."""

    id: Id
    when: str | None = None
    """Leave out on the last rule: it catches every call the rules above did not."""
    recommend: str
    """The model id to recommend."""
    because: Localized
    """The reason shown to the call-taker."""
    also: list[Addition] = []


class Guarantee(Strict):
    """A safety line the engine enforces whatever the rules chose, and says so on screen."""

    id: Id
    when: str
    require: str
    """The role that must be in the team (police, ems ...)."""
    switch_to: str | None = None
    """Switch to this model instead of adding the role to the chosen team."""
    because: Localized


class Responses(Strict):
    roles: dict[str, Localized]
    """Every role a team can hold (police, clinician, emt, ems, peer, call_line ...) and its label."""
    models: list[ResponseModel]
    rules: list[Rule]
    guarantees: list[Guarantee] = []


class HandoffStep(Strict):
    """One step of the warm handoff: something to say, something to do, or both."""

    id: Id
    title: Localized
    say: Localized | None = None
    """Words to read to the caller (template: {{ caller_name }}, {{ band }} ...)."""
    do: Localized | None = None
    """An action for the call-taker."""


class Handoff(Strict):
    """The scripted warm transfer to the mental-health call line."""

    model: str
    """The response model this handoff belongs to (the call line)."""
    service: str
    """The service's name as said to the caller."""
    steps: list[HandoffStep]
    summary: str
    """Template of the summary given to the receiving counsellor."""
    outcomes: list[Id] = ["accepted", "refused", "disconnected"]


class ProtocolDocument(Strict):
    """A crisis triage protocol: questions, risk scoring, response models and scripts."""

    protocol: Meta
    districts: list[District]
    doors: list[Door]
    lines: list[Line]
    facts: Annotated[dict[str, Fact], BeforeValidator(_fact_shorthand)]
    sections: list[Section]
    interrupts: list[Interrupt] = []
    risk: Risk
    suicide_screen: SuicideScreen | None = None
    responses: Responses
    handoff: Handoff | None = None
    eido: EidoSection | None = None
    """How calls read as NENA EIDO incidents (incident-type table, agency, resource types)."""
    referrals: Referrals | None = None
    """Which kinds of service (from a referral directory) fit which calls; optional."""
    contact_confirmation: list[ContactRule] = []
    """Responses whose contact with the person must be confirmed, and within how many minutes."""
    dispositions: list[Disposition] = []
    """How responses end: codes, the details each needs, who may record it."""
    follow_up: FollowUp | None = None
    """Follow-up after the call: landed handoff outcomes and follow-up rules."""
    evaluation: Evaluation | None = None
    """Which roles and facts the evaluator's figures count (police, clinicians, no-police requests)."""


# Sections defined in modules of their own (they import the format's base types from model_base).
from .aftercare_models import ContactRule, Disposition, Evaluation, FollowUp  # noqa: E402
from .eido_models import EidoSection  # noqa: E402
from .referral_models import Referrals  # noqa: E402

# No ProtocolDocument.model_rebuild() here: the format's models build on their first validation
# (defer_build in model_base.Strict), when every section above is defined. A console start that reads
# a compiled protocol from the cache (store/protocol_cache.py) validates nothing, so it never pays
# for building them (~45 ms of every start).
