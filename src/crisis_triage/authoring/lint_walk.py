"""Lint findings from the path walk (:mod:`.explore`): questions no call reaches, bands no path ends in,
response models never recommended, interrupts that change nothing."""

from __future__ import annotations

from .explore import Exploration
from .lint_context import Linter


def check_reachability(linter: Linter, exploration: Exploration) -> None:
    protocol = linter.protocol
    if not exploration.exact:
        reason = "; ".join(exploration.notes[:2])
        linter.add(
            "walk-sampled",
            "info",
            f"the protocol has too many distinct paths to walk them all ({reason}); "
            "questions, bands and rules not seen on the sampled paths are not reported",
            (),
        )
        return
    for question in protocol.questions:
        if question.id not in exploration.asked:
            why = f" (its condition: {question.when.source})" if question.when else ""
            linter.add(
                "unreachable",
                "error",
                f'no call ever reaches "{question.id}" on any door{why}',
                linter.paths[question.id] + (("when",) if question.when else ("id",)),
            )
    reached = exploration.bands_reached
    for i, band in enumerate(protocol.bands):
        if band.id not in reached:
            linter.add(
                "band-unreachable",
                "warning",
                f'no path ends in the band "{band.id}" (from {band.min_score} points): check the points and overrides',
                ("risk", "bands", i),
            )


def check_models(linter: Linter, exploration: Exploration) -> None:
    responses = linter.doc.responses
    models = {m.id: m for m in responses.models}
    if exploration.exact:
        preferred = {e.outcome.preferred_model for e in exploration.ends} | {e.outcome.model for e in exploration.ends}
    else:
        preferred = {r.recommend for r in responses.rules}
    reachable: set[str] = set()
    stack = list(preferred)
    stack += [g.switch_to for g in responses.guarantees if g.switch_to]
    stack += [a.add for r in responses.rules for a in r.also if a.add in models]
    while stack:
        model_id = stack.pop()
        if model_id in reachable or model_id not in models:
            continue
        reachable.add(model_id)
        stack.extend(models[model_id].fallback)
    for i, model in enumerate(responses.models):
        if model.id not in reachable:
            named = [r.id for r in responses.rules if r.recommend == model.id]
            why = (
                f" (rule{'s' if len(named) > 1 else ''} {', '.join(named)} never appl{'y' if len(named) > 1 else 'ies'})"
                if named
                else " (no rule recommends it, and it is no fallback, guarantee switch or addition)"
            )
            linter.add(
                "model-unused",
                "warning",
                f'the response model "{model.id}" is never recommended{why}',
                ("responses", "models", i, "id"),
            )


def check_interrupts(linter: Linter, exploration: Exploration) -> None:
    derived = dict(linter.protocol.derived_facts)
    for i, interrupt in enumerate(linter.doc.interrupts):
        fact = interrupt.fact
        if fact not in linter.uses:
            linter.add(
                "interrupt-no-effect",
                "warning",
                f'the interrupt "{interrupt.id}" sets "{fact}", which no condition reads: pressing it changes nothing',
                ("interrupts", i, "fact"),
            )
            continue
        if not exploration.ends or not exploration.exact:
            continue  # on a sampled walk, "never changes anything" cannot be claimed
        if not _interrupt_matters(linter, fact, exploration, derived):
            linter.add(
                "interrupt-no-effect",
                "warning",
                f'the interrupt "{interrupt.id}" never changes the band or the team on any path '
                f'(the answers that set "{fact}" always decide the same)',
                ("interrupts", i, "fact"),
            )


def _interrupt_matters(linter: Linter, fact: str, exploration: Exploration, derived: dict) -> bool:
    """True when recording the interrupt at the start of some example call changes band, rule or team."""
    from ..engine.events import InterruptRecorded
    from .explore import example_moment, example_session

    protocol = linter.protocol
    interrupt = next(i.id for i in linter.doc.interrupts if i.fact == fact)
    moment = example_moment(protocol, exploration.hour)
    for end in exploration.ends:
        session = example_session(protocol, end, moment, skips=False)
        before = session.assessment
        session.apply(InterruptRecorded(at=moment, interrupt=interrupt))
        after = session.assessment
        if (before.risk.band, before.recommendation.team, before.recommendation.rule) != (
            after.risk.band,
            after.recommendation.team,
            after.recommendation.rule,
        ) or [a.question.id for a in before.asked] != [a.question.id for a in after.asked]:
            return True
    return False
