"""Handoff scripts and counsellor summaries: Jinja2 templates rendered in its sandbox.

Jinja2's ``SandboxedEnvironment`` is a well-kept sandbox (it refuses unsafe attributes and calls),
and we add our own rule on top: a template only ever receives plain values (str, int, float, bool,
lists and dicts of them) built by the engine, never objects, so there is nothing to escape through.
Variables are checked at load time so a typo is an error with a line number, not a blank at 3 a.m.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import did_you_mean

#: Variables a handoff template may use; all are plain values the engine fills in.
TEMPLATE_VARIABLES = {
    "service": "the call line's name, as said to the caller",
    "caller_name": "the caller's name if given, else empty",
    "location": "where the person is, if given",
    "door": "who is calling (door label)",
    "line": "the number the call came in on",
    "district": "the district code",
    "district_name": "the district's neighbourhoods",
    "language": "the caller's language code",
    "band": "the risk band label",
    "score": "the risk score",
    "suicide_level": "the suicide screen level label, or empty",
    "facts": "labels of the facts that are true, most critical first",
    "recommendation": "the recommended response's name",
    "team": "the roles sent, as text",
    "answers": "answers by question id, as the labels read on screen (answers.caller_name)",
    "notes": "the call-taker's notes, oldest first",
}

MAX_TEMPLATE = 4000


class TemplateProblem(ValueError):
    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


def compile_template(text: str, question_ids: Iterable[str]):
    """Parse and check a template; return the compiled template or raise :class:`TemplateProblem`."""
    if len(text) > MAX_TEMPLATE:
        raise TemplateProblem(f"the template is {len(text)} characters; the limit is {MAX_TEMPLATE}")
    env = environment()
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"template syntax: {exc.message}", exc.lineno or 1) from None
    known_questions = set(question_ids)
    for name in sorted(meta.find_undeclared_variables(tree)):
        if name not in TEMPLATE_VARIABLES:
            raise TemplateProblem(
                f'unknown placeholder "{name}"{did_you_mean(name, TEMPLATE_VARIABLES)}; '
                f"available: {', '.join(TEMPLATE_VARIABLES)}"
            )
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if isinstance(target, nodes.Name) and target.name == "answers":
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if key not in known_questions:
                    raise TemplateProblem(f'answers.{key}: no question has the id "{key}"{did_you_mean(str(key), known_questions)}', node.lineno)
    return env.from_string(text)


def render(template: Any, values: dict[str, Any]) -> str:
    """Render with plain values only. Missing values are a bug in the engine, not the author's."""
    return template.render(**values).strip()
