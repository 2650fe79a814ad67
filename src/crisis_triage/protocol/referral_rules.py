"""Compile the protocol's referral rules: conditions checked and compiled like response rules."""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import Condition, NameType
from .referral_models import ReferralRule
from .section_compiler import SectionCompiler


@dataclass(frozen=True)
class CompiledReferralRule:
    spec: ReferralRule
    when: Condition | None
    """None: the rule applies to every call."""


def compile_referral_rules(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[CompiledReferralRule, ...]:
    """The referral rules with their conditions compiled; problems go to ``compiler``."""
    block = compiler.doc.referrals
    if block is None:
        return ()
    compiler.unique(((r.id, ("referrals", "rules", i, "id")) for i, r in enumerate(block.rules)), "referral rule")
    if block.age_question is not None:
        path = ("referrals", "age_question")
        if compiler.reference(block.age_question, names, "question", path) and names[block.age_question].kind != (
            "number"
        ):
            compiler.error("bad-reference", f'"{block.age_question}" must be a number question (the age)', path)
    compiled = []
    for i, rule in enumerate(block.rules):
        when = compiler.condition(rule.when, names, bands, ("referrals", "rules", i, "when"))
        if rule.when is None or when is not None:
            compiled.append(CompiledReferralRule(rule, when))
    return tuple(compiled)
