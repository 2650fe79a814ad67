"""Load-time checks of the after-dispatch sections: every id they name exists, ids and keys are unique.

Problems are reported through the compiler, located at ``file:line:column`` like every other one.
"""

from __future__ import annotations

from .section_compiler import SectionCompiler


def check_aftercare(compiler: SectionCompiler, bands: tuple[str, ...]) -> None:
    """Report unknown models, bands, disposition codes and landed outcomes, and duplicate ids or keys."""
    doc = compiler.doc
    models = {m.id for m in doc.responses.models}
    for i, rule in enumerate(doc.contact_confirmation):
        for j, model in enumerate(rule.models):
            compiler.reference(model, models, "response model", ("contact_confirmation", i, "models", j))
    codes = [d.id for d in doc.dispositions]
    compiler.unique(((d.id, ("dispositions", i, "id")) for i, d in enumerate(doc.dispositions)), "disposition")
    compiler.unique(
        ((d.key.lower(), ("dispositions", i, "key")) for i, d in enumerate(doc.dispositions) if d.key),
        "disposition key",
    )
    for i, disposition in enumerate(doc.dispositions):
        compiler.unique(
            ((x.id, ("dispositions", i, "details", j, "id")) for j, x in enumerate(disposition.details)), "detail"
        )
    if doc.evaluation is not None:
        roles = doc.responses.roles
        for name in ("police_roles", "clinician_roles", "mental_health_roles"):
            for j, role in enumerate(getattr(doc.evaluation, name)):
                compiler.reference(role, roles, "role", ("evaluation", name, j))
        for j, fact in enumerate(doc.evaluation.no_police_facts):
            compiler.reference(fact, doc.facts, "fact", ("evaluation", "no_police_facts", j))
    follow_up = doc.follow_up
    if follow_up is None:
        return
    landings = [x.id for x in follow_up.handoff_outcomes]
    compiler.unique(
        ((x.id, ("follow_up", "handoff_outcomes", i, "id")) for i, x in enumerate(follow_up.handoff_outcomes)),
        "handoff outcome",
    )
    compiler.unique(((r.id, ("follow_up", "rules", i, "id")) for i, r in enumerate(follow_up.rules)), "follow-up rule")
    for i, follow_rule in enumerate(follow_up.rules):
        path = ("follow_up", "rules", i, "after")
        trigger = follow_rule.after
        for j, model in enumerate(trigger.models):
            compiler.reference(model, models, "response model", (*path, "models", j))
        for j, code in enumerate(trigger.dispositions):
            compiler.reference(code, codes, "disposition", (*path, "dispositions", j))
        for j, outcome in enumerate(trigger.handoff_outcomes):
            compiler.reference(outcome, landings, "handoff outcome", (*path, "handoff_outcomes", j))
        if trigger.suicide_screen_at_least is not None:
            compiler.reference(trigger.suicide_screen_at_least, bands, "risk band", (*path, "suicide_screen_at_least"))
        if not (
            trigger.handoff
            or trigger.models
            or trigger.dispositions
            or trigger.handoff_outcomes
            or trigger.suicide_screen_at_least
        ):
            compiler.error(
                "missing", f'follow-up rule "{follow_rule.id}" says nothing under after:, so it never applies', path
            )
