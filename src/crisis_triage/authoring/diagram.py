"""The flow of a protocol as a diagram: Mermaid (renders on code hosts) or Graphviz DOT (and SVG/PNG).

Questions are grouped by section (one box per section), in asking order; ``overview`` draws one
node per section instead, for protocols of hundreds of questions. Ids from the protocol are
lower_snake_case, so the diagram's own boxes use upper-case ids and cannot clash with them. An arrow into a question
with a condition carries that condition ("if ..."); a dotted "else" arrow skips it. Door-limited
questions say which doors ask them. Interrupts sit in their own box with the fact each records.
After the last question come the decision rules in order (the first that holds decides, "no" goes
to the next) with the model each recommends, and the safety guarantees. Nodes carry the question id,
its first words and what it scores or sets, so a 60-question protocol stays readable.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field

from ..protocol.compiled import CompiledQuestion, Protocol

FORMATS = ("mermaid", "dot", "svg", "png")


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` program is needed for SVG and PNG and is not installed."""


@dataclass
class _Node:
    id: str
    label: str
    shape: str = "box"  # box | round | diamond | stadium | note


@dataclass
class _Edge:
    source: str
    target: str
    label: str = ""
    dotted: bool = False


@dataclass
class _Cluster:
    id: str
    title: str
    nodes: list[_Node] = field(default_factory=list)


@dataclass
class Flow:
    """A protocol's flow, independent of the output language."""

    clusters: list[_Cluster]
    loose: list[_Node]
    edges: list[_Edge]


def _short(text: str, words: int = 9) -> str:
    parts = " ".join(text.split()).split(" ")
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def _question_label(question: CompiledQuestion) -> str:
    lines = [question.id, _short(question.spec.ask["en"])]
    if question.risk:
        lines.append("risk " + ", ".join(f"{a} +{p}" for a, p in question.risk.items()))
    if question.sets:
        lines.append("sets " + ", ".join(f for f, _ in question.sets))
    if question.doors is not None:
        lines.append("doors: " + ", ".join(sorted(question.doors)))
    return "\n".join(lines)


def _section_overview(
    protocol: Protocol, questions: list[CompiledQuestion], loose: list[_Node], edges: list[_Edge]
) -> str:
    """One node per section (questions, conditional ones, facts set), in order; returns the last node."""
    previous = "start"
    sections: dict[str, list[CompiledQuestion]] = {}
    for question in questions:
        sections.setdefault(question.section.id, []).append(question)
    for section_id, members in sections.items():
        section = members[0].section
        conditional = sum(1 for q in members if q.when is not None)
        facts = sorted({f for q in members for f, _ in q.sets})
        points = sum(max(q.risk.values(), default=0) for q in members)
        lines = [
            section.title["en"] + (" (safety)" if section.safety else ""),
            f"{len(members)} questions, {conditional} conditional, up to {points} points",
        ]
        if facts:
            lines.append("sets " + ", ".join(facts[:4]) + (f" +{len(facts) - 4}" if len(facts) > 4 else ""))
        node = f"sec_{section_id}"
        loose.append(_Node(node, "\n".join(lines), "box"))
        edges.append(_Edge(previous, node))
        previous = node
    return previous


def build_flow(protocol: Protocol, door: str | None = None, overview: bool = False) -> Flow:
    """The flow of ``protocol``; with ``door``, only the questions that door can reach; with
    ``overview``, one node per section instead of one per question (for very long protocols)."""
    questions = [q for q in protocol.questions if door is None or q.doors is None or door in q.doors]
    clusters: dict[str, _Cluster] = {}
    edges: list[_Edge] = []
    start_label = f"Call starts\n{protocol.doors[door].label['en']}" if door else "Call starts\n(any door)"
    loose = [_Node("start", start_label, "stadium")]
    if overview:
        last = _section_overview(protocol, questions, loose, edges)
        return _decision_part(protocol, clusters, edges, loose, [(last, False)])
    for question in questions:
        section = question.section
        cluster = clusters.setdefault(
            section.id, _Cluster(f"sec_{section.id}", section.title["en"] + (" (safety)" if section.safety else ""))
        )
        cluster.nodes.append(_Node(f"q_{question.id}", _question_label(question), "round" if question.when else "box"))
    # Asking order: an arrow into each question ("if ..." when it has a condition) and, past a
    # conditional question, a dotted "else" arrow from the question before it to what comes next.
    sources: list[tuple[str, bool]] = [("start", False)]  # (node, is an "else" arrow)
    for question in questions:
        node = f"q_{question.id}"
        condition = f"if {question.when.source}" if question.when else ""
        for source, skipped in sources:
            label = "; ".join(x for x in ("else" if skipped else "", condition) if x)
            edges.append(_Edge(source, node, label, dotted=skipped))
        sources = [(node, False), (sources[0][0], True)] if question.when else [(node, False)]
    return _decision_part(protocol, clusters, edges, loose, sources)


