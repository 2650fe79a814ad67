"""What is not yet known about a call's safety, and what an interrupt already says (pure).

Nothing found is not the same as nothing asked: before the safety questions are asked, a call has
"no risk found" only because nobody looked. The console uses these to ask for a deliberate
confirmation before accepting, to list the open safety questions on the recommendation card, and
to write "not asked" in summaries instead of "no risk found".
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.compiled import CompiledQuestion, Protocol
from .assessment import Assessment


def open_safety_questions(assessment: Assessment) -> tuple[CompiledQuestion, ...]:
    """The safety questions of this call not answered yet (still to ask, or skipped), in asking order.

    A safety question an interrupt has already settled (its fact is true) is not open: the caller
    said it, the call-taker recorded it."""
    return tuple(
        asked.question
        for asked in assessment.asked
        if asked.question.safety
        and asked.status != "answered"
        and not _settled_by_facts(asked.question, assessment.facts)
    )


def _settled_by_facts(question: CompiledQuestion, facts: dict[str, tuple[str, ...]]) -> bool:
    by_answer = question.facts_by_answer
    if not by_answer:
        return False
    return any(all(f in facts for f in set_facts) and set_facts for set_facts in by_answer.values())


@dataclass(frozen=True)
class InterruptAnswer:
    """The answer an interrupt already gives to a question (weapon seen -> "Is there a weapon?" yes)."""

    question: str
    option: str
    interrupt: str


def interrupt_answer(protocol: Protocol, question: CompiledQuestion, active: tuple[str, ...]) -> InterruptAnswer | None:
    """The option of ``question`` that an active interrupt already answers, when exactly one option
    sets the interrupt's fact (so the caller's words leave no doubt which answer it is)."""
    by_answer = question.facts_by_answer
    if not by_answer:
        return None
    for interrupt_id in active:
        interrupt = protocol.interrupts.get(interrupt_id)
        if interrupt is None:
            continue
        options = [option for option, facts in by_answer.items() if interrupt.fact in facts]
        if len(options) == 1:
            return InterruptAnswer(question.id, options[0], interrupt_id)
    return None


def not_assessed(protocol: Protocol, assessment: Assessment) -> bool:
    """True while the band is the lowest only because the safety questions are still open."""
    bands = protocol.document.risk.bands
    return bool(open_safety_questions(assessment)) and bool(bands) and assessment.risk.band == bands[0].id


NOT_ASSESSED = {
    "en": "Not known yet: safety questions not asked",
    "es": "Aún no se sabe: preguntas de seguridad sin hacer",
}
"""What the risk is called while :func:`not_assessed` (never "no risk found": nothing was looked for)."""
