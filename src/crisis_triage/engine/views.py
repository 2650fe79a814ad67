"""Plain, display-ready views of what the engine says, for screens that must hold no triage logic.

The console needs the wording of the next question for this caller (``ask`` or ``ask_other`` by the
door, in the caller's language beside English), the band's label and colour, the names of models and
roles, and the dispatch summary. Working those out is protocol knowledge, so it lives here, pure and
textual-free, and every screen (live console, practice, preview) shows the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.model_base import localized
from .aftercare import response_resolved
from .assessment import Assessment, Recommendation
from .handoff import template_values
from .referral_views import given_line
from .state import CallState


def centre_time(protocol: Protocol, moment: datetime) -> datetime:
    """``moment`` in the protocol's timezone (the call centre's clock), whatever zone it was stored in."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(protocol.document.protocol.timezone)) if moment.tzinfo else moment


@dataclass(frozen=True)
class OptionView:
    id: str
    key: str
    """The single key that picks this option (from the protocol)."""
    label: str
    """In the caller's language."""
    label_en: str


@dataclass(frozen=True)
class QuestionView:
    """A question as the call-taker reads it to this caller."""

    id: str
    type: str
    section: str
    text: str
    """What to read aloud, in the caller's language, worded for who is calling (``ask_other`` for a third party)."""
    text_en: str
    """The same in English (equal to ``text`` when the call is in English)."""
    hint: str
    options: tuple[OptionView, ...]
    required: bool
    safety: bool
    position: int
    """1-based position in the protocol's asking order."""
    minimum: float | None = None
    maximum: float | None = None

    @property
    def translated(self) -> bool:
        return self.text != self.text_en

    def option_for_key(self, key: str) -> OptionView | None:
        for option in self.options:
            if option.key == key:
                return option
        return None


def question_label(question: CompiledQuestion, language: str = "en") -> str:
    """The question's short name for lists and summaries: its label, else its id in words."""
    if question.spec.label:
        return localized(question.spec.label, language)
    return question.id.replace("_", " ")


def question_view(protocol: Protocol, question: CompiledQuestion, door: str | None, language: str) -> QuestionView:
    """The wording of ``question`` for a caller at ``door`` speaking ``language``."""
    spec = question.spec
    third_party = False
    if door is not None and door in protocol.doors:
        third_party = protocol.doors[door].caller != "self"
    texts = spec.ask_other if (third_party and spec.ask_other) else spec.ask
    options = tuple(
        OptionView(o.id, o.key or "", localized(o.label, language), localized(o.label, "en")) for o in question.options
    )
    return QuestionView(
        id=question.id,
        type=question.type,
        section=localized(question.section.title, language),
        text=localized(texts, language),
        text_en=localized(texts, "en"),
        hint=localized(spec.hint, language),
        options=options,
        required=spec.required,
        safety=question.safety,
        position=question.index + 1,
        minimum=spec.min,
        maximum=spec.max,
    )


def next_question_view(protocol: Protocol, state: CallState, assessment: Assessment) -> QuestionView | None:
    """The next question of the call, worded for its caller, or None when nothing is left to ask."""
    if assessment.next_question is None:
        return None
    return question_view(protocol, assessment.next_question, state.door, state.language)


@dataclass(frozen=True)
class BandView:
    id: str
    label: str
    colour: str
    rank: int
    """0 for the lowest band."""
    of: int
    """How many bands the protocol has."""


def band_view(protocol: Protocol, band_id: str, language: str = "en") -> BandView:
    band = protocol.band(band_id)
    return BandView(
        band.id, localized(band.label, language), band.colour, protocol.band_ids.index(band_id), len(protocol.bands)
    )


def model_name(protocol: Protocol, model_id: str, language: str = "en") -> str:
    model = protocol.models.get(model_id)
    return localized(model.name, language) if model else model_id


def role_names(protocol: Protocol, roles: tuple[str, ...] | list[str], language: str = "en") -> list[str]:
    known = protocol.document.responses.roles
    return [localized(known[r], language) if r in known else r for r in roles]


def fact_label(protocol: Protocol, fact: str, language: str = "en") -> str:
    spec = protocol.facts.get(fact)
    return localized(spec.label, language) if spec else fact


@dataclass(frozen=True)
class InterruptView:
    id: str
    key: str
    label: str
    fact: str
    active: bool


def interrupt_views(
    protocol: Protocol, active: tuple[str, ...] | list[str], language: str = "en"
) -> tuple[InterruptView, ...]:
    """Every interrupt of the protocol with its key, marked active when recorded on this call."""
    return tuple(
        InterruptView(i.id, i.key, localized(i.label, language), i.fact, i.id in active)
        for i in protocol.document.interrupts
    )


def call_band_view(protocol: Protocol, assessment: Assessment, language: str = "en") -> BandView:
    """The call's band as shown: "not known yet" while it is the lowest only because the safety
    questions are open (never "no risk found" before anyone asked)."""
    from .safety import NOT_ASSESSED, not_assessed

    band = band_view(protocol, assessment.risk.band, language)
    if not_assessed(protocol, assessment):
        return BandView(band.id, localized(NOT_ASSESSED, language), band.colour, band.rank, band.of)
    return band


