"""The questions' checks: options and keys, doors, conditions read only what is asked before, points,
the facts answers set, and the safety questions' rules (asked on every door, required, an "unknown"
answer scored conservatively). Typed against :class:`SectionCompiler` (no import of the compiler).
"""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Iterable

from .compiled import YES_NO_OPTIONS, CompiledQuestion
from .conditions import NameType
from .errors import Path
from .models import Option, ProtocolDocument, Question
from .section_compiler import SectionCompiler

_DIGIT_KEYS = "123456789"


def all_questions(doc: ProtocolDocument) -> Iterable[tuple[Question, Path, int]]:
    """Every question with its path in the document and its section's index, in asking order."""
    for s, section in enumerate(doc.sections):
        for q, question in enumerate(section.questions):
            yield question, ("sections", s, "questions", q), s


def options_of(question: Question) -> tuple[Option, ...]:
    """A question's options, each with its answer key (yes/no's own; digits given to those without)."""
    if question.type == "yes_no":
        return YES_NO_OPTIONS
    if question.type not in ("choice", "multi"):
        return ()
    taken = {o.key for o in question.options if o.key}
    free = iter(k for k in _DIGIT_KEYS if k not in taken)
    return tuple(o if o.key else o.model_copy(update={"key": next(free, None)}) for o in question.options)


def question_path(doc: ProtocolDocument, question: CompiledQuestion) -> Path:
    """Where a question is in the document (empty when it is not there)."""
    for q, path, _ in all_questions(doc):
        if q.id == question.id:
            return path
    return ()


def compile_questions(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[CompiledQuestion, ...]:
    """Every question compiled (options, doors, condition, points, the facts it sets), its problems
    reported: ids, keys, no wrong door, asked-later, safety questions' unknown and points."""
    doc = compiler.doc
    compiled: list[CompiledQuestion] = []
    door_ids = [d.id for d in doc.doors]
    derived = {f for f, fact in doc.facts.items() if fact.when}
    order = {q.id: i for i, (q, _, _) in enumerate(all_questions(compiler.doc))}
    for index, (question, path, s) in enumerate(all_questions(compiler.doc)):
        section = doc.sections[s]
        options = options_of(question)
        option_ids = [o.id for o in options]
        compiler.unique(
            ((o.id, path + ("options", i, "id")) for i, o in enumerate(options)), f'option of "{question.id}"'
        )
        compiler.unique(
            ((o.key.lower(), path + ("options", i, "key")) for i, o in enumerate(options) if o.key),
            f'answer key of "{question.id}"',
        )
        if question.type in ("choice", "multi") and len(options) > 9 and any(o.key is None for o in options):
            compiler.error("too-many-options", "more than nine options: give each a key", path + ("options",))
        doors = None
        if question.doors is not None:
            doors = frozenset(question.doors)
            for i, door in enumerate(question.doors):
                compiler.reference(door, door_ids, "door", path + ("doors", i))
            if section.safety:
                compiler.error(
                    "no-wrong-door",
                    "safety questions are asked on every door; remove `doors` (no wrong door)",
                    path + ("doors",),
                    key=True,
                )
        when = compiler.condition(question.when, names, bands, path + ("when",))
        if when is not None:
            if section.safety and ({"door", "line", "caller"} & when.names):
                compiler.error(
                    "no-wrong-door",
                    "a safety question cannot depend on the door or line: every caller reaches it",
                    path + ("when",),
                )
            for name in sorted(when.names):
                if name in order and order[name] >= index:
                    what = "itself" if name == question.id else f'"{name}", which is asked after it'
                    compiler.error(
                        "asked-later",
                        f"this question's condition reads {what}; a question can only depend on earlier questions (move it below)",
                        path + ("when",),
                    )
        risk = {}
        for answer, points in question.risk.items():
            if question.type in ("number", "text"):
                compiler.error(
                    "bad-risk",
                    f"{question.type} questions carry no risk points; set a fact and use a risk override",
                    path + ("risk",),
                    key=True,
                )
                break
            if compiler.reference(answer, option_ids, f'answer of "{question.id}"', path + ("risk", answer)):
                risk[answer] = points
        if section.safety and question.type == "choice" and "unknown" not in option_ids:
            compiler.error(
                "safety-unknown",
                'a safety question needs an "unknown" option (the caller cannot say): '
                "it is a first-class answer, scored conservatively",
                path + ("options",),
                key=True,
            )
        if section.safety and question.type in ("yes_no", "choice") and "unknown" in option_ids:
            top = max([p for a, p in risk.items() if a != "unknown"], default=0)
            if top > 0 and risk.get("unknown", 0) < math.ceil(top / 2):
                compiler.error(
                    "unknown-not-conservative",
                    f"on a safety question, unknown must score at least half of the highest answer ({math.ceil(top / 2)}); "
                    f"it scores {risk.get('unknown', 0)}",
                    path + ("risk",),
                    key=True,
                )
        if section.safety and not question.required:
            compiler.error(
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
            if not compiler.reference(fact, doc.facts, "fact", path + ("sets", fact)):
                continue
            if fact in derived:
                compiler.error(
                    "derived-fact-set",
                    f'"{fact}" is worked out from its own condition (facts.{fact}.when); questions cannot set it',
                    path + ("sets", fact),
                    key=True,
                )
                continue
            condition = compiler.condition(text, answer_names, bands, path + ("sets", fact))
            if condition is not None:
                sets.append((fact, condition))
        if (
            question.type == "number"
            and question.min is not None
            and question.max is not None
            and question.min > question.max
        ):
            compiler.error("bad-range", "min is above max", path + ("min",))
        compiled.append(
            CompiledQuestion(
                question.id, question, index, section, section.safety, options, when, doors, tuple(sets), risk
            )
        )
    if not compiled:
        compiler.error("missing", "the protocol has no questions", ("sections",))
    return tuple(compiled)