def _decision_part(
    protocol: Protocol,
    clusters: dict[str, _Cluster],
    edges: list[_Edge],
    loose: list[_Node],
    sources: list[tuple[str, bool]],
) -> Flow:
    """Rules in order, the models they recommend, guarantees and interrupts."""
    rules_cluster = _Cluster("RULES", "Recommendation: the first rule that holds decides")
    model_cluster = _Cluster("MODELS", "Response models")
    for rule in protocol.rules:
        label = f"{rule.spec.id}\n{'if ' + rule.when.source if rule.when else 'otherwise'}"
        rules_cluster.nodes.append(_Node(f"r_{rule.spec.id}", label, "diamond" if rule.when else "box"))
    first_rule = f"r_{protocol.rules[0].spec.id}" if protocol.rules else None
    if first_rule:
        for source, skipped in sources:
            edges.append(_Edge(source, first_rule, "else" if skipped else "", dotted=skipped))
    for i, rule in enumerate(protocol.rules):
        node = f"r_{rule.spec.id}"
        edges.append(_Edge(node, f"m_{rule.spec.recommend}", "yes" if rule.when else ""))
        for addition, condition in rule.also:
            if addition.add:
                edges.append(
                    _Edge(
                        node,
                        f"m_{addition.add}" if addition.add in protocol.models else f"role_{addition.add}",
                        f"also {addition.add}" + (f" if {condition.source}" if condition is not None else ""),
                        dotted=True,
                    )
                )
        if i + 1 < len(protocol.rules) and rule.when is not None:
            edges.append(_Edge(node, f"r_{protocol.rules[i + 1].spec.id}", "no"))
    roles_added = {a.add for r in protocol.rules for a, _ in r.also if a.add and a.add not in protocol.models}
    for model in protocol.document.responses.models:
        team = ", ".join(model.team) or "phone only"
        model_cluster.nodes.append(_Node(f"m_{model.id}", f"{model.name['en']}\nteam: {team}", "stadium"))
        for fallback in model.fallback[:1]:
            edges.append(_Edge(f"m_{model.id}", f"m_{fallback}", "if unavailable", dotted=True))
    for role in sorted(roles_added):
        model_cluster.nodes.append(_Node(f"role_{role}", f"+ {role}", "note"))
    guarantee_cluster = _Cluster("GUARANTEES", "Safety guarantees (always enforced)")
    for guarantee, condition in protocol.guarantees:
        action = f"switch to {guarantee.switch_to}" if guarantee.switch_to else f"add {guarantee.require}"
        guarantee_cluster.nodes.append(
            _Node(f"g_{guarantee.id}", f"{guarantee.id}\nif {condition.source}\n{action}", "note")
        )
    interrupt_cluster = _Cluster("INTERRUPTS", "Interrupts: recordable at any moment")
    for interrupt in protocol.document.interrupts:
        interrupt_cluster.nodes.append(
            _Node(f"i_{interrupt.id}", f"[{interrupt.key}] {interrupt.label['en']}\nsets {interrupt.fact}", "note")
        )
    all_clusters = list(clusters.values()) + [rules_cluster, model_cluster]
    if guarantee_cluster.nodes:
        all_clusters.append(guarantee_cluster)
    if interrupt_cluster.nodes:
        all_clusters.append(interrupt_cluster)
    return Flow(all_clusters, loose, edges)


