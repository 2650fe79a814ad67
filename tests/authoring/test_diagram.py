"""Graph output parses: Mermaid through a structural check, DOT through Graphviz when installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from crisis_triage.authoring import diagram as graph_module
from crisis_triage.authoring.diagram import build_flow, render, to_dot, to_mermaid
from crisis_triage.cli import cli
from crisis_triage.protocol.loader import parse_protocol
from tests.authoring.conftest import ROOT
from tests.support.protocol_generator import generate_protocol_yaml

BOSTON = str(ROOT / "protocols" / "boston-mh-crisis.yaml")
_NODE = re.compile(r'^\s*([A-Za-z_][\w-]*)(\(\[|\[|\(|\{|>)"')
_EDGE = re.compile(r'^\s*([\w-]+) (?:-->|-\.->|-- "[^"]*" -->|-\. "[^"]*" \.->) ([\w-]+)$')


def check_mermaid(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """A structural check of the Mermaid we write: header, balanced subgraphs, quoted labels with no
    raw quotes or line breaks, every edge between declared nodes. Returns (nodes, edges)."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    depth = 0
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("subgraph "):
            depth += 1
            assert re.match(r'^subgraph [\w-]+\["[^"]*"\]$', stripped), line
        elif stripped == "end":
            depth -= 1
            assert depth >= 0
        elif stripped == "direction TB":
            assert depth > 0
        elif (match := _EDGE.match(line)) is not None:
            edges.append((match.group(1), match.group(2)))
        elif (match := _NODE.match(line)) is not None:
            assert match.group(1) not in nodes, f"node declared twice: {match.group(1)}"
            nodes.add(match.group(1))
            label = stripped[len(match.group(1)) + len(match.group(2)) :]
            assert label.count('"') == 2, f"a raw quote inside a label: {line}"
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    assert depth == 0, "a subgraph is not closed"
    for source, target in edges:
        assert source in nodes and target in nodes, f"edge to an undeclared node: {source} -> {target}"
    return nodes, edges


def test_boston_mermaid_is_well_formed_and_shows_the_whole_flow(boston):
    nodes, edges = check_mermaid(to_mermaid(build_flow(boston)))
    assert {f"q_{q.id}" for q in boston.questions} <= nodes
    assert {f"r_{r.spec.id}" for r in boston.rules} <= nodes
    assert {f"m_{m}" for m in boston.models} <= nodes
    assert {f"i_{i}" for i in boston.interrupts} <= nodes
    assert ("q_weapon", "q_weapon_use") in edges
    assert ("r_danger_now", "m_police_emergency") in edges
    text = to_mermaid(build_flow(boston))
    assert "if weapon == #quot;yes#quot;" in text and 'subgraph sec_safety["Safety (safety)"]' in text


def test_the_overview_has_one_node_per_section():
    protocol = parse_protocol(generate_protocol_yaml(300, 1))
    nodes, edges = check_mermaid(render(protocol, "mermaid", overview=True))
    sections = {q.section.id for q in protocol.questions}
    assert {n for n in nodes if n.startswith("sec_")} == {f"sec_{s}" for s in sections}
    assert not any(n.startswith("q_") for n in nodes)
    first = protocol.questions[0].section.id
    assert ("start", f"sec_{first}") in edges


def test_a_door_shows_only_its_questions(boston):
    nodes, _ = check_mermaid(render(boston, "mermaid", door="self"))
    assert "q_with_person" not in nodes and "q_weapon" in nodes


def test_a_large_protocol_stays_grouped_by_section():
    protocol = parse_protocol(generate_protocol_yaml(80, 3))
    text = render(protocol, "mermaid")
    nodes, _ = check_mermaid(text)
    assert len([n for n in nodes if n.startswith("q_")]) == 80
    assert text.count("subgraph ") >= 8


@pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"), reason="Graphviz is not installed")
def test_dot_parses_with_graphviz_and_draws_svg_and_png(boston, tmp_path):
    dot_text = to_dot(build_flow(boston), "boston")
    result = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    assert b"<svg" in result.stdout and b"weapon_use" in result.stdout
    out = tmp_path / "flow.png"
    run = CliRunner().invoke(cli, ["graph", BOSTON, "--format", "png", "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_without_graphviz_says_what_to_do(monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    result = CliRunner().invoke(cli, ["graph", BOSTON, "--format", "svg"])
    assert result.exit_code == 3
    assert "Graphviz is not installed" in result.output and "--format mermaid" in result.output


def test_cli_writes_mermaid_and_rejects_unknown_doors(tmp_path):
    out = tmp_path / "flow.mmd"
    result = CliRunner().invoke(cli, ["graph", BOSTON, "-o", str(out)])
    assert result.exit_code == 0
    check_mermaid(out.read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["graph", BOSTON, "--door", "sefl"])
    assert result.exit_code == 2 and 'did you mean "self"' in result.output
