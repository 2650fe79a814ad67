"""A loaded protocol: the validated document plus everything the engine needs precomputed.

Built once by :func:`crisis_triage.protocol.loader.load_protocol`; immutable afterwards. Conditions
are compiled, ids are indexed, derived facts are in dependency order, templates are parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .conditions import Condition, NameType
from .models import (
    Addition,
    Band,
    Door,
    Fact,
    Guarantee,
    Interrupt,
    Option,
    Override,
    ProtocolDocument,
    Question,
    ResponseModel,
    Rule,
    ScreenLevel,
    Section,
)

YES_NO_OPTIONS = (
    Option(id="yes", label={"en": "Yes", "es": "Sí"}, key="y"),
    Option(id="no", label={"en": "No", "es": "No"}, key="n"),
    Option(id="unknown", label={"en": "Unknown / can't say", "es": "No sabe / no puede decir"}, key="u"),
)

#: Names every condition may use besides question ids and facts, and what they hold.
CONTEXT_NAMES = ("band", "score", "door", "caller", "line", "district", "language", "hour", "suicide_level")


@dataclass(frozen=True)
class CompiledQuestion:
    id: str
    """The question id (copied from the spec: read on every evaluation)."""
    spec: Question
    index: int
    """Position in the asking order (0-based, across sections)."""
    section: Section
    safety: bool
    options: tuple[Option, ...]
    """The answer options, with keys filled in (yes/no/unknown for yes_no questions)."""
    when: Condition | None
    doors: frozenset[str] | None
    sets: tuple[tuple[str, Condition], ...]
    risk: Mapping[str, int]

    @cached_property
    def type(self) -> str:
        return self.spec.type

    def option(self, option_id: str) -> Option | None:
        for option in self.options:
            if option.id == option_id:
                return option
        return None

    @cached_property
    def option_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options)

    @cached_property
    def facts_by_answer(self) -> Mapping[str, tuple[str, ...]] | None:
        """For a one-answer question whose ``sets`` read only ``answer``: the facts each answer sets.

        Worked out once by evaluating each condition on each option, so the engine looks the facts up
        instead of evaluating conditions on every call. None when a condition reads anything else.
        """
        if self.type not in ("yes_no", "choice") or any(c.names - {"answer"} for _, c in self.sets):
            return None
        return {o.id: tuple(f for f, c in self.sets if c.evaluate({"answer": o.id})) for o in self.options}


@dataclass(frozen=True)
class CompiledRule:
    spec: Rule
    when: Condition | None
    also: tuple[tuple[Addition, Condition | None], ...]


@dataclass(frozen=True)
class Protocol:
    """A checked, compiled protocol, ready for :class:`crisis_triage.engine.CallSession`."""

    document: ProtocolDocument
    file: str
    sha256: str
    """Digest of the file's bytes: records name exactly the text a call was triaged with."""
    questions: tuple[CompiledQuestion, ...]
    question_by_id: Mapping[str, CompiledQuestion]
    derived_facts: tuple[tuple[str, Condition], ...]
    """Derived facts in dependency order (a fact after the facts it reads)."""
    bands: tuple[Band, ...]
    overrides: tuple[tuple[Override, Condition], ...]
    screen_levels: tuple[tuple[ScreenLevel, Condition], ...]
    rules: tuple[CompiledRule, ...]
    guarantees: tuple[tuple[Guarantee, Condition], ...]
    name_types: Mapping[str, NameType]
    templates: Mapping[str, Any] = field(repr=False)
    """Parsed handoff templates keyed by ``step_id.say``, ``step_id.do`` and ``summary``, per language."""
    referral_rules: tuple[Any, ...] = ()
    """The ``referrals:`` block's rules, compiled (:class:`.referral_rules.CompiledReferralRule`)."""

    # -- convenient views (computed once: the engine reads them on every call) -------------------
    @property
    def id(self) -> str:
        return self.document.protocol.id

    @property
    def version(self) -> str:
        return self.document.protocol.version

    @property
    def title(self) -> str:
        return self.document.protocol.title

    @property
    def languages(self) -> list[str]:
        return self.document.protocol.languages

    @property
    def facts(self) -> Mapping[str, Fact]:
        return self.document.facts

    @cached_property
    def band_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.bands)

    @cached_property
    def models(self) -> Mapping[str, ResponseModel]:
        return {m.id: m for m in self.document.responses.models}

    @cached_property
    def doors(self) -> Mapping[str, Door]:
        return {d.id: d for d in self.document.doors}

    @cached_property
    def interrupts(self) -> Mapping[str, Interrupt]:
        return {i.id: i for i in self.document.interrupts}

    @cached_property
    def districts(self) -> Mapping[str, str]:
        return {d.id: d.name for d in self.document.districts}

    @cached_property
    def line_ids(self) -> frozenset[str]:
        return frozenset(x.id for x in self.document.lines)

    def derived(self, key: str, build: Callable[["Protocol"], Any]) -> Any:
        """A value another package works out once from this protocol (the engine's compiled walk).

        Kept with the protocol, so it is freed with it: a module-level cache keyed by protocol would
        keep every protocol ever evaluated alive.
        """
        store = self.__dict__.get("_derived")
        if store is None:
            store = self.__dict__["_derived"] = {}
        value = store.get(key)
        if value is None:
            value = store[key] = build(self)
        return value

    def band(self, band_id: str) -> Band:
        return self.bands[self.band_ids.index(band_id)]
