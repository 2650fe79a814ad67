"""Lint findings about answers that do nothing: a question whose answers score nothing, set nothing and
are read nowhere, an option no condition tells apart, a fact set but never read."""

from __future__ import annotations

import re
from typing import Any

from .domains import NameUse
from .lint_context import Linter


def check_effects(linter: Linter) -> None:
    protocol = linter.protocol
    template_reads = _template_answers(linter)
    for question in protocol.questions:
        if question.type in ("number", "text"):
            continue
        use = linter.uses.get(question.id)
        builtin = question.type == "yes_no"  # yes / no / unknown: "no" doing nothing is the point
        path = linter.paths[question.id]
        banded = _age_bands_read(linter, question.id)
        inert = [o.id for o in question.options if o.id not in banded and _inert(linter, question, o.id, use)]
        if question.id in template_reads:
            continue
        if len(inert) == len(question.options):
            linter.add(
                "question-no-effect",
                "warning",
                f'"{question.id}": no answer scores points, sets a fact or is read by a condition; '
                "the answer is only recorded (is a `risk:` or `sets:` missing?)",
                path + ("id",),
            )
            continue
        for option_id in [] if builtin else inert:
            index = next((i for i, o in enumerate(question.spec.options) if o.id == option_id), None)
            where = path + (("options", index) if index is not None else ("type",))
            linter.add(
                "option-no-effect",
                "info",
                f'answering "{option_id}" to "{question.id}" changes nothing: no points, no fact, no condition tells it apart',
                where,
            )
    set_facts = {fact for q in protocol.questions for fact, _ in q.sets} | {i.fact for i in linter.doc.interrupts}
    for fact in sorted(set_facts):
        if fact not in linter.uses:
            linter.add(
                "fact-unused",
                "info",
                f'the fact "{fact}" is set but no condition reads it',
                ("facts", fact),
                key=True,
            )


def _age_bands_read(linter: Linter, question_id: str) -> frozenset[str]:
    """The options of the referral block's age question that name an age band: the referral step
    offers only services whose ages the band overlaps, so each of them changes what is offered."""
    referrals = linter.doc.referrals
    if referrals is None or referrals.age_question != question_id:
        return frozenset()
    return frozenset(referrals.age_bands)


def _inert(linter: Linter, question, option_id: str, use: NameUse | None) -> bool:
    if question.risk.get(option_id, 0):
        return False
    if question.type == "multi":
        value: Any = frozenset({option_id})
    else:
        value = option_id
    for _, condition in question.sets:
        if any(n not in ("answer", question.id) for n in condition.names):
            return False
        if condition.evaluate({"answer": value, question.id: value, "_answered": frozenset({question.id})}):
            return False
    if use is None:
        return True
    return not (use.opaque or use.counted or option_id in use.literals)


def _template_answers(linter: Linter) -> set[str]:
    found: set[str] = set()
    handoff = linter.doc.handoff
    if handoff is None:
        return found
    texts = [handoff.summary] + [
        t for step in handoff.steps for field in (step.say, step.do) if field for t in field.values()
    ]
    for text in texts:
        found |= set(re.findall(r"answers\.([a-z][a-z0-9_]*)", text))
        found |= set(re.findall(r"answers\[['\"]([a-z][a-z0-9_]*)['\"]\]", text))
    return found
