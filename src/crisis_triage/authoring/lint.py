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

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel

from ..protocol.compiled import Protocol
from ..protocol.errors import Path, Problem
from ..protocol.model_base import _localize
from ..protocol.models import ProtocolDocument
from .console_keys import clashes
from .domains import OTHER, NameUse, condition_uses, protocol_uses
from .explore import Exploration, explore
from .referral_checks import referral_findings
from .source import LoadedProtocol

DEFAULT_MAX_WORDS = 35
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
#: Truth-table rows tried when checking one rule for shadowing; larger rules are skipped (noted).
MAX_ROWS = 1 << 16

READ_ALOUD_FIELDS = ("ask", "ask_other", "say")


@dataclass
class LintOptions:
    max_words: int = DEFAULT_MAX_WORDS
    exploration: Exploration | None = None
    """A walk already made (the CLI shares one between lint and paths)."""
    today: date | None = None
    """The date entries' ``last_verified`` are measured against (default: today)."""


class _Linter:
    def __init__(self, loaded: LoadedProtocol, options: LintOptions):
        self.loaded = loaded
        self.protocol: Protocol = loaded.protocol
        self.doc: ProtocolDocument = loaded.protocol.document
        self.options = options
        self.findings: list[Problem] = []
        self.uses = protocol_uses(self.protocol)
        self.paths = {q.id: p for q, p in self._question_paths()}

    def add(self, code: str, severity: str, message: str, path: Path, *, key: bool = False) -> None:
        self.findings.append(self.loaded.source.problem(code, message, path, key=key, severity=severity))

    def _question_paths(self) -> Iterable[tuple[Any, Path]]:
        for s, section in enumerate(self.doc.sections):
            for q, question in enumerate(section.questions):
                yield question, ("sections", s, "questions", q)

    # -- the whole run -----------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        exploration = self.options.exploration or explore(self.protocol)
        self.exploration = exploration
        self.reachability(exploration)
        self.effects()
        self.shadowed_rules(exploration)
        self.models(exploration)
        self.interrupts(exploration)
        self.translations()
        self.language_reviews()
        self.safety_unknowns()
        self.imminent_confirmation()
        self.script_length()
        self.keys()
        self.findings.extend(referral_findings(self.loaded, self.options.today))
        return suppress(
            sorted(self.findings, key=lambda p: (p.line, SEVERITY_ORDER.get(p.severity, 3), p.code)), self.loaded.text
        )

    # -- reachability ------------------------------------------------------------------------------
    def reachability(self, exploration: Exploration) -> None:
        protocol = self.protocol
        if not exploration.exact:
            reason = "; ".join(exploration.notes[:2])
            self.add(
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
                self.add(
                    "unreachable",
                    "error",
                    f'no call ever reaches "{question.id}" on any door{why}',
                    self.paths[question.id] + (("when",) if question.when else ("id",)),
                )
        reached = exploration.bands_reached
        for i, band in enumerate(protocol.bands):
            if band.id not in reached:
                self.add(
                    "band-unreachable",
                    "warning",
                    f'no path ends in the band "{band.id}" (from {band.min_score} points): check the points and overrides',
                    ("risk", "bands", i),
                )

    # -- answers that do nothing -------------------------------------------------------------------
    def effects(self) -> None:
        protocol = self.protocol
        template_reads = self._template_answers()
        for question in protocol.questions:
            if question.type in ("number", "text"):
                continue
            use = self.uses.get(question.id)
            builtin = question.type == "yes_no"  # yes / no / unknown: "no" doing nothing is the point
            path = self.paths[question.id]
            inert = [o.id for o in question.options if self._inert(question, o.id, use)]
            if question.id in template_reads:
                continue
            if len(inert) == len(question.options):
                self.add(
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
                self.add(
                    "option-no-effect",
                    "info",
                    f'answering "{option_id}" to "{question.id}" changes nothing: no points, no fact, no condition tells it apart',
                    where,
                )
        set_facts = {fact for q in protocol.questions for fact, _ in q.sets} | {i.fact for i in self.doc.interrupts}
        for fact in sorted(set_facts):
            if fact not in self.uses:
                self.add(
                    "fact-unused",
                    "info",
                    f'the fact "{fact}" is set but no condition reads it',
                    ("facts", fact),
                    key=True,
                )

    def _inert(self, question, option_id: str, use: NameUse | None) -> bool:
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

    def _template_answers(self) -> set[str]:
        found: set[str] = set()
        handoff = self.doc.handoff
        if handoff is None:
            return found
        texts = [handoff.summary] + [
            t for step in handoff.steps for field in (step.say, step.do) if field for t in field.values()
        ]
        for text in texts:
            found |= set(re.findall(r"answers\.([a-z][a-z0-9_]*)", text))
            found |= set(re.findall(r"answers\[['\"]([a-z][a-z0-9_]*)['\"]\]", text))
        return found

    # -- rules -------------------------------------------------------------------------------------
    def shadowed_rules(self, exploration: Exploration) -> None:
        protocol = self.protocol
        rules = protocol.rules
        fired = exploration.rules_fired
        for j, rule in enumerate(rules):
            path = ("responses", "rules", j)
            if rule.when is None or j == 0:
                continue
            earlier = [r for r in rules[:j] if r.when is not None]
            shadowing = self._shadowed_by(rule, earlier)
            if shadowing:
                names = ", ".join(f'"{r.spec.id}"' for r in shadowing)
                self.add(
                    "rule-shadowed",
                    "error",
                    f'rule "{rule.spec.id}" never applies: whenever its condition holds, the earlier rule{"s" if len(shadowing) > 1 else ""} '
                    f"{names} already match{'es' if len(shadowing) == 1 else ''} (move it above them or narrow theirs)",
                    path + ("when",),
                )
                continue
            if exploration.exact and rule.spec.id not in fired:
                self.add(
                    "rule-never-applies",
                    "warning",
                    f'no path through the protocol ends with rule "{rule.spec.id}" (earlier rules or the band always decide first)',
                    path + ("when",),
                )

    def _shadowed_by(self, rule, earlier) -> list:
        """Earlier rules that together cover every case where ``rule`` holds (empty if none do, or unknown)."""
        if not earlier:
            return []
        conditions = [rule.when] + [r.when for r in earlier]
        uses: dict[str, NameUse] = {}
        for condition in conditions:
            condition_uses(condition, uses)
        domains = self._domains(uses)
        if domains is None:
            return []
        names = list(domains)
        rows = 1
        for values in domains.values():
            rows *= len(values)
        if rows > MAX_ROWS:
            return []
        matched_by: set[int] = set()
        derived = dict(self.protocol.derived_facts)
        base = dict(_base_namespace(self.protocol))
        for combo in itertools.product(*(domains[n] for n in names)):
            ns = dict(base)
            ns.update(zip(names, combo))
            if "band" in ns:
                ns["band_rank"] = self.protocol.band_ids.index(ns["band"])
            for fact, condition in derived.items():
                if fact not in domains:
                    ns[fact] = condition.evaluate(ns)
            if not rule.when.evaluate(ns):
                continue
            first = next((i for i, r in enumerate(earlier) if r.when.evaluate(ns)), None)
            if first is None:
                return []
            matched_by.add(first)
        if not matched_by:
            return []  # the rule's own condition can never hold: reported as rule-never-applies
        return [earlier[i] for i in sorted(matched_by)]

    def _domains(self, uses: dict[str, NameUse]) -> dict[str, list[Any]] | None:
        """Values worth trying for each name a set of conditions reads (through derived facts)."""
        protocol = self.protocol
        derived = dict(protocol.derived_facts)
        uses = dict(uses)
        pending = [n for n in uses if n in derived]
        while pending:
            fact = pending.pop()
            for name, use in condition_uses(derived[fact]).items():
                if name not in uses:
                    uses[name] = use
                    if name in derived:
                        pending.append(name)
                else:
                    uses[name].literals |= use.literals
        domains: dict[str, list[Any]] = {}
        types = protocol.name_types
        for name, use in uses.items():
            if name in derived:
                continue
            kind = types.get(name)
            if kind is None:
                return None
            if kind.kind == "flag":
                domains[name] = [False, True]
            elif kind.kind in ("choice", "band"):
                values = list(kind.values)
                mentioned = [v for v in values if v in use.literals]
                others = [v for v in values if v not in use.literals]
                domains[name] = values if (use.opaque or kind.kind == "band") else mentioned + others[:1]
                if name in protocol.question_by_id:
                    domains[name] = domains[name] + [None]
            elif kind.kind == "multi":
                literals = sorted(v for v in use.literals if isinstance(v, str))
                domains[name] = [
                    frozenset(c) for size in range(len(literals) + 1) for c in itertools.combinations(literals, size)
                ]
            elif kind.kind == "number":
                points = sorted(
                    {float(x) for x in use.literals if isinstance(x, (int, float)) and not isinstance(x, bool)}
                )
                domains[name] = sorted({p + d for p in points for d in (-1, 0, 1)}) or [0.0]
            else:
                domains[name] = sorted(v for v in use.literals if isinstance(v, str)) + [OTHER]
        return domains

    # -- models ------------------------------------------------------------------------------------
    def models(self, exploration: Exploration) -> None:
        responses = self.doc.responses
        models = {m.id: m for m in responses.models}
        if exploration.exact:
            preferred = {e.outcome.preferred_model for e in exploration.ends} | {
                e.outcome.model for e in exploration.ends
            }
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
                self.add(
                    "model-unused",
                    "warning",
                    f'the response model "{model.id}" is never recommended{why}',
                    ("responses", "models", i, "id"),
                )

    # -- interrupts --------------------------------------------------------------------------------
    def interrupts(self, exploration: Exploration) -> None:
        derived = dict(self.protocol.derived_facts)
        for i, interrupt in enumerate(self.doc.interrupts):
            fact = interrupt.fact
            if fact not in self.uses:
                self.add(
                    "interrupt-no-effect",
                    "warning",
                    f'the interrupt "{interrupt.id}" sets "{fact}", which no condition reads: pressing it changes nothing',
                    ("interrupts", i, "fact"),
                )
                continue
            if not exploration.ends or not exploration.exact:
                continue  # on a sampled walk, "never changes anything" cannot be claimed
            if not self._interrupt_matters(fact, exploration, derived):
                self.add(
                    "interrupt-no-effect",
                    "warning",
                    f'the interrupt "{interrupt.id}" never changes the band or the team on any path '
                    f'(the answers that set "{fact}" always decide the same)',
                    ("interrupts", i, "fact"),
                )

    def _interrupt_matters(self, fact: str, exploration: Exploration, derived: dict) -> bool:
        """True when recording the interrupt at the start of some example call changes band, rule or team."""
        from ..engine.events import InterruptRecorded
        from ..engine.session import session_from_answers
        from .explore import example_moment

        protocol = self.protocol
        interrupt = next(i.id for i in self.doc.interrupts if i.fact == fact)
        moment = example_moment(protocol, exploration.hour)
        for end in exploration.ends:
            context = end.example_context
            session = session_from_answers(
                protocol,
                end.example,
                at=moment,
                door=context["door"],
                line=context["line"],
                district=context["district"],
                language=context["language"],
            )
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

    # -- text --------------------------------------------------------------------------------------
    def translations(self) -> None:
        languages = self.protocol.languages[1:]
        if not languages:
            return
        reviews = self.doc.protocol.language_review
        # A language scoped to read-aloud scripts shows the call-taker's texts in English by design.
        read_aloud_only = {lang for lang in languages if lang in reviews and reviews[lang].scope == "read_aloud"}
        for path, texts in localized_texts(self.doc):
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            expected = [lang for lang in languages if field in READ_ALOUD_FIELDS or lang not in read_aloud_only]
            missing = [lang for lang in expected if lang not in texts]
            if not missing:
                continue
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            if field == "hint":
                self.add(
                    "hint-untranslated",
                    "info",
                    f"this hint has no {', '.join(missing)} text (hints guide the call-taker)",
                    path,
                )
            else:
                self.add(
                    "missing-translation",
                    "warning",
                    f'no {", ".join(missing)} text for {_describe(path)}: "{_short(texts["en"])}"',
                    path,
                )

    def language_reviews(self) -> None:
        reviews = self.doc.protocol.language_review
        for index, language in enumerate(self.protocol.languages):
            if language == "en":
                continue
            review = reviews.get(language)
            if review is None:
                self.add(
                    "language-no-review",
                    "warning",
                    f"the {language} scripts carry no review mark: add protocol.language_review.{language} "
                    "with reviewed: true (after a certified translator's review) or false",
                    ("protocol", "languages", index),
                )
            elif not review.reviewed:
                self.add(
                    "language-unreviewed",
                    "info",
                    f"the {language} scripts are not yet reviewed by a certified translator"
                    + (f" ({review.note})" if review.note else ""),
                    ("protocol", "language_review", language),
                    key=True,
                )

    def safety_unknowns(self) -> None:
        # The loader already requires an unknown option on single-choice safety questions; these are the
        # other kinds a caller who cannot say would be forced to answer.
        for question, path in self._question_paths():
            if not self.protocol.question_by_id[question.id].safety:
                continue
            options = {o.id for o in question.options}
            if question.type in ("number", "text") or (question.type == "multi" and "unknown" not in options):
                self.add(
                    "safety-no-unknown",
                    "error",
                    f'the safety question "{question.id}" ({question.type}) cannot record "unknown": a caller who '
                    "cannot say would have to guess; make it yes_no or a choice with an unknown option",
                    path + ("type",) if "type" in question.model_fields_set else path,
                )

    def imminent_confirmation(self) -> None:
        """988 asks the centre to confirm that emergency services reached a person at imminent risk."""
        doc = self.doc
        top = doc.risk.bands[-1].id
        levels = [lv for lv in (doc.suicide_screen.levels if doc.suicide_screen else []) if lv.at_least == top]
        if not levels:
            return
        covered = {m for rule in getattr(doc, "contact_confirmation", None) or [] for m in rule.models}
        models = {m.id: m for m in doc.responses.models}
        names = {lv.id for lv in levels} | {top}
        for index, rule in enumerate(doc.responses.rules):
            when = self.protocol.rules[index].when
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
                self.add(
                    "imminent-no-confirm",
                    "warning",
                    f'rule "{rule.id}" sends {", ".join(missing)} at the imminent level, but no contact_confirmation '
                    "rule says how soon contact must be confirmed (988 Suicide Safety Policy)",
                    ("responses", "rules", index, "recommend"),
                )

    def script_length(self) -> None:
        limit = self.options.max_words
        for path, texts in localized_texts(self.doc):
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            if field not in READ_ALOUD_FIELDS:
                continue
            for language, text in texts.items():
                words = len(re.sub(r"\{\{.*?\}\}", "x", text).split())
                if words > limit:
                    self.add(
                        "script-too-long",
                        "warning",
                        f"{words} words to read aloud ({language}); keep it under {limit}: split the question or move detail to the hint",
                        path + (language,) if len(texts) > 1 else path,
                    )

    # -- keys --------------------------------------------------------------------------------------
    def keys(self) -> None:
        doc = self.doc
        checks: list[tuple[str, str, Path]] = []
        for i, door in enumerate(doc.doors):
            if door.key:
                checks.append(("door", door.key, ("doors", i, "key")))
        for i, line in enumerate(doc.lines):
            if line.key:
                checks.append(("line", line.key, ("lines", i, "key")))
        for i, interrupt in enumerate(doc.interrupts):
            checks.append(("interrupt", interrupt.key, ("interrupts", i, "key")))
        for question, path in self._question_paths():
            for j, option in enumerate(question.options):
                if option.key:
                    checks.append(("option", option.key, path + ("options", j, "key")))
        for kind, key, path in checks:
            taken = clashes(kind, key)
            if taken:
                self.add(
                    "key-clash",
                    "error",
                    f'the key "{key}" is already the console\'s key for {taken} on the same screen; pick another',
                    path,
                )
        # Door and line keys share the set-up screen: one key cannot pick both.
        setup: dict[str, Path] = {}
        for kind, key, path in checks:
            if kind in ("door", "line"):
                if key.lower() in setup:
                    first_line = self.loaded.line_of(setup[key.lower()])
                    self.add(
                        "key-clash",
                        "error",
                        f'the key "{key}" already picks a door or line on line {first_line}; the set-up screen needs one key per choice',
                        path,
                    )
                else:
                    setup[key.lower()] = path


def _base_namespace(protocol: Protocol) -> dict[str, Any]:
    from ..engine.evaluate import defaults

    ns = dict(defaults(protocol))
    ns.update(door=None, caller=None, line=None, district=None, language="en", hour=12.0)
    return ns


def localized_texts(doc: BaseModel, path: Path = ()) -> Iterable[tuple[Path, dict[str, str]]]:
    """Every localized text in a document (fields typed Localized), with its path."""
    for name, field in type(doc).model_fields.items():
        value = getattr(doc, name)
        if value is None:
            continue
        here = path + (name,)
        if _is_localized(field):
            yield here, value
        elif isinstance(value, BaseModel):
            yield from localized_texts(value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from localized_texts(item, here + (i,))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from localized_texts(item, here + (key,))
                elif _dict_of_localized(field) and isinstance(item, dict):
                    yield here + (key,), item


def _validators(field) -> list:
    import types
    import typing

    found = list(field.metadata)
    annotation = field.annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # Localized | None
        for arg in typing.get_args(annotation):
            found += list(getattr(arg, "__metadata__", ()) or ())
    return found


def _is_localized(field) -> bool:
    return any(getattr(v, "func", None) is _localize for v in _validators(field))


def _dict_of_localized(field) -> bool:
    annotation = field.annotation
    args: tuple[Any, ...] = getattr(annotation, "__args__", ()) or ()
    return len(args) == 2 and any(
        getattr(v, "func", None) is _localize for v in getattr(args[1], "__metadata__", ()) or ()
    )


def _describe(path: Path) -> str:
    from ..protocol.errors import format_path

    return format_path(path)


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    return _Linter(loaded, options or LintOptions()).run()


def exit_code(findings: list[Problem], *, strict: bool = False) -> int:
    """0 clean, 1 errors, 2 warnings only (with ``strict``); info never fails a run."""
    if any(f.severity == "error" for f in findings):
        return 1
    if strict and any(f.severity == "warning" for f in findings):
        return 2
    return 0