def open_safety_labels(assessment: Assessment, language: str = "en") -> tuple[str, ...]:
    """The safety questions of this call not answered yet, by their short names, in asking order."""
    from .safety import open_safety_questions

    return tuple(question_label(q, language) for q in open_safety_questions(assessment))


@dataclass(frozen=True)
class FromInterrupt:
    """The answer an interrupt already gives to the question in hand, for the call-taker to confirm."""

    option: str
    option_label: str
    interrupt_label: str


def from_interrupt(protocol: Protocol, state: CallState, assessment: Assessment) -> FromInterrupt | None:
    """What a recorded interrupt already answers to the next question (weapon seen -> Weapon: Yes)."""
    from .safety import interrupt_answer

    question = assessment.next_question
    if question is None:
        return None
    found = interrupt_answer(protocol, question, assessment.active_interrupts)
    if found is None:
        return None
    option = question.option(found.option)
    interrupt = protocol.interrupts[found.interrupt]
    return FromInterrupt(
        found.option,
        localized(option.label, "en") if option is not None else found.option,
        localized(interrupt.label, "en"),
    )


def answered_from_interrupt(protocol: Protocol, assessment: Assessment) -> frozenset[str]:
    """Questions whose recorded answer is the one an active interrupt gives (shown "from interrupt")."""
    from .safety import interrupt_answer

    return frozenset(
        asked.question.id
        for asked in assessment.asked
        if asked.status == "answered"
        and (found := interrupt_answer(protocol, asked.question, assessment.active_interrupts)) is not None
        and found.option == asked.value
    )


def answer_changes(before: Assessment, after: Assessment) -> list[str]:
    """What a revision changed, in words: questions that now apply or stopped applying."""
    was = {a.question.id: a.question for a in before.asked}
    now = {a.question.id: a.question for a in after.asked}
    changes = [f'now asks "{question_label(now[q])}"' for q in sorted(now.keys() - was.keys())]
    changes += [f'no longer asks "{question_label(was[q])}"' for q in sorted(was.keys() - now.keys())]
    return changes


def departure_warnings(protocol: Protocol, state: CallState, assessment: Assessment, model_id: str) -> list[str]:
    """What is wrong with sending ``model_id`` instead of the recommendation: a role the safety
    guarantees require on this call that its team lacks, or the team being unavailable now."""
    from .evaluate import local_hour
    from .recommend import unavailable_reason

    model = protocol.models[model_id]
    name = model_name(protocol, model_id)
    warnings = [
        f"{name} sends no {role_names(protocol, [needed.role])[0]}: {localized(needed.because, 'en')}"
        for needed in assessment.recommendation.required
        if needed.role not in model.team
    ]
    why_not = unavailable_reason(protocol, model, state, local_hour(protocol, state.now))
    if why_not:
        warnings.append(f"{name} is unavailable: {why_not}")
    return warnings


def dispatch_summary(
    protocol: Protocol, state: CallState, assessment: Assessment, dispatched: str | None = None
) -> str:
    """The text a call-taker pastes into the dispatch system when they accept a recommendation.

    Plain ASCII-friendly lines, English (dispatch systems and responders work in English), naming the
    team, where, the risk and why, the critical facts, what the caller asked for and the notes.
    """
    values: dict[str, Any] = template_values(protocol, state, assessment, "en")
    rec: Recommendation = assessment.recommendation
    model_id = dispatched or rec.model
    lines = [f"MENTAL-HEALTH CALL - {model_name(protocol, model_id).upper()}"]
    if model_id == rec.model:
        team = role_names(protocol, rec.team)
        notify = role_names(protocol, rec.notify)
    else:
        team = role_names(protocol, protocol.models[model_id].team)
        notify = role_names(protocol, protocol.models[model_id].notify)
        lines.append(f"Departure: recommended {model_name(protocol, rec.model)}")
    lines.append(f"Send: {', '.join(team)}" + (f"; notify: {', '.join(notify)}" if notify else ""))
    lines.append(
        f"Location: {values['location'] or 'not given'}; district {values['district']} ({values['district_name']})"
    )
    lines.append(
        f"Risk: {values['band']} (score {values['score']})"
        + (f"; suicide screen: {values['suicide_level']}" if values["suicide_level"] else "")
    )
    if values["unasked_safety"]:
        lines.append(f"NOT ASKED (no risk ruled out): {'; '.join(values['unasked_safety'])}")
    critical = [fact_label(protocol, f) for f in assessment.facts if protocol.facts[f].critical]
    if critical:
        lines.append(f"SAFETY/MEDICAL: {'; '.join(critical)}")
    other = [fact_label(protocol, f) for f in assessment.facts if not protocol.facts[f].critical]
    if other:
        lines.append(f"Also: {'; '.join(other)}")
    if values["unasked_safety"] and not assessment.facts:
        lines.append("Why: nothing found so far, and the safety questions were not asked")
    else:
        lines.append(f"Why: {localized(rec.because, 'en')}")
    for addition in rec.additions:
        lines.append(f"Added {role_names(protocol, [addition.role])[0]}: {localized(addition.because, 'en')}")
    for note in rec.notes:
        lines.append(f"Note: {localized(note, 'en')}")
    if rec.dedicated:
        lines.append(localized(rec.dedicated, "en"))
    for step in rec.fallbacks:
        if step.from_model != step.to_model:
            lines.append(f"Fallback: {model_name(protocol, step.from_model)} unavailable ({step.reason})")
        else:  # the end of the chain was unavailable too: it is still sent, and dispatch must know
            lines.append(f"ALSO UNAVAILABLE: {model_name(protocol, step.from_model)} ({step.reason})")
    lines.append(
        f"Caller: {values['caller_name'] or 'name not given'} ({values['door']}); language {values['language']}"
        + (f"; {values['interpreter']}" if values["interpreter"] else "")
    )
    # 988: who was consulted and when, and any help sent without consent with its ground (issue 11).
    for at, who, decided in state.supervisor_consulted:
        lines.append(
            f"Supervisor {who or '(not named)'} consulted {centre_time(protocol, at):%H:%M}"
            + (f": {decided}" if decided else "")
        )
    if state.rescue_without_consent is not None:
        at, reason, heard = state.rescue_without_consent
        lines.append(
            f"HELP SENT WITHOUT CONSENT {centre_time(protocol, at):%H:%M}: {reason.replace('_', ' ')}"
            + (f" ({heard})" if heard else "")
        )
    for at, text in state.notes:
        lines.append(f"Note {centre_time(protocol, at):%H:%M}: {text}")
    for referral in state.referrals:
        lines.append(f"Referral: {given_line(referral)}")
    lines.append(f"Protocol: {protocol.id} {protocol.version}")
    return "\n".join(lines)


