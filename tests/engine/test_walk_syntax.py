"""The compiled walk's own position filler places every node as :func:`ast.fix_missing_locations`
does (it is a loop for speed, not a different rule), on every tree the Boston protocol's walks build."""

from __future__ import annotations

import ast
import copy

from crisis_triage.engine import walk_syntax
from crisis_triage.engine.compiled_refresh import build_refresh
from crisis_triage.engine.compiled_walk import Mode, build_answers, build_walk


def test_positions_are_those_python_gives(boston, monkeypatch):
    trees: list[ast.AST] = []
    fill = walk_syntax.fix_missing_locations

    def keep(root: ast.AST) -> None:
        trees.append(copy.deepcopy(root))
        fill(root)

    monkeypatch.setattr(walk_syntax, "fix_missing_locations", keep)
    refresh = build_refresh(boston)
    for mode in Mode:
        build_walk(boston, mode, refresh)
    build_answers(boston.questions)
    assert len(trees) >= 5
    for tree in trees:
        ours, python = copy.deepcopy(tree), copy.deepcopy(tree)
        fill(ours)
        ast.fix_missing_locations(python)
        assert ast.dump(ours, include_attributes=True) == ast.dump(python, include_attributes=True)
