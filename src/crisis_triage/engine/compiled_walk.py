"""The one walk of a protocol: how a call's answers become facts, points, a band and a decision.

This module is the only place the protocol's walk and risk scoring are written down. It lays the
walk out as straight-line code, built once per protocol: one block per question in asking order
(the question's doors, its condition seen as the call stands *before* it, the answer, its points,
the facts it sets), and one ``refresh`` (derived facts, the band from the points, overrides that
lift it, the suicide screen's level and the band that level requires). Everything else runs this
code: the explained assessment, the decision-only path, the next-question walk, replay's outcome
(all four in :mod:`.evaluate`), replay, grading (through :class:`~crisis_triage.engine.CallSession`) and the
authoring explorer (:mod:`crisis_triage.authoring.explore`, through :func:`build_answers` and
:func:`~.compiled_refresh.build_refresh_from`). ``refresh``, the decision rules and condition masks are
compiled by :mod:`.compiled_refresh`, the walk's other half. To change how scoring works, change it in
these two modules.

The code is a syntax tree built here from constants and from the conditions' *checked* trees
(:meth:`crisis_triage.protocol.conditions.Condition.tree`); no author text is ever parsed or run as
Python. The hand-written Boston rules in bench/boston_by_hand.py are the behaviour it is tested
against (tests/engine/test_decide.py, bench/engine.py).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Mapping, Sequence
from enum import Enum
from itertools import repeat
from typing import Any, NamedTuple

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED, NS, RANK_SUFFIX, Condition
from . import walk_syntax as syntax
from .compiled_refresh import Namespace, Refresh

#: ``answer(ns, answered, value) -> (points, facts set)``: record one answer, as the walk does.
Answer = Callable[[Namespace, set[str], Any], tuple[int, tuple[str, ...]]]


class Mode(Enum):
    """What a compiled walk is for (one builder and the same blocks, so the forms cannot drift apart)."""

    DECIDE = "decide"
    """``walk(ns, answers, door, answered) -> score``: answers only, no explanation."""
    NEXT = "next"
    """``walk(ns, answers, door, answered, skipped) -> index``: stop at the first question to ask (-1: none)."""
    EXPLAIN = "explain"
    """``walk(ns, answers, door, answered, unanswered, took, drop) -> score``: report every question's status."""
    OUTCOME = "outcome"
    """``walk(ns, answers, door, answered, drop) -> (score, pending)``: what replay writes of a call given
    all at once. ``drop(question id)`` for each answer to a question that does not apply; ``pending``
    is true when a required question applies and has no answer. Nothing else is reported, so an
    unanswered question that is not required is not looked at (as in ``DECIDE``)."""


_MISSING = object()


def _multi_points(risk: Mapping[str, int], values: Collection[str]) -> int:
    return sum(map(risk.get, values, _ZEROS))  # risk.get(v, 0) for each v, without a generator's frames


_ZEROS = repeat(0)


# -- the questions -----------------------------------------------------------------------------------
def derived_names(protocol: Protocol) -> frozenset[str]:
    """Names ``refresh`` works out: a question whose condition reads one needs a refresh before it."""
    return frozenset({f for f, _ in protocol.derived_facts} | {"band", "score", "suicide_level", "band" + RANK_SUFFIX})


def _points(i: int, question: CompiledQuestion, constants: dict[str, Any]) -> ast.expr:
    """The risk points of the answer ``_v``: a multiple choice adds up the points of every option picked."""
    constants[f"_R{i}"] = dict(question.risk)
    if question.type == "multi":
        return syntax.call("_multi_points", syntax.name(f"_R{i}"), syntax.name("_v"))
    return syntax.method(f"_R{i}", "get", syntax.name("_v"), ast.Constant(0))


