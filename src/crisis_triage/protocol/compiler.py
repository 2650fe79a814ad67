"""Turn a schema-valid document into a :class:`Protocol`, collecting every problem on the way.

Checks here are the ones a schema cannot express: ids unique and references real, conditions
well-typed, questions asked after what they depend on, no cycles, every door reaching the safety
questions, every call ending in a recommendation, fallback chains that end somewhere available.

This module holds the compiler's reporting (what :class:`.section_compiler.SectionCompiler` offers
each section's checks), the ids, bands, names and the order of the whole job; the checks themselves
live by section: :mod:`.question_checks`, :mod:`.graph_checks` (derived facts, circles, reachability),
:mod:`.response_checks` (rules, guarantees, models, interrupts, handoff templates),
:mod:`.referral_rules`, :mod:`.eido_checks`, :mod:`.aftercare_checks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .aftercare_checks import check_aftercare
from .compiled import CONTEXT_NAMES, Protocol
from .conditions import Condition, ConditionError, NameType, compile_condition
from .eido_checks import check_eido
from .errors import Path, Problem, did_you_mean
from .graph_checks import check_question_graph, check_reachable, compile_derived_facts
from .models import ProtocolDocument, ScreenLevel
from .question_checks import all_questions, compile_questions, options_of
from .referral_rules import compile_referral_rules
from .response_checks import (
    check_interrupts,
    check_models,
    compile_guarantees,
    compile_handoff_templates,
    compile_rules,
)
from .yaml_source import SourceMap

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
        questions = compile_questions(self, name_types, bands)
        derived = compile_derived_facts(self, name_types, bands)
        check_question_graph(self, questions, derived)
        check_reachable(self, questions, name_types, bands)
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
        rules = compile_rules(self, name_types, bands)
        guarantees = compile_guarantees(self, name_types, bands)
        referral_rules = compile_referral_rules(self, name_types, bands)
        check_models(self)
        templates = compile_handoff_templates(self)
        check_interrupts(self)
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
    def _check_ids(self) -> None:
        doc = self.doc
        self.unique(((s.id, ("sections", i, "id")) for i, s in enumerate(doc.sections)), "section")
        self.unique(((q.id, p + ("id",)) for q, p, _ in all_questions(self.doc)), "question")
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
        clash = set(doc.facts) & ({q.id for q, _, _ in all_questions(self.doc)} | set(CONTEXT_NAMES))
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
        for question, _, _ in all_questions(self.doc):
            options = tuple(o.id for o in options_of(question))
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


def _zone_names() -> set[str]:
    from zoneinfo import available_timezones

    try:
        return available_timezones()
    except OSError:  # pragma: no cover - no zone database at all
        return set()
