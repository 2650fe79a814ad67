"""Turn a schema-valid document into a :class:`Protocol`, collecting every problem on the way.

Checks here are the ones a schema cannot express: ids unique and references real, conditions
well-typed, questions asked after what they depend on, no cycles, every door reaching the safety
questions, every call ending in a recommendation, fallback chains that end somewhere available.
"""

from __future__ import annotations

import math
import re
from collections import ChainMap
from collections.abc import Iterable, Mapping
from typing import Any

from .aftercare_checks import check_aftercare
from .compiled import CONTEXT_NAMES, YES_NO_OPTIONS, CompiledQuestion, CompiledRule, Protocol
from .conditions import Condition, ConditionError, NameType, compile_condition
from .cycles import cycles as _cycles
from .eido_checks import check_eido
from .errors import Path, Problem, did_you_mean
from .models import Guarantee, Option, ProtocolDocument, Question, ScreenLevel
from .reachability import Reachability, door_callers
from .referral_rules import compile_referral_rules
from .templates import TemplateProblem, compile_template
from .yaml_source import SourceMap

_DIGIT_KEYS = "123456789"
#: An IANA zone name: Area/Location words, never a path (no "..", no leading "/").
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


class Compiler:
    def __init__(self, document: ProtocolDocument, source: SourceMap):
        self.doc = document
        self.source = source
        self.problems: list[Problem] = []

    # -- reporting -----------------------------------------------------------------------------
    def error(self, code: str, message: str, path: Path, *, key: bool = False, column_offset: int = 0) -> None:
        problem = self.source.problem(code, message, path, key=key)
        if column_offset:
            problem = Problem(
                problem.code,
                problem.message,
                problem.file,
                problem.line,
                problem.column + column_offset,
                problem.path,
                problem.severity,
            )
        self.problems.append(problem)

    def unique(self, items: Iterable[tuple[str, Path]], what: str) -> None:
        seen: dict[str, Path] = {}
        for value, path in items:
            if value in seen:
                line = self.source.locate(seen[value])[0]
                self.error(
                    "duplicate-id", f'{what} "{value}" is used twice (first on line {line}); each must be unique', path
                )
            else:
                seen[value] = path

    def reference(self, value: str, known: Iterable[str], what: str, path: Path) -> bool:
        if isinstance(known, (dict, set, frozenset)) and value in known:
            return True  # the common case, without copying a large collection
        known = list(known)
        if value in known:
            return True
        self.error("unknown-reference", f'no {what} has the id "{value}"{did_you_mean(value, known)}', path)
        return False

    # -- the whole job -------------------------------------------------------------------------
    def compile(self, file: str, sha256: str) -> Protocol | None:
        doc = self.doc
        self._check_timezone()
        self._check_ids()
        bands = self._check_bands()
        name_types = self._name_types(bands)
        questions = self._questions(name_types, bands)
        derived = self._derived_facts(name_types, bands)
        self._check_question_graph(questions, derived)
        self._check_reachable(questions, name_types, bands)
        overrides = tuple(
            (o, c)
            for i, o in enumerate(doc.risk.overrides)
            if self._band_ref(o.at_least, bands, ("risk", "overrides", i, "at_least"))
            and (c := self.condition(o.when, name_types, bands, ("risk", "overrides", i, "when"), forbid=("band",)))
            is not None
        )
        levels: tuple[tuple[ScreenLevel, Condition], ...] = ()
        if doc.suicide_screen:
            levels = tuple(
                (lv, c)
                for i, lv in enumerate(doc.suicide_screen.levels)
                if (
                    lv.at_least is None
                    or self._band_ref(lv.at_least, bands, ("suicide_screen", "levels", i, "at_least"))
                )
                and (
                    c := self.condition(
                        lv.when,
                        name_types,
                        bands,
                        ("suicide_screen", "levels", i, "when"),
                        forbid=("band", "score", "suicide_level"),
                    )
                )
                is not None
            )
        rules = self._rules(name_types, bands)
        guarantees = self._guarantees(name_types, bands)
        referral_rules = compile_referral_rules(self, name_types, bands)
        self._check_models()
        templates = self._templates()
        self._check_interrupts()
        check_eido(self.doc, self.reference)
        check_aftercare(self, bands)
        if self.problems:
            return None
        return Protocol(
            document=doc,
            file=file,
            sha256=sha256,
            questions=questions,
            question_by_id={q.id: q for q in questions},
            derived_facts=derived,
            bands=tuple(doc.risk.bands),
            overrides=overrides,
            screen_levels=levels,
            rules=rules,
            guarantees=guarantees,
            name_types=name_types,
            templates=templates,
            referral_rules=referral_rules,
        )

    # -- time zone -----------------------------------------------------------------------------
    def _check_timezone(self) -> None:
        """The zone must exist here and now: the engine, replay and practice all read the local hour."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        zone = self.doc.protocol.timezone
        path = ("protocol", "timezone")
        if len(zone) > 64 or not _ZONE_NAME.match(zone):
            self.error("bad-timezone", f'"{zone[:64]}" is not a time zone name; expected e.g. "America/New_York"', path)
            return
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.error(
                "bad-timezone",
                f'no time zone is called "{zone}"{did_you_mean(zone, _zone_names())}; expected an IANA name '
                'such as "America/New_York"',
                path,
            )

    # -- ids -----------------------------------------------------------------------------------
    def _all_questions(self) -> Iterable[tuple[Question, Path, int]]:
        for s, section in enumerate(self.doc.sections):
            for q, question in enumerate(section.questions):
                yield question, ("sections", s, "questions", q), s

    def _check_ids(self) -> None:
        doc = self.doc
        self.unique(((s.id, ("sections", i, "id")) for i, s in enumerate(doc.sections)), "section")
        self.unique(((q.id, p + ("id",)) for q, p, _ in self._all_questions()), "question")
        self.unique(((d.id, ("doors", i, "id")) for i, d in enumerate(doc.doors)), "door")
        self.unique(((d.key, ("doors", i, "key")) for i, d in enumerate(doc.doors) if d.key), "door key")
        self.unique(((d.id, ("lines", i, "id")) for i, d in enumerate(doc.lines)), "line")
        self.unique(((d.key, ("lines", i, "key")) for i, d in enumerate(doc.lines) if d.key), "line key")
        self.unique(((d.id, ("districts", i, "id")) for i, d in enumerate(doc.districts)), "district")
        self.unique(
            ((m.id, ("responses", "models", i, "id")) for i, m in enumerate(doc.responses.models)), "response model"
        )
        self.unique(((r.id, ("responses", "rules", i, "id")) for i, r in enumerate(doc.responses.rules)), "rule")
        self.unique(
            ((g.id, ("responses", "guarantees", i, "id")) for i, g in enumerate(doc.responses.guarantees)), "guarantee"
        )
        self.unique(((x.id, ("interrupts", i, "id")) for i, x in enumerate(doc.interrupts)), "interrupt")
        self.unique(((x.key.lower(), ("interrupts", i, "key")) for i, x in enumerate(doc.interrupts)), "interrupt key")
        if not doc.doors:
            self.error("missing", "at least one door (who is calling) is needed", ("doors",))
        if not doc.lines:
            self.error("missing", "at least one line (the number called) is needed", ("lines",))
        clash = set(doc.facts) & ({q.id for q, _, _ in self._all_questions()} | set(CONTEXT_NAMES))
        for name in sorted(clash):
            self.error(
                "name-clash",
                f'the fact "{name}" has the same name as a question or a built-in name; rename one',
                ("facts", name),
                key=True,
            )
        for name in doc.facts:
            if not name.isidentifier() or not name[0].islower() or name.lower() != name:
                self.error("bad-id", f'fact names are lower_snake_case; "{name}" is not', ("facts", name), key=True)
        if doc.handoff:
            self.unique(
                ((s.id, ("handoff", "steps", i, "id")) for i, s in enumerate(doc.handoff.steps)), "handoff step"
            )

    def _check_bands(self) -> tuple[str, ...]:
        bands = self.doc.risk.bands
        if not bands:
            self.error("missing", "at least one risk band is needed", ("risk", "bands"))
            return ()
        self.unique(((b.id, ("risk", "bands", i, "id")) for i, b in enumerate(bands)), "band")
        if bands[0].min_score != 0:
            self.error(
                "band-order", "the first (lowest) band must start at min_score 0", ("risk", "bands", 0, "min_score")
            )
        for i in range(1, len(bands)):
            if bands[i].min_score <= bands[i - 1].min_score:
                self.error(
                    "band-order",
                    f'bands are listed lowest first: "{bands[i].id}" must start above {bands[i - 1].min_score}',
                    ("risk", "bands", i, "min_score"),
                )
        return tuple(b.id for b in bands)

    def _band_ref(self, band: str, bands: tuple[str, ...], path: Path) -> bool:
        return self.reference(band, bands, "risk band", path)

    # -- names and conditions ------------------------------------------------------------------
    def _name_types(self, bands: tuple[str, ...]) -> dict[str, NameType]:
        doc = self.doc
        types: dict[str, NameType] = {
            "band": NameType("band", bands, "the risk band"),
            "score": NameType("number", (), "the risk score"),
            "door": NameType("choice", tuple(d.id for d in doc.doors), "the door"),
            "caller": NameType(
                "choice", ("self", "family", "bystander", "professional", "other"), "the caller's relation"
            ),
            "line": NameType("choice", tuple(x.id for x in doc.lines), "the line"),
            "district": NameType("choice", tuple(d.id for d in doc.districts), "the district"),
            "language": NameType("choice", tuple(doc.protocol.languages), "the caller's language"),
            "hour": NameType("number", (), "the local hour (0-23)"),
            "suicide_level": NameType(
                "choice",
                ("none",) + tuple(lv.id for lv in (doc.suicide_screen.levels if doc.suicide_screen else [])),
                "the suicide screen level",
            ),
        }
        for name in doc.facts:
            types[name] = NameType("flag", (), f'fact "{name}"')
        for question, _, _ in self._all_questions():
            options = tuple(o.id for o in self._options(question))
            kind = {"yes_no": "choice", "choice": "choice", "multi": "multi", "number": "number", "text": "text"}[
                question.type
            ]
            types[question.id] = NameType(kind, options, f'question "{question.id}"')
        return types

    def condition(
        self,
        text: str | None,
        names: Mapping[str, NameType],
        bands: tuple[str, ...],
        path: Path,
        forbid: tuple[str, ...] = (),
    ) -> Condition | None:
        if text is None:
            return None
        try:
            condition = compile_condition(text, names, bands)
        except ConditionError as exc:
            single_line = "\n" not in text and tuple(path) not in self.source.multiline
            self.error(
                "bad-condition",
                f"{exc.message} (in: {' '.join(str(text).split())})",
                path,
                column_offset=exc.offset if single_line else 0,
            )
            return None
        for name in forbid:
            if name in condition.names:
                self.error(
                    "bad-condition",
                    f'"{name}" cannot be used here: it is worked out from this very value, which would go round in a circle',
                    path,
                )
                return None
        return condition

    def _options(self, question: Question) -> tuple[Option, ...]:
        if question.type == "yes_no":
            return YES_NO_OPTIONS
        if question.type not in ("choice", "multi"):
            return ()
        taken = {o.key for o in question.options if o.key}
        free = iter(k for k in _DIGIT_KEYS if k not in taken)
        return tuple(o if o.key else o.model_copy(update={"key": next(free, None)}) for o in question.options)

    # -- questions -----------------------------------------------------------------------------
    def _questions(self, names: dict[str, NameType], bands: tuple[str, ...]) -> tuple[CompiledQuestion, ...]:
        doc = self.doc
        compiled: list[CompiledQuestion] = []
        door_ids = [d.id for d in doc.doors]
        derived = {f for f, fact in doc.facts.items() if fact.when}
        order = {q.id: i for i, (q, _, _) in enumerate(self._all_questions())}
        for index, (question, path, s) in enumerate(self._all_questions()):
            section = doc.sections[s]
            options = self._options(question)
            option_ids = [o.id for o in options]
            self.unique(
                ((o.id, path + ("options", i, "id")) for i, o in enumerate(options)), f'option of "{question.id}"'
            )
            self.unique(
                ((o.key.lower(), path + ("options", i, "key")) for i, o in enumerate(options) if o.key),
                f'answer key of "{question.id}"',
            )
            if question.type in ("choice", "multi") and len(options) > 9 and any(o.key is None for o in options):
                self.error("too-many-options", "more than nine options: give each a key", path + ("options",))
            doors = None
            if question.doors is not None:
                doors = frozenset(question.doors)
                for i, door in enumerate(question.doors):
                    self.reference(door, door_ids, "door", path + ("doors", i))
                if section.safety:
                    self.error(
                        "no-wrong-door",
                        "safety questions are asked on every door; remove `doors` (no wrong door)",
                        path + ("doors",),
                        key=True,
                    )
            when = self.condition(question.when, names, bands, path + ("when",))
            if when is not None:
                if section.safety and ({"door", "line", "caller"} & when.names):
                    self.error(
                        "no-wrong-door",
                        "a safety question cannot depend on the door or line: every caller reaches it",
                        path + ("when",),
                    )
                for name in sorted(when.names):
                    if name in order and order[name] >= index:
                        what = "itself" if name == question.id else f'"{name}", which is asked after it'
                        self.error(
                            "asked-later",
                            f"this question's condition reads {what}; a question can only depend on earlier questions (move it below)",
                            path + ("when",),
                        )
            risk = {}
            for answer, points in question.risk.items():
                if question.type in ("number", "text"):
                    self.error(
                        "bad-risk",
                        f"{question.type} questions carry no risk points; set a fact and use a risk override",
                        path + ("risk",),
                        key=True,
                    )
                    break
                if self.reference(answer, option_ids, f'answer of "{question.id}"', path + ("risk", answer)):
                    risk[answer] = points
            if section.safety and question.type == "choice" and "unknown" not in option_ids:
                self.error(
                    "safety-unknown",
                    'a safety question needs an "unknown" option (the caller cannot say): '
                    "it is a first-class answer, scored conservatively",
                    path + ("options",),
                    key=True,
                )
            if section.safety and question.type in ("yes_no", "choice") and "unknown" in option_ids:
                top = max([p for a, p in risk.items() if a != "unknown"], default=0)
                if top > 0 and risk.get("unknown", 0) < math.ceil(top / 2):
                    self.error(
                        "unknown-not-conservative",
                        f"on a safety question, unknown must score at least half of the highest answer ({math.ceil(top / 2)}); "
                        f"it scores {risk.get('unknown', 0)}",
                        path + ("risk",),
                        key=True,
                    )
            if section.safety and not question.required:
                self.error(
                    "safety-required",
                    "safety questions are required (record Unknown rather than skipping)",
                    path + ("required",),
                )
            # An overlay, not a copy: copying every name for every question made loading quadratic.
            answer_names = ChainMap({}, names)
            answer_names["answer"] = NameType(
                names[question.id].kind, names[question.id].values, f'the answer to "{question.id}"'
            )
            sets = []
            for fact, text in question.sets.items():
                if not self.reference(fact, doc.facts, "fact", path + ("sets", fact)):
                    continue
                if fact in derived:
                    self.error(
                        "derived-fact-set",
                        f'"{fact}" is worked out from its own condition (facts.{fact}.when); questions cannot set it',
                        path + ("sets", fact),
                        key=True,
                    )
                    continue
                condition = self.condition(text, answer_names, bands, path + ("sets", fact))
                if condition is not None:
                    sets.append((fact, condition))
            if (
                question.type == "number"
                and question.min is not None
                and question.max is not None
                and question.min > question.max
            ):
                self.error("bad-range", "min is above max", path + ("min",))
            compiled.append(
                CompiledQuestion(
                    question.id, question, index, section, section.safety, options, when, doors, tuple(sets), risk
                )
            )
        if not compiled:
            self.error("missing", "the protocol has no questions", ("sections",))
        return tuple(compiled)

    def _derived_facts(self, names: dict[str, NameType], bands: tuple[str, ...]) -> tuple[tuple[str, Condition], ...]:
        compiled: dict[str, Condition] = {}
        for fact, spec in self.doc.facts.items():
            condition = self.condition(
                spec.when, names, bands, ("facts", fact, "when"), forbid=("band", "score", "suicide_level")
            )
            if condition is not None:
                compiled[fact] = condition
        # Order so each fact comes after the derived facts it reads; report cycles by name.
        graph = {f: [n for n in c.names if n in compiled] for f, c in compiled.items()}
        for cycle in _cycles(graph):
            names_in = " → ".join(cycle + [cycle[0]])
            self.error(
                "cycle",
                f"these derived facts depend on each other in a circle: {names_in}",
                ("facts", cycle[0], "when"),
            )
        ordered: list[str] = []
        done: set[str] = set()

        # Depth-first, each fact after what it reads; iterative so a long chain cannot exhaust the stack.
        for root in graph:
            if root in done:
                continue
            trail: set[str] = {root}
            work: list[tuple[str, int]] = [(root, 0)]
            while work:
                fact, position = work.pop()
                deps = graph[fact]
                while position < len(deps) and (deps[position] in done or deps[position] in trail):
                    position += 1  # known already, or a cycle (reported above)
                if position < len(deps):
                    work.append((fact, position + 1))
                    work.append((deps[position], 0))
                    trail.add(deps[position])
                    continue
                trail.discard(fact)
                done.add(fact)
                ordered.append(fact)
        return tuple((f, compiled[f]) for f in ordered)

    def _check_question_graph(
        self, questions: tuple[CompiledQuestion, ...], derived: tuple[tuple[str, Condition], ...]
    ) -> None:
        """A question whose condition reads a fact its own answer sets (directly or through derived facts) is a cycle."""
        graph: dict[str, list[str]] = {}
        for question in questions:
            node = f"question {question.id}"
            graph.setdefault(node, []).extend(f"fact {f}" for f, _ in question.sets)
            if question.when:
                for name in question.when.names:
                    if name in self.doc.facts:
                        graph.setdefault(f"fact {name}", []).append(node)
        by_id = {q.id: q for q in questions}
        for fact, condition in derived:
            for name in condition.names:
                if name in self.doc.facts:
                    graph.setdefault(f"fact {name}", []).append(f"fact {fact}")
                elif name in by_id:
                    graph.setdefault(f"question {name}", []).append(f"fact {fact}")
        for cycle in _cycles(graph):
            if not any(c.startswith("question ") for c in cycle):
                continue  # a cycle among derived facts alone is reported by _derived_facts
            first = next((c for c in cycle if c.startswith("question ")), cycle[0])
            start = cycle.index(first)
            ordered = cycle[start:] + cycle[:start]
            path: Path = ("facts",)
            if first.startswith("question "):
                q = by_id[first.split(" ", 1)[1]]
                path = self._question_path(q) + ("when",)
            self.error(
                "cycle", "asking depends on its own answer, in a circle: " + " → ".join(ordered + [ordered[0]]), path
            )

    def _check_reachable(
        self, questions: tuple[CompiledQuestion, ...], names: dict[str, NameType], bands: tuple[str, ...]
    ) -> None:
        """Report questions no call can reach (see :mod:`.reachability`: sound, never a false alarm)."""
        checker = Reachability(names, bands, door_callers(self.doc.doors))
        for question in questions:
            why = checker.unreachable(question)
            if why is not None:
                where = ("doors",) if question.doors is not None and not question.doors else ("when",)
                self.error("unreachable", why, self._question_path(question) + where, key=where == ("doors",))

    def _question_path(self, question: CompiledQuestion) -> Path:
        for q, path, _ in self._all_questions():
            if q.id == question.id:
                return path
        return ()

    # -- responses -----------------------------------------------------------------------------
    def _rules(self, names: dict[str, NameType], bands: tuple[str, ...]) -> tuple[CompiledRule, ...]:
        responses = self.doc.responses
        model_ids = [m.id for m in responses.models]
        roles = list(responses.roles)
        compiled = []
        if not responses.rules:
            self.error(
                "no-recommendation", "there are no rules, so no call would get a recommendation", ("responses", "rules")
            )
        for i, rule in enumerate(responses.rules):
            path = ("responses", "rules", i)
            self.reference(rule.recommend, model_ids, "response model", path + ("recommend",))
            when = self.condition(rule.when, names, bands, path + ("when",))
            if rule.when is None and i < len(responses.rules) - 1:
                later = ", ".join(r.id for r in responses.rules[i + 1 :])
                self.error(
                    "shadowed-rule",
                    f'rule "{rule.id}" has no condition, so it catches every call and the rules after it ({later}) never apply; move it last',
                    path,
                )
            also = []
            for j, addition in enumerate(rule.also):
                apath = path + ("also", j)
                if addition.add is None and addition.note is None:
                    self.error("empty-addition", "an addition needs `add` (a role or model) or `note`", apath)
                if addition.add is not None:
                    self.reference(addition.add, roles + model_ids, "role or response model", apath + ("add",))
                also.append((addition, self.condition(addition.when, names, bands, apath + ("when",))))
            compiled.append(CompiledRule(rule, when, tuple(also)))
        if responses.rules and responses.rules[-1].when is not None:
            self.error(
                "no-recommendation",
                f'the last rule ("{responses.rules[-1].id}") has a condition, so a call that matches no rule would end '
                "without a recommendation; add a last rule with no `when`",
                ("responses", "rules", len(responses.rules) - 1, "when"),
            )
        return tuple(compiled)

    def _guarantees(
        self, names: dict[str, NameType], bands: tuple[str, ...]
    ) -> tuple[tuple[Guarantee, Condition], ...]:
        responses = self.doc.responses
        result: list[tuple[Guarantee, Condition]] = []
        models = {m.id: m for m in responses.models}
        for i, guarantee in enumerate(responses.guarantees):
            path = ("responses", "guarantees", i)
            self.reference(guarantee.require, responses.roles, "role", path + ("require",))
            if guarantee.switch_to is not None and self.reference(
                guarantee.switch_to, models, "response model", path + ("switch_to",)
            ):
                model = models[guarantee.switch_to]
                if guarantee.require not in model.team:
                    self.error(
                        "bad-guarantee",
                        f'switching to "{model.id}" would not bring {guarantee.require}: its team is {", ".join(model.team) or "empty"}',
                        path + ("switch_to",),
                    )
            condition = self.condition(guarantee.when, names, bands, path + ("when",))
            if condition is not None:
                result.append((guarantee, condition))
        return tuple(result)

    def _check_models(self) -> None:
        responses = self.doc.responses
        models = {m.id: m for m in responses.models}
        districts = [d.id for d in self.doc.districts]
        if not models:
            self.error("missing", "at least one response model is needed", ("responses", "models"))
        for i, model in enumerate(responses.models):
            path = ("responses", "models", i)
            for j, role in enumerate(model.team):
                self.reference(role, responses.roles, "role", path + ("team", j))
            for j, role in enumerate(model.notify):
                self.reference(role, responses.roles, "role", path + ("notify", j))
            for j, district in enumerate(model.available.districts or []):
                self.reference(district, districts, "district", path + ("available", "districts", j))
            if model.dedicated:
                for j, district in enumerate(model.dedicated.districts):
                    self.reference(district, districts, "district", path + ("dedicated", "districts", j))
            for j, other in enumerate(model.fallback):
                if other == model.id:
                    self.error("cycle", f'"{model.id}" lists itself as its own fallback', path + ("fallback", j))
                else:
                    self.reference(other, models, "response model", path + ("fallback", j))
        graph = {m.id: [f for f in m.fallback if f in models and f != m.id] for m in responses.models}
        for cycle in _cycles(graph):
            i = next(i for i, m in enumerate(responses.models) if m.id == cycle[0])
            self.error(
                "cycle",
                "fallbacks go round in a circle: " + " → ".join(cycle + [cycle[0]]),
                ("responses", "models", i, "fallback"),
            )

        def always_available(model_id: str, seen: frozenset[str] = frozenset()) -> bool:
            model = models.get(model_id)
            if model is None or model_id in seen:
                return True  # reported elsewhere
            a = model.available
            if a.enabled and a.districts is None and a.hours is None:
                return True
            return any(always_available(f, seen | {model_id}) for f in model.fallback)

        for i, model in enumerate(responses.models):
            if not always_available(model.id):
                self.error(
                    "dead-end-fallback",
                    f'when "{model.id}" is unavailable (hours, districts or switched off) and so are its fallbacks, no one would be sent; '
                    "end its fallback list with a model that is always available",
                    ("responses", "models", i, "fallback" if model.fallback else "available"),
                    key=not model.fallback,
                )

    def _check_interrupts(self) -> None:
        for i, interrupt in enumerate(self.doc.interrupts):
            if (
                self.reference(interrupt.fact, self.doc.facts, "fact", ("interrupts", i, "fact"))
                and self.doc.facts[interrupt.fact].when
            ):
                self.error(
                    "derived-fact-set",
                    f'"{interrupt.fact}" is a derived fact (it has `when`); an interrupt must set a plain fact',
                    ("interrupts", i, "fact"),
                )

    def _templates(self) -> dict[str, Any]:
        handoff = self.doc.handoff
        templates: dict[str, Any] = {}
        if handoff is None:
            if any(m.handoff for m in self.doc.responses.models):
                self.error(
                    "missing",
                    "a response model has handoff: true but the protocol has no handoff script",
                    ("responses", "models"),
                )
            return templates
        models = {m.id: m for m in self.doc.responses.models}
        if (
            self.reference(handoff.model, models, "response model", ("handoff", "model"))
            and not models[handoff.model].handoff
        ):
            self.error(
                "bad-handoff",
                f'the handoff belongs to "{handoff.model}", which does not have handoff: true',
                ("handoff", "model"),
            )
        question_ids = [q.id for q, _, _ in self._all_questions()]

        def add(key: str, text: str, path: Path) -> None:
            try:
                templates[key] = compile_template(text, question_ids)
            except TemplateProblem as exc:
                problem = self.source.problem("bad-template", exc.message, path)
                # Block scalars start on the next line; point at the template's own line.
                # Block scalars are located at their first line of text (see yaml_source), so the
                # template's line n is n - 1 lines below.
                offset = exc.line - 1
                self.problems.append(
                    Problem(
                        problem.code,
                        problem.message,
                        problem.file,
                        problem.line + max(0, offset),
                        problem.column,
                        problem.path,
                    )
                )

        for i, step in enumerate(handoff.steps):
            for field in ("say", "do"):
                texts = getattr(step, field)
                for language, text in (texts or {}).items():
                    add(f"{step.id}.{field}.{language}", text, ("handoff", "steps", i, field, language))
        add("summary", handoff.summary, ("handoff", "summary"))
        return templates


def _zone_names() -> set[str]:
    from zoneinfo import available_timezones

    try:
        return available_timezones()
    except OSError:  # pragma: no cover - no zone database at all
        return set()