def _answer_block(
    i: int, question: CompiledQuestion, explain: bool, constants: dict[str, Any], reads: _Reads | None = None
) -> list[ast.stmt]:
    """Record the answer ``_v`` to question ``i``: its value, its points, the facts it sets.

    With ``explain`` the points and facts are also left in ``_p`` and ``_fs`` for the explanation.
    Given ``reads`` (the decision-only walk), the answer is stored only where some condition reads it.
    """
    qid = question.id
    multi = question.type == "multi"
    stored = syntax.call("frozenset", syntax.name("_v")) if multi else syntax.name("_v")
    block: list[ast.stmt] = []
    if reads is None or qid in reads.names or (question.sets and question.facts_by_answer is None):
        block.append(syntax.store(syntax.ns_item(qid, store=True), stored))
    if reads is None or (reads.answered and (reads.answered_ids is None or qid in reads.answered_ids)):
        block.append(ast.Expr(syntax.call("_add", ast.Constant(qid))))
    if (
        question.type in ("yes_no", "choice")
        and (question.risk or question.sets)
        and question.facts_by_answer is not None
    ):
        return block + _by_option(question, explain)
    if question.risk:
        points = _points(i, question, constants)
        if explain:
            block += [
                syntax.assign("_p", points),
                ast.AugAssign(target=syntax.local("_score"), op=ast.Add(), value=syntax.name("_p")),
            ]
        else:
            block.append(ast.AugAssign(target=syntax.local("_score"), op=ast.Add(), value=points))
    elif explain:
        block.append(syntax.assign("_p", 0))
    table = question.facts_by_answer
    if question.sets and table is not None:
        constants[f"_T{i}"] = dict(table)
        facts: ast.expr = syntax.method(f"_T{i}", "get", syntax.name("_v"), ast.Tuple([], ast.Load()))
        if explain:
            block.append(syntax.assign("_fs", facts))
            facts = syntax.name("_fs")
        block.append(
            ast.For(
                target=syntax.local("_f"),
                iter=facts,
                body=[syntax.store(ast.Subscript(syntax.name(NS), syntax.name("_f"), ast.Store()), ast.Constant(True))],
                orelse=[],
            )
        )
    elif question.sets:
        block += _sets_by_condition(question, explain)
    elif explain:
        block.append(syntax.assign("_fs", ast.Tuple([], ast.Load())))
    return block


def _by_option(question: CompiledQuestion, explain: bool) -> list[ast.stmt]:
    """A one-answer question's points and facts as one test per option that adds any: ``if _v ==
    "yes": _score += 3; _ns["weapon_present"] = True; elif ...`` (for a question with a few options,
    cheaper than looking the answer up in a table of points and one of facts)."""
    table = question.facts_by_answer or {}
    values = [o.id for o in question.options]
    values += [v for v in question.risk if v not in values]
    branches: list[tuple[str, list[ast.stmt]]] = []
    for value in values:
        points, facts = question.risk.get(value, 0), table.get(value, ())
        if not (points or facts):
            continue
        body: list[ast.stmt] = []
        if points:
            body.append(ast.AugAssign(target=syntax.local("_score"), op=ast.Add(), value=ast.Constant(points)))
        body += [syntax.store(syntax.ns_item(fact, store=True), ast.Constant(True)) for fact in facts]
        if explain:
            facts_tuple = ast.Tuple([ast.Constant(f) for f in facts], ast.Load())
            body += [syntax.assign("_p", points), syntax.assign("_fs", facts_tuple)]
        branches.append((value, body))
    otherwise: list[ast.stmt] = (
        [syntax.assign("_p", 0), syntax.assign("_fs", ast.Tuple([], ast.Load()))] if explain else []
    )
    for value, body in reversed(branches):
        test = syntax.compare(syntax.name("_v"), ast.Eq(), ast.Constant(value))
        otherwise = [syntax.if_(test, body, otherwise)]
    return otherwise


def _sets_by_condition(question: CompiledQuestion, explain: bool) -> list[ast.stmt]:
    """The facts a question's ``sets`` establish when a condition reads more than the answer: the
    answer is left in ``answer`` for the conditions to read, every condition is tested, then the
    facts whose condition held are set (in ``_fs`` too, with ``explain``, in the order listed)."""
    block: list[ast.stmt] = [syntax.store(syntax.ns_item("answer", store=True), syntax.ns_item(question.id))]
    block += [syntax.assign(f"_e{j}", condition.tree()) for j, (_fact, condition) in enumerate(question.sets)]
    if explain:
        block.append(syntax.assign("_fs", ast.Tuple([], ast.Load())))
    for j, (fact, _condition) in enumerate(question.sets):
        established: list[ast.stmt] = [syntax.store(syntax.ns_item(fact, store=True), ast.Constant(True))]
        if explain:
            fact_tuple = ast.Tuple([ast.Constant(fact)], ast.Load())
            established.append(ast.AugAssign(target=syntax.local("_fs"), op=ast.Add(), value=fact_tuple))
        block.append(syntax.if_(syntax.name(f"_e{j}"), established))
    return block


class _Reads(NamedTuple):
    """What a protocol's conditions read: the decision-only walk stores nothing else."""

    names: frozenset[str]
    answered: bool
    """Some condition uses ``answered(question)``."""
    answered_ids: frozenset[str] | None = None
    """The questions conditions ask ``answered()`` of (None: any may be asked)."""