# -- Mermaid -------------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    return (
        text.replace('"', "#quot;")
        .replace("\n", "<br/>")
        .replace("<=", "#lt;=")
        .replace(">=", "#gt;=")
        .replace(" < ", " #lt; ")
        .replace(" > ", " #gt; ")
    )


_MERMAID_SHAPES = {
    "box": ('["', '"]'),
    "round": ('("', '")'),
    "diamond": ('{"', '"}'),
    "stadium": ('(["', '"])'),
    "note": ('>"', '"]'),
}


def to_mermaid(flow: Flow) -> str:
    lines = ["flowchart TD"]

    def node(n: _Node, indent: str) -> None:
        left, right = _MERMAID_SHAPES[n.shape]
        lines.append(f"{indent}{n.id}{left}{_mermaid_text(n.label)}{right}")

    for n in flow.loose:
        node(n, "  ")
    for cluster in flow.clusters:
        lines.append(f'  subgraph {cluster.id}["{_mermaid_text(cluster.title)}"]')
        lines.append("    direction TB")
        for n in cluster.nodes:
            node(n, "    ")
        lines.append("  end")
    for edge in flow.edges:
        arrow = "-.->" if edge.dotted else "-->"
        if edge.label:
            dotted_label = (
                f'-. "{_mermaid_text(edge.label)}" .->' if edge.dotted else f'-- "{_mermaid_text(edge.label)}" -->'
            )
            lines.append(f"  {edge.source} {dotted_label} {edge.target}")
        else:
            lines.append(f"  {edge.source} {arrow} {edge.target}")
    return "\n".join(lines) + "\n"


# -- DOT -----------------------------------------------------------------------------------------
def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_DOT_SHAPES = {"box": "box", "round": "box", "diamond": "diamond", "stadium": "box", "note": "note"}
_DOT_STYLES = {"round": "rounded", "stadium": "rounded,filled"}


def to_dot(flow: Flow, title: str = "protocol") -> str:
    lines = [
        f'digraph "{_dot_text(title)}" {{',
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
        "  compound=true;",
    ]

    def node(n: _Node, indent: str) -> None:
        style = _DOT_STYLES.get(n.shape)
        extra = f', style="{style}", fillcolor="#eef5ff"' if style else ""
        lines.append(f'{indent}{n.id} [label="{_dot_text(n.label)}", shape={_DOT_SHAPES[n.shape]}{extra}];')

    for n in flow.loose:
        node(n, "  ")
    for cluster in flow.clusters:
        lines.append(f"  subgraph cluster_{cluster.id} {{")
        lines.append(f'    label="{_dot_text(cluster.title)}"; style="rounded"; color="#8899aa";')
        for n in cluster.nodes:
            node(n, "    ")
        lines.append("  }")
    for edge in flow.edges:
        attrs = []
        if edge.label:
            attrs.append(f'label="{_dot_text(edge.label)}"')
        if edge.dotted:
            attrs.append("style=dashed")
        lines.append(f"  {edge.source} -> {edge.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_graphviz(dot_source: str, fmt: str) -> bytes:
    """SVG or PNG bytes from DOT through Graphviz; :class:`GraphvizMissing` when it is not installed."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(
            "Graphviz is not installed, so there is no `dot` program to draw "
            f"{fmt.upper()}: install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
            "or use --format dot or --format mermaid"
        )
    result = subprocess.run(
        [program, f"-T{fmt}"], input=dot_source.encode("utf-8"), capture_output=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"Graphviz failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


def render(protocol: Protocol, fmt: str, door: str | None = None, overview: bool = False) -> str | bytes:
    """The diagram in ``fmt`` (text for mermaid and dot, bytes for svg and png)."""
    flow = build_flow(protocol, door, overview)
    if fmt == "mermaid":
        return to_mermaid(flow)
    dot_source = to_dot(flow, f"{protocol.id} {protocol.version}")
    if fmt == "dot":
        return dot_source
    return render_graphviz(dot_source, fmt)
