"""The checks on how the protocol's names depend on each other: derived facts in an order with no
circle, no question whose asking depends on its own answer, and no question no call can reach.
Typed against :class:`SectionCompiler` (no import of the compiler).
"""

from __future__ import annotations

from .compiled import CompiledQuestion
from .conditions import Condition, NameType
from .cycles import cycles as _cycles
from .errors import Path
from .question_checks import question_path
from .reachability import Reachability, door_callers
from .section_compiler import SectionCompiler


def compile_derived_facts(
    compiler: SectionCompiler, names: dict[str, NameType], bands: tuple[str, ...]
) -> tuple[tuple[str, Condition], ...]:
    """The derived facts' conditions, each after the derived facts it reads; circles reported by name."""
    compiled: dict[str, Condition] = {}
    for fact, spec in compiler.doc.facts.items():
        condition = compiler.condition(
            spec.when, names, bands, ("facts", fact, "when"), forbid=("band", "score", "suicide_level")
        )
        if condition is not None:
            compiled[fact] = condition
    # Order so each fact comes after the derived facts it reads; report cycles by name.
    graph = {f: [n for n in c.names if n in compiled] for f, c in compiled.items()}
    for cycle in _cycles(graph):
        names_in = " → ".join(cycle + [cycle[0]])
        compiler.error(
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


def check_question_graph(
    compiler: SectionCompiler, questions: tuple[CompiledQuestion, ...], derived: tuple[tuple[str, Condition], ...]
) -> None:
    """A question whose condition reads a fact its own answer sets (directly or through derived facts) is a cycle."""
    graph: dict[str, list[str]] = {}
    for question in questions:
        node = f"question {question.id}"
        graph.setdefault(node, []).extend(f"fact {f}" for f, _ in question.sets)
        if question.when:
            for name in question.when.names:
                if name in compiler.doc.facts:
                    graph.setdefault(f"fact {name}", []).append(node)
    by_id = {q.id: q for q in questions}
    for fact, condition in derived:
        for name in condition.names:
            if name in compiler.doc.facts:
                graph.setdefault(f"fact {name}", []).append(f"fact {fact}")
            elif name in by_id:
                graph.setdefault(f"question {name}", []).append(f"fact {fact}")
    for cycle in _cycles(graph):
        if not any(c.startswith("question ") for c in cycle):
            continue  # a cycle among derived facts alone is reported by compile_derived_facts
        first = next((c for c in cycle if c.startswith("question ")), cycle[0])
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start]
        path: Path = ("facts",)
        if first.startswith("question "):
            q = by_id[first.split(" ", 1)[1]]
            path = question_path(compiler.doc, q) + ("when",)
        compiler.error(
            "cycle", "asking depends on its own answer, in a circle: " + " → ".join(ordered + [ordered[0]]), path
        )


def check_reachable(
    compiler: SectionCompiler,
    questions: tuple[CompiledQuestion, ...],
    names: dict[str, NameType],
    bands: tuple[str, ...],
) -> None:
    """Report questions no call can reach (see :mod:`.reachability`: sound, never a false alarm)."""
    checker = Reachability(names, bands, door_callers(compiler.doc.doors))
    for question in questions:
        why = checker.unreachable(question)
        if why is not None:
            where = ("doors",) if question.doors is not None and not question.doors else ("when",)
            compiler.error("unreachable", why, question_path(compiler.doc, question) + where, key=where == ("doors",))