@dataclass(frozen=True)
class DispatchedView:
    """What a dispatched call has sent, in words: the question panel and the recommendation card show
    it in place of "accept" once the call is dispatched (and after a resume, as it was)."""

    model: str
    """The dispatched model's name."""
    at: str | None
    """When, centre time ``HH:MM`` (None for a record that holds no dispatch time)."""
    recommended: str | None
    """The recommended model's name when the call-taker sent another team (a recorded departure)."""
    handoff: str | None
    """The warm handoff's outcome and landing, in words, when there was one."""
    status: str
    """The response's latest status and its time, or that none has been reported yet."""
    disposition: str | None
    still_open: bool = False
    """The response is not resolved yet (no disposition for a team, the handoff not ended): it stays
    on the console's active calls after the call ends."""

    @property
    def headline(self) -> str:
        return f"Dispatched {self.model}" + (f" at {self.at}" if self.at else "")

    def lines(self) -> tuple[str, ...]:
        """The details under the headline, one a line."""
        lines = []
        if self.recommended:
            lines.append(f"Recommended: {self.recommended} (team changed)")
        if self.handoff:
            lines.append(f"Handoff: {self.handoff}")
        lines.append(f"Response: {self.status}")
        if self.disposition:
            lines.append(f"Disposition: {self.disposition}")
        return tuple(lines)


def _words(code: str) -> str:
    return code.replace("_", " ")


def dispatched_view(protocol: Protocol, state: CallState) -> DispatchedView | None:
    """The dispatch as made (None before the call-taker accepts); read from the state the events
    built, so a resumed call says what it said before the kill."""
    if state.accepted is None:
        return None
    model, recommended, _reason = state.accepted
    after = state.after

    def hhmm(moment: datetime) -> str:
        return f"{centre_time(protocol, moment):%H:%M}"

    handoff = None
    if state.handoff_outcome or after.landed is not None:
        parts = [_words(state.handoff_outcome)] if state.handoff_outcome else []
        if after.landed is not None:
            parts.append(f"landed: {_words(after.landed.outcome)}")
        handoff = ", ".join(parts)
    latest = after.status
    if latest is None:
        status = "no status reported yet"
    else:
        since = after.status_at(latest)
        source = next((src for at, s, src in reversed(after.statuses) if s == latest), "console")
        status = _words(latest) + (f" {hhmm(since)}" if since is not None else "")
        if source != "console":
            status += f" (from {source})"
    return DispatchedView(
        model=model_name(protocol, model),
        at=hhmm(after.dispatched_at) if after.dispatched_at is not None else None,
        recommended=model_name(protocol, recommended) if recommended and recommended != model else None,
        handoff=handoff,
        status=status,
        disposition=_words(after.disposition.code) if after.disposition is not None else None,
        still_open=not response_resolved(protocol, state),
    )


__all__ = [
    "BandView",
    "DispatchedView",
    "FromInterrupt",
    "InterruptView",
    "OptionView",
    "QuestionView",
    "answer_changes",
    "answered_from_interrupt",
    "band_view",
    "call_band_view",
    "centre_time",
    "dispatch_summary",
    "dispatched_view",
    "fact_label",
    "from_interrupt",
    "interrupt_views",
    "localized",
    "model_name",
    "next_question_view",
    "open_safety_labels",
    "question_view",
    "role_names",
]
