"""Cycles in a dependency graph, for load-time checks (derived facts, questions and facts, fallbacks)."""

from __future__ import annotations


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node, or a node pointing at itself (Tarjan).

    Iterative, so a long chain of dependencies in a large protocol cannot exhaust Python's stack.
    Each cycle lists its members in the order the edges run (a → b means a is followed by b).
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in list(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, [])
            descended = False
            while position < len(successors):
                nxt = successors[position]
                position += 1
                if nxt not in index:
                    work.append((node, position))
                    work.append((nxt, 0))
                    descended = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if descended:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in graph.get(node, []):
                    result.append(list(reversed(component)))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result
