"""Compile the protocol's referral rules: conditions checked and compiled like response rules."""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import Condition, NameType
from .errors import did_you_mean
from .referral_models import ReferralRule
from .section_compiler import SectionCompiler


@dataclass(frozen=True)
class CompiledReferralRule:
    spec: ReferralRule
    when: Condition | None
    """None: the rule applies to every call."""


def _check_age(compiler: SectionCompiler, names: dict[str, NameType]) -> None:
    """The age question is a number, or a choice whose options the age bands name (each band low to high)."""
    block = compiler.doc.referrals
    if block is None:
        return
    for option, (low, high) in block.age_bands.items():
        if low > high:
            compiler.error(
                "bad-range", f'age band "{option}" runs from {low} down to {high}', ("referrals", "age_bands", option)
            )
    if block.age_question is None:
        if block.age_bands:
            compiler.error(
                "bad-reference", "age_bands needs an age_question (a choice question)", ("referrals", "age_bands")
            )
        return
    path = ("referrals", "age_question")
    if not compiler.reference(block.age_question, names, "question", path):
        return
    kind = names[block.age_question].kind
    if kind == "number":
        if block.age_bands:
            compiler.error(
                "bad-reference",
                f'"{block.age_question}" is a number question: it takes no age_bands',
                ("referrals", "age_bands"),
            )
        return
    options = names[block.age_question].values
    if kind != "choice" or not block.age_bands:
        compiler.error(
            "bad-reference",
            f'"{block.age_question}" must be a number question (the age) or a choice question with age_bands',
            path,
        )
        return
    for option in block.age_bands:
        if option not in options:
            compiler.error(
                "bad-reference",
                f'age band "{option}" is not an option of "{block.age_question}"{did_you_mean(option, options)}',
                ("referrals", "age_bands", option),
            )


def compile_referral_rules(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[CompiledReferralRule, ...]:
    """The referral rules with their conditions compiled; problems go to ``compiler``."""
    block = compiler.doc.referrals
    if block is None:
        return ()
    compiler.unique(((r.id, ("referrals", "rules", i, "id")) for i, r in enumerate(block.rules)), "referral rule")
    _check_age(compiler, names)
    compiled = []
    for i, rule in enumerate(block.rules):
        when = compiler.condition(rule.when, names, bands, ("referrals", "rules", i, "when"))
        if rule.when is None or when is not None:
            compiled.append(CompiledReferralRule(rule, when))
    return tuple(compiled)
