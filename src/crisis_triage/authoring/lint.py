"""``crisis-triage lint``: what a valid protocol can still get wrong, each with file:line and a severity.

Validity (schema, references, types, cycles) is the loader's job; lint looks at what the protocol
*does*, using the path walk of :mod:`crisis_triage.authoring.explore` and the value domains of
:mod:`crisis_triage.authoring.domains`:

===================  ========  =================================================================
code                 severity  finding
===================  ========  =================================================================
unreachable          error     a question no path asks, on any door
rule-shadowed        error     a rule that can never apply: whenever its condition holds, earlier rules do
key-clash            error     a protocol key the console already uses on the same screen
rule-never-applies   warning   a rule no path reaches (though no single earlier rule explains it)
band-unreachable     warning   a risk band no path ends in
model-unused         warning   a response model no rule, fallback, guarantee or addition can bring
interrupt-no-effect  warning   an interrupt whose fact changes nothing, or never the band or team
question-no-effect   warning   a question whose answers score nothing, set nothing and are read nowhere
missing-translation  warning   text without one of the protocol's languages
script-too-long      warning   words to read aloud longer than the limit (default 35 words)
option-no-effect     info      an answer option that scores nothing, sets nothing and no condition tells apart
fact-unused          info      a fact set by answers or interrupts but read by no condition
hint-untranslated    info      a hint (guidance for the call-taker) in English only
safety-no-unknown    error     a safety question on which "unknown" cannot be recorded (multiple choice
                               without an unknown option, a number or a text)
language-no-review   warning   a language other than English with no review mark (protocol.language_review)
language-unreviewed  info      a language whose scripts a certified translator has not yet reviewed
imminent-no-confirm  warning   a response sent at the imminent level (a rule reading it, its fallbacks)
                               that no contact_confirmation rule covers (988: confirm contact was made)
directory-problem    error     the referral directory the protocol names does not load
referral-gap         warning   a referral rule's kind with no service open at some hour in some district
directory-stale      info      a directory entry last verified longer ago than the directory allows
===================  ========  =================================================================

Exit codes of the command: 0 when there is no error (and, with ``--strict``, no warning either),
1 when there are errors (or the file does not load), 2 when ``--strict`` is given and there are
warnings but no errors. A line holding ``# lint: ignore`` (or ``# lint: ignore[code, ...]``) silences
findings reported on that line.
"""

from __future__ import annotations

import re

from ..protocol.errors import Problem
from .explore import explore
from .lint_context import DEFAULT_MAX_WORDS, SEVERITY_ORDER, Linter, LintOptions
from .lint_effects import check_effects
from .lint_keys import check_keys
from .lint_rules import check_shadowed_rules
from .lint_safety import check_imminent_confirmation, check_safety_unknowns
from .lint_text import check_language_reviews, check_script_length, check_translations, localized_texts
from .lint_walk import check_interrupts, check_models, check_reachability
from .referral_checks import referral_findings
from .source import LoadedProtocol

# The checks live by family (lint_walk, lint_rules, lint_effects, lint_text, lint_safety, lint_keys,
# referral_checks); the names other modules import from here stay here.
__all__ = ["DEFAULT_MAX_WORDS", "SEVERITY_ORDER", "LintOptions", "exit_code", "lint", "localized_texts", "suppress"]


def _run(linter: Linter) -> list[Problem]:
    """Every family of checks in turn; the findings sorted by line, then severity, then code."""
    exploration = linter.options.exploration or explore(linter.protocol)
    linter.exploration = exploration
    check_reachability(linter, exploration)
    check_effects(linter)
    check_shadowed_rules(linter, exploration)
    check_models(linter, exploration)
    check_interrupts(linter, exploration)
    check_translations(linter)
    check_language_reviews(linter)
    check_safety_unknowns(linter)
    check_imminent_confirmation(linter)
    check_script_length(linter)
    check_keys(linter)
    linter.findings.extend(referral_findings(linter.loaded, linter.options.today))
    return suppress(
        sorted(linter.findings, key=lambda p: (p.line, SEVERITY_ORDER.get(p.severity, 3), p.code)), linter.loaded.text
    )


_IGNORE = re.compile(r"#\s*lint:\s*ignore(?:\[([a-z0-9_,\s-]+)\])?")


def suppress(findings: list[Problem], text: str) -> list[Problem]:
    """Drop findings on lines that carry ``# lint: ignore`` (all codes) or ``# lint: ignore[code, ...]``."""
    lines = text.splitlines()
    kept = []
    for finding in findings:
        if 1 <= finding.line <= len(lines):
            match = _IGNORE.search(lines[finding.line - 1])
            if match and (match.group(1) is None or finding.code in {c.strip() for c in match.group(1).split(",")}):
                continue
        kept.append(finding)
    return kept


def lint(loaded: LoadedProtocol, options: LintOptions | None = None) -> list[Problem]:
    """Every lint finding of a loaded protocol, sorted by line."""
    return _run(Linter(loaded, options or LintOptions()))


def exit_code(findings: list[Problem], *, strict: bool = False) -> int:
    """0 clean, 1 errors, 2 warnings only (with ``strict``); info never fails a run."""
    if any(f.severity == "error" for f in findings):
        return 1
    if strict and any(f.severity == "warning" for f in findings):
        return 2
    return 0