def _reads(protocol: Protocol) -> _Reads:
    conditions: list[Condition] = [q.when for q in protocol.questions if q.when is not None]
    conditions += [c for q in protocol.questions for _, c in q.sets]
    conditions += [c for _, c in protocol.derived_facts]
    conditions += [c for _, c in protocol.overrides] + [c for _, c in protocol.screen_levels]
    conditions += [c for _, c in protocol.guarantees]
    for rule in protocol.rules:
        conditions += [rule.when] if rule.when is not None else []
        conditions += [c for _, c in rule.also if c is not None]
    answered = any(
        isinstance(node, ast.Constant) and node.value == ANSWERED for c in conditions for node in ast.walk(c.tree())
    )
    return _Reads(frozenset().union(*(c.names for c in conditions)), answered, _answered_ids(conditions))


def _answered_ids(conditions: list[Condition]) -> frozenset[str] | None:
    """The question ids the conditions test with ``answered(question)`` (compiled to ``"q" in
    _ns["_answered"]``); None when the answered set is read any other way."""
    ids: set[str] = set()
    uses = 0
    for condition in conditions:
        for node in ast.walk(condition.tree()):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.slice, ast.Constant)
                and node.slice.value == ANSWERED
            ):
                uses += 1
            elif (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Constant)
                and isinstance(node.left.value, str)
                and len(node.comparators) == 1
                and isinstance(node.comparators[0], ast.Subscript)
                and isinstance(node.comparators[0].slice, ast.Constant)
                and node.comparators[0].slice.value == ANSWERED
            ):
                ids.add(node.left.value)
                uses -= 1  # the Subscript inside it is counted above, as a use this accounts for
    return frozenset(ids) if uses == 0 else None


def _walk_constants() -> dict[str, Any]:
    return {"_M": _MISSING, "_multi_points": _multi_points}


def build_walk(protocol: Protocol, mode: Mode, refresh: Refresh) -> Callable[..., int]:
    """Compile the walk over every question, for ``mode`` (see :class:`Mode` for each signature).

    In asking order: a question applies when the call came in through one of its doors (if it
    lists any) and its condition holds on the call as it stands before it (derived facts and the
    band brought up to date first when the condition reads them). An answer to a question that
    applies is recorded; an answer to one that does not is dropped, not counted.
    """
    constants: dict[str, Any] = {**_walk_constants(), "_refresh": refresh}
    derived = derived_names(protocol)
    explain = mode is Mode.EXPLAIN
    # Forms that hand on only the decision read the namespace and answered set through conditions alone.
    reads = _reads(protocol) if mode in (Mode.DECIDE, Mode.OUTCOME) else None
    body: list[ast.stmt] = [
        syntax.assign("_score", 0),
        syntax.assign("_stale", True),
        # Bound once: the blocks below call it once per answer.
        syntax.assign("_add", ast.Attribute(syntax.name("_answered"), "add", ast.Load())),
    ]
    # Every question's answer (or _M) looked up at once, in asking order, into a local each:
    # (_v0, _v1, ...) = map(_answers.get, _QIDS, _MS).
    constants["_QIDS"] = tuple(q.id for q in protocol.questions)
    constants["_MS"] = (_MISSING,) * len(protocol.questions)
    constants["_map"] = map
    answers = syntax.call(
        "_map", ast.Attribute(syntax.name("_answers"), "get", ast.Load()), syntax.name("_QIDS"), syntax.name("_MS")
    )
    targets = ast.Tuple([syntax.local(f"_v{i}") for i in range(len(protocol.questions))], ast.Store())
    if protocol.questions:
        body.append(syntax.store(targets, answers))
    if mode is Mode.OUTCOME:
        body.append(syntax.assign("_pending", False))
    for i, question in enumerate(protocol.questions):
        qid = question.id
        body.append(syntax.assign("_v", syntax.name(f"_v{i}")))
        recorded = _answer_block(i, question, explain, constants, reads) + [syntax.assign("_stale", True)]
        if explain:
            recorded.append(
                ast.Expr(
                    syntax.call("_took", ast.Constant(i), syntax.name("_v"), syntax.name("_p"), syntax.name("_fs"))
                )
            )
        present = syntax.compare(syntax.name("_v"), ast.IsNot(), syntax.name("_M"))
        # OUTCOME's report of an answer that does not apply (DECIDE reports nothing).
        drop_id: list[ast.stmt] | None = (
            [ast.Expr(syntax.call("_drop", ast.Constant(qid)))] if mode is Mode.OUTCOME else None
        )
        in_door: ast.expr | None = None
        if question.doors is not None:
            constants[f"_D{i}"] = frozenset(question.doors)
            in_door = syntax.compare(syntax.name("_door"), ast.In(), syntax.name(f"_D{i}"))
        condition: list[ast.stmt] = []  # the statements that decide whether it applies, leaving _a
        if question.when is not None:
            if not question.when.names.isdisjoint(derived):
                condition.append(
                    syntax.if_(
                        syntax.name("_stale"),
                        [
                            ast.Expr(syntax.call("_refresh", syntax.name(NS), syntax.name("_score"))),
                            syntax.assign("_stale", False),
                        ],
                    )
                )
            condition.append(syntax.assign("_a", question.when.tree()))
        if mode is Mode.DECIDE or (mode is Mode.OUTCOME and not question.spec.required):
            # An unanswered question changes nothing, whether or not it applies: only answers are looked at.
            gate: ast.expr = present if in_door is None else ast.BoolOp(ast.And(), [present, in_door])
            inner: list[ast.stmt] = recorded
            if question.when is not None:
                inner = condition[:-1] + [syntax.if_(question.when.tree(), recorded, drop_id)]
            if mode is Mode.OUTCOME and in_door is not None:  # an answer through another door is dropped
                body.append(syntax.if_(present, [syntax.if_(in_door, inner, drop_id)]))
            else:
                body.append(syntax.if_(gate, inner))
            continue
        unanswered: list[ast.stmt]
        if mode is Mode.NEXT:
            unanswered = [
                syntax.if_(
                    syntax.compare(ast.Constant(qid), ast.NotIn(), syntax.name("_skipped")),
                    [ast.Return(ast.Constant(i))],
                )
            ]
        elif mode is Mode.OUTCOME:  # a required question (see above): still to ask
            unanswered = [syntax.assign("_pending", True)]
        else:
            unanswered = [ast.Expr(syntax.call("_unanswered", ast.Constant(i)))]
        dropped: list[ast.stmt] | None = None
        if explain:
            dropped = [syntax.if_(present, [ast.Expr(syntax.call("_drop", ast.Constant(i), syntax.name("_v")))])]
        elif drop_id is not None:
            dropped = [syntax.if_(present, drop_id)]
        applied: list[ast.stmt]
        if question.when is None:  # it applies wherever its doors let it
            applied = [syntax.if_(present, recorded, unanswered)]
        else:
            applied = condition + [syntax.if_(syntax.name("_a"), [syntax.if_(present, recorded, unanswered)], dropped)]
        if in_door is not None:
            applied = [syntax.if_(in_door, applied, dropped)]
        body += applied
    if mode is Mode.NEXT:
        body.append(ast.Return(ast.Constant(-1)))
    else:
        body.append(
            syntax.if_(
                syntax.name("_stale"), [ast.Expr(syntax.call("_refresh", syntax.name(NS), syntax.name("_score")))]
            )
        )
        if mode is Mode.OUTCOME:
            body.append(ast.Return(ast.Tuple([syntax.name("_score"), syntax.name("_pending")], ast.Load())))
        else:
            body.append(ast.Return(syntax.name("_score")))
    args = [NS, "_answers", "_door", "_answered"] + {
        Mode.DECIDE: [],
        Mode.NEXT: ["_skipped"],
        Mode.EXPLAIN: ["_unanswered", "_took", "_drop"],
        Mode.OUTCOME: ["_drop"],
    }[mode]
    walk: Callable[..., int] = syntax.function("walk", args, body, constants, f"<protocol walk: {mode.value}>")
    return walk


