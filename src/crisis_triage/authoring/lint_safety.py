"""Lint findings about safety: a safety question on which "unknown" cannot be recorded, and a response
sent at the imminent suicide level that no contact-confirmation rule covers (988)."""

from __future__ import annotations

from .lint_context import Linter


def check_safety_unknowns(linter: Linter) -> None:
    # The loader already requires an unknown option on single-choice safety questions; these are the
    # other kinds a caller who cannot say would be forced to answer.
    for question, path in linter.question_paths():
        if not linter.protocol.question_by_id[question.id].safety:
            continue
        options = {o.id for o in question.options}
        if question.type in ("number", "text") or (question.type == "multi" and "unknown" not in options):
            linter.add(
                "safety-no-unknown",
                "error",
                f'the safety question "{question.id}" ({question.type}) cannot record "unknown": a caller who '
                "cannot say would have to guess; make it yes_no or a choice with an unknown option",
                path + ("type",) if "type" in question.model_fields_set else path,
            )


def check_imminent_confirmation(linter: Linter) -> None:
    """988 asks the centre to confirm that emergency services reached a person at imminent risk."""
    doc = linter.doc
    top = doc.risk.bands[-1].id
    levels = [lv for lv in (doc.suicide_screen.levels if doc.suicide_screen else []) if lv.at_least == top]
    if not levels:
        return
    covered = {m for rule in getattr(doc, "contact_confirmation", None) or [] for m in rule.models}
    models = {m.id: m for m in doc.responses.models}
    names = {lv.id for lv in levels} | {top}
    for index, rule in enumerate(doc.responses.rules):
        when = linter.protocol.rules[index].when
        reads = when.names if when is not None else set()
        if not reads & {"suicide_level", "band"} or not any(f'"{n}"' in (rule.when or "") for n in names):
            continue
        chain, todo = [], [rule.recommend]
        while todo:
            model = todo.pop(0)
            if model not in chain:
                chain.append(model)
                todo.extend(models[model].fallback)
        missing = [m for m in chain if m not in covered]
        if missing:
            linter.add(
                "imminent-no-confirm",
                "warning",
                f'rule "{rule.id}" sends {", ".join(missing)} at the imminent level, but no contact_confirmation '
                "rule says how soon contact must be confirmed (988 Suicide Safety Policy)",
                ("responses", "rules", index, "recommend"),
            )
