"""Fill in the warm handoff script and the counsellor summary from a call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol
from ..protocol.model_base import localized
from ..protocol.templates import render
from .assessment import Assessment
from .referral_views import given_line
from .state import CallState


@dataclass(frozen=True)
class HandoffStepView:
    id: str
    title: str
    say: str
    do: str
    done_at: datetime | None


@dataclass(frozen=True)
class RenderedHandoff:
    service: str
    steps: tuple[HandoffStepView, ...]
    summary: str
    outcomes: tuple[str, ...]
    outcome: str | None

    @property
    def next_step(self) -> HandoffStepView | None:
        return next((s for s in self.steps if s.done_at is None), None)


def template_values(
    protocol: Protocol, state: CallState, assessment: Assessment, language: str = "en"
) -> dict[str, Any]:
    """Plain values only (str, int, list, dict): nothing a template could reach through."""
    doc = protocol.document
    answers = {}
    for asked in assessment.asked:
        if asked.status == "answered":
            answers[asked.question.id] = asked.label
    for question in protocol.questions:
        answers.setdefault(question.id, "")
    door = protocol.doors.get(state.door) if state.door else None
    line = next((x for x in doc.lines if x.id == state.line), None)
    band = protocol.band(assessment.risk.band)
    level = next(
        (
            lv
            for lv in (doc.suicide_screen.levels if doc.suicide_screen else [])
            if lv.id == assessment.risk.suicide_level
        ),
        None,
    )
    from .safety import NOT_ASSESSED, not_assessed, open_safety_questions

    unasked = [
        localized(q.spec.label, language) if q.spec.label else q.id.replace("_", " ")
        for q in open_safety_questions(assessment)
    ]
    critical = [f for f in assessment.facts if protocol.facts[f].critical]
    other = [f for f in assessment.facts if not protocol.facts[f].critical]
    roles = doc.responses.roles
    recommendation = assessment.recommendation
    return {
        "service": doc.handoff.service if doc.handoff else "",
        "caller_name": answers.get("caller_name", ""),
        "location": answers.get("location", ""),
        "door": localized(door.label, language) if door else "door not chosen",
        "line": localized(line.label, language) if line else "",
        "district": state.district or "unknown",
        "district_name": protocol.districts.get(state.district or "", "district not given"),
        "language": state.language,
        "band": localized(NOT_ASSESSED, language)
        if not_assessed(protocol, assessment)
        else localized(band.label, language),
        # Safety questions still open: a summary says "not asked", never "no risk found".
        "unasked_safety": unasked,
        "score": assessment.risk.score,
        "suicide_level": localized(level.label, language) if level else "",
        "facts": [localized(protocol.facts[f].label, language) for f in critical + other],
        "recommendation": localized(protocol.models[recommendation.model].name, language),
        "team": ", ".join(localized(roles[r], language) for r in recommendation.team),
        "answers": answers,
        "notes": [text for _, text in state.notes],
        "interpreter": interpreter_text(state),
        "supervisor": supervisor_text(state),
        "without_consent": without_consent_text(state),
        "referrals": [given_line(r) for r in state.referrals],
    }


def interpreter_text(state: CallState) -> str:
    """The interpreter step in words, for the summaries: empty when none was asked for."""
    if state.interpreter_connected is not None:
        language = (
            state.interpreter_requested[1] if state.interpreter_requested is not None else "language not recorded"
        )
        return f"interpreter {state.interpreter_connected[1]} on the line ({language})"
    if state.interpreter_requested is not None:
        return f"interpreter requested ({state.interpreter_requested[1]}), not yet connected"
    return ""


def supervisor_text(state: CallState) -> str:
    """Supervisor consultations in words, for the summaries (empty when none)."""
    return "; ".join(
        f"supervisor {who} consulted" + (f" ({note})" if note else "") for _, who, note in state.supervisor_consulted
    )


def without_consent_text(state: CallState) -> str:
    """Help sent without the person's consent, with 988's ground (empty when none)."""
    if state.rescue_without_consent is None:
        return ""
    _, reason, note = state.rescue_without_consent
    return reason.replace("_", " ") + (f" ({note})" if note else "")


def render_handoff(protocol: Protocol, state: CallState, assessment: Assessment) -> RenderedHandoff | None:
    handoff = protocol.document.handoff
    if handoff is None:
        return None
    language = state.language if state.language in protocol.languages else "en"
    values = template_values(protocol, state, assessment, language)
    templates = protocol.templates
    steps = []
    for step in handoff.steps:
        texts = {}
        for part in ("say", "do"):
            key = f"{step.id}.{part}.{language}"
            if key not in templates:
                key = f"{step.id}.{part}.en"
            texts[part] = render(templates[key], values) if key in templates else ""
        steps.append(
            HandoffStepView(
                step.id, localized(step.title, language), texts["say"], texts["do"], state.handoff_steps.get(step.id)
            )
        )
    # The counsellor is briefed in English: the summary is for the receiving service, not the caller.
    values = template_values(protocol, state, assessment, "en")
    summary = render(templates["summary"], values)
    if values["unasked_safety"] and "not asked" not in summary.lower():
        # A protocol whose template predates "unasked_safety" still says so (a counsellor must not
        # read "no risk found" on a call where nobody asked).
        summary = summary.rstrip() + f"\nNOT ASKED (no risk ruled out): {'; '.join(values['unasked_safety'])}.\n"
    return RenderedHandoff(handoff.service, tuple(steps), summary, tuple(handoff.outcomes), state.handoff_outcome)


__all__ = ["HandoffStepView", "RenderedHandoff", "render_handoff", "template_values"]