class AnswerEffects(NamedTuple):
    """One question's answers as the walk records them, compiled from the walk's own blocks."""

    points: Callable[[Any], int]
    """``points(value)``: the risk points the answer adds."""
    record: Answer
    """``record(ns, answered, value) -> (points, facts set)``: record the answer in ``ns``."""


def build_answers(questions: Sequence[CompiledQuestion]) -> dict[str, AnswerEffects]:
    """Per question, how an answer is recorded (the authoring explorer's answer classes and steps)."""
    constants = _walk_constants()
    definitions: list[ast.stmt] = []
    for i, question in enumerate(questions):
        body: list[ast.stmt] = [
            syntax.assign("_score", 0),
            syntax.assign("_add", ast.Attribute(syntax.name("_answered"), "add", ast.Load())),
        ]
        body += _answer_block(i, question, True, constants)
        body.append(ast.Return(ast.Tuple([syntax.name("_p"), syntax.name("_fs")], ast.Load())))
        definitions.append(syntax.definition(f"_record{i}", [NS, "_answered", "_v"], body))
        points = _points(i, question, constants) if question.risk else ast.Constant(0)
        definitions.append(syntax.definition(f"_points{i}", ["_v"], [ast.Return(points)]))
    compiled = syntax.compile_module(ast.Module(body=definitions, type_ignores=[]), constants, "<protocol answers>")
    return {q.id: AnswerEffects(compiled[f"_points{i}"], compiled[f"_record{i}"]) for i, q in enumerate(questions)}


__all__ = [
    "AnswerEffects",
    "Mode",
    "build_answers",
    "build_walk",
    "derived_names",
]
