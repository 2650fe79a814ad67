"""Handoff scripts and counsellor summaries: Jinja2 templates rendered in its sandbox.

Jinja2's ``SandboxedEnvironment`` is a well-kept sandbox (it refuses unsafe attributes and calls),
and we add our own rule on top: a template only ever receives plain values (str, int, float, bool,
lists and dicts of them) built by the engine, never objects, so there is nothing to escape through.
Variables are checked at load time so a typo is an error with a line number, not a blank at 3 a.m.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from ..untrusted import INPUT_FAILURES, describe_failure
from .errors import did_you_mean

if TYPE_CHECKING:
    from jinja2 import Template, nodes
    from jinja2.sandbox import SandboxedEnvironment

# Jinja2 is imported where a template is checked, compiled or rendered, not with this module: the
# console reads a compiled protocol from its cache at start-up and needs Jinja2 only at the handoff
# (~40 ms of every start otherwise).

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
    "unasked_safety": "labels of the safety questions not asked yet (say 'not asked', never 'no risk found')",
    "interpreter": "the interpreter step in words (requested, connected with the interpreter's id), or empty",
    "supervisor": "who was consulted (and what was decided), in words, or empty",
    "without_consent": "help sent without the person's consent: 988's ground and what was heard, or empty",
    "referrals": "referrals given on the call (service, kind, to whom, how), oldest first",
}

MAX_TEMPLATE = 4000
#: Most characters one rendered template (or any value made inside it) may hold: a handoff script is
#: read aloud, a summary is a paragraph. Filters such as center() and replace() could otherwise build
#: gigabytes from a short template.
MAX_OUTPUT = 20_000
#: Longest a template may take to render: a live call waits for it.
MAX_RENDER_SECONDS = 1.0


class TemplateOutputError(ValueError):
    """A template that would make more text, or take longer, than a script may (see :data:`MAX_OUTPUT`)."""


_DEADLINE: ContextVar[float] = ContextVar("template_deadline", default=0.0)


def _check_time() -> None:
    deadline = _DEADLINE.get()
    if deadline and time.monotonic() > deadline:
        raise TemplateOutputError(f"the template took over {MAX_RENDER_SECONDS} s to fill in")


def _check_size(length: int) -> None:
    if length > MAX_OUTPUT:
        raise TemplateOutputError(f"the template makes a text of {length:,} characters; the limit is {MAX_OUTPUT:,}")


def _bounded_center(value: Any, width: int = 80) -> str:
    _check_size(int(width))
    return str(value).center(int(width))


def _bounded_replace(value: Any, old: Any, new: Any, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None:
        occurrences = min(occurrences, max(0, int(count)))
    _check_size(len(text) + occurrences * (len(new) - len(old)))
    return text.replace(old, new, -1 if count is None else int(count))


def _bounded_join(value: Any, d: str = "", attribute: Any = None) -> str:
    items = [str(item) for item in value]
    _check_size(sum(map(len, items)) + len(str(d)) * max(0, len(items) - 1))
    return str(d).join(items)


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the render's time budget before running and its result's size after."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        result = function(*args, **kwargs)
        if isinstance(result, (str, list, tuple)):
            _check_size(len(result))
        return result

    guarded.__name__ = getattr(function, "__name__", "filter")
    for marker in ("jinja_pass_arg",):  # keep Jinja's pass_context/pass_environment markers
        if hasattr(function, marker):
            setattr(guarded, marker, getattr(function, marker))
    return guarded


class TemplateProblem(ValueError):
    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    # No globals (range, cycler, joiner, lipsum, dict, namespace): a template sees only the plain
    # values the engine hands in, and a global's name is reported as an unknown placeholder.
    env.globals.clear()
    # Every filter runs under the render's time and size budget; those that build text from a size
    # (center) or multiply text (replace, join) check the size before building anything.
    env.filters["center"] = _bounded_center
    env.filters["replace"] = _bounded_replace
    env.filters["join"] = _bounded_join
    for name in ALLOWED_FILTERS:
        env.filters[name] = _guarded(env.filters[name])
    return env


#: Filters a template may use: formatting plain values, nothing that reaches objects.
ALLOWED_FILTERS = frozenset(
    {
        "join",
        "default",
        "d",
        "upper",
        "lower",
        "length",
        "count",
        "capitalize",
        "title",
        "trim",
        "first",
        "last",
        "replace",
        "round",
        "int",
        "string",
        "sort",
        "unique",
        "list",
        "wordcount",
        "truncate",
        "striptags",
        "center",
    }
)
#: Tests a template may use in ``{% if x is ... %}``.
ALLOWED_TESTS = frozenset(
    {
        "defined",
        "undefined",
        "none",
        "string",
        "number",
        "sequence",
        "mapping",
        "boolean",
        "true",
        "false",
        "in",
        "eq",
        "ne",
        "equalto",
        "lt",
        "le",
        "gt",
        "ge",
        "odd",
        "even",
        "divisibleby",
    }
)


# Statements and expressions a handoff script never needs and a sandbox escape or a denial of
# service usually does: calls, imports, macros, assignments, arithmetic that multiplies.
@lru_cache(maxsize=1)
def _forbidden_nodes() -> dict[type, str]:
    from jinja2 import nodes

    return {
        nodes.Call: "calling a function",
        nodes.Import: "{% import %}",
        nodes.FromImport: "{% from ... import %}",
        nodes.Include: "{% include %}",
        nodes.Extends: "{% extends %}",
        nodes.Macro: "{% macro %}",
        nodes.CallBlock: "{% call %}",
        nodes.FilterBlock: "{% filter %}",
        nodes.Assign: "{% set %}",
        nodes.AssignBlock: "{% set %}",
        nodes.Pow: "** (power)",
        nodes.Mul: "* (multiplication)",
        nodes.Mod: "% (formatting)",
        nodes.FloorDiv: "// (division)",
        nodes.Div: "/ (division)",
    }


def _check_safe(tree: nodes.Template) -> None:
    """Refuse, at load time, everything a template does not need to fill in a script."""
    from jinja2 import nodes

    forbidden = _forbidden_nodes()
    for node in tree.find_all(nodes.Node):
        for kind, what in forbidden.items():
            if isinstance(node, kind):
                raise TemplateProblem(
                    f"{what} is not allowed in a handoff template; use the variables and filters "
                    f"({', '.join(sorted(ALLOWED_FILTERS)[:8])} ...)",
                    node.lineno,
                )
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise TemplateProblem(
                f'"{node.attr}" cannot be used in a template (names starting with _ are internal)', node.lineno
            )
        if isinstance(node, nodes.Getitem):
            key = getattr(node.arg, "value", None)
            if not isinstance(node.arg, nodes.Const) or not isinstance(key, (str, int)):
                raise TemplateProblem(
                    'only a fixed key can be looked up in a template, e.g. answers["location"]', node.lineno
                )
            if isinstance(key, str) and key.startswith("_"):
                raise TemplateProblem(
                    f'"{key}" cannot be used in a template (names starting with _ are internal)', node.lineno
                )
        if isinstance(node, nodes.For) and any(True for _ in node.find_all(nodes.For)):
            raise TemplateProblem("a loop inside a loop is not allowed in a handoff template", node.lineno)
        if isinstance(node, nodes.Const) and isinstance(node.value, (int, float)) and abs(node.value) > MAX_OUTPUT:
            raise TemplateProblem(
                f"the number {node.value:.0f} is larger than a script needs (at most {MAX_OUTPUT:,})", node.lineno
            )
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and len(node.value) > MAX_TEMPLATE:
            raise TemplateProblem("a text in the template is too long", node.lineno)
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateProblem(
                f'the filter "{node.name}" is not available{did_you_mean(node.name, ALLOWED_FILTERS)}; '
                f"available: {', '.join(sorted(ALLOWED_FILTERS))}",
                node.lineno,
            )
        if isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            raise TemplateProblem(
                f'the test "{node.name}" is not available{did_you_mean(node.name, ALLOWED_TESTS)}; '
                f"available: {', '.join(sorted(ALLOWED_TESTS))}",
                node.lineno,
            )


def compile_template(text: str, question_ids: Iterable[str]) -> Template:
    """Parse and check a template; return the compiled template or raise :class:`TemplateProblem`."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    if len(text) > MAX_TEMPLATE:
        raise TemplateProblem(f"the template is {len(text)} characters; the limit is {MAX_TEMPLATE}")
    env = environment()
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"template syntax: {exc.message}", exc.lineno or 1) from None
    except INPUT_FAILURES as exc:  # deep nesting, a number Python will not convert
        raise TemplateProblem(f"the template cannot be read: {describe_failure(exc)}") from None
    _check_safe(tree)
    known_questions = set(question_ids)
    for name in sorted(meta.find_undeclared_variables(tree)):
        if name not in TEMPLATE_VARIABLES:
            line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), 1)
            raise TemplateProblem(
                f'unknown placeholder "{name}"{did_you_mean(name, TEMPLATE_VARIABLES)}; '
                f"available: {', '.join(TEMPLATE_VARIABLES)}",
                line,
            )
    # find_all yields only nodes of the types it is given
    attribute_nodes = cast("Iterator[nodes.Getattr | nodes.Getitem]", tree.find_all((nodes.Getattr, nodes.Getitem)))
    for node in attribute_nodes:
        target = node.node
        if isinstance(target, nodes.Name) and target.name == "answers":
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if key not in known_questions:
                raise TemplateProblem(
                    f'answers.{key}: no question has the id "{key}"{did_you_mean(str(key), known_questions)}',
                    node.lineno,
                )
    return env.from_string(text)


def is_plain(value: Any, depth: int = 0) -> bool:
    """True for str, int, float, bool, None, and lists / dicts of them (what templates may receive)."""
    if depth > 8:
        return False
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) in (list, tuple):
        return all(is_plain(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain(v, depth + 1) for k, v in value.items())
    return False


def render(template: Any, values: dict[str, Any]) -> str:
    """Render with plain values only, within :data:`MAX_OUTPUT` characters and :data:`MAX_RENDER_SECONDS`.

    A template that would go over a limit (or fails on a value, e.g. ``int`` of a long number) gives
    a one-line notice in place of the text, so the handoff screen shows a clear problem and the live
    call goes on; the template itself is checked at load time, so this only happens with the values
    of a call. Missing or non-plain values are a bug in the engine, not the author's, and raise.
    """
    for name, value in values.items():
        if not is_plain(value):
            # Objects are how sandbox escapes start: refuse them even though the sandbox would too.
            raise TypeError(f"template value {name!r} is a {type(value).__name__}, not a plain value")
    from jinja2 import TemplateError

    token = _DEADLINE.set(time.monotonic() + MAX_RENDER_SECONDS)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**values):
            size += len(chunk)
            _check_size(size)
            _check_time()
            parts.append(chunk)
    except TemplateOutputError as exc:
        return _notice(str(exc))
    except (*INPUT_FAILURES, TemplateError) as exc:  # a call's value the template cannot use
        return _notice(describe_failure(exc) if isinstance(exc, INPUT_FAILURES) else str(exc))
    finally:
        _DEADLINE.reset(token)
    return "".join(parts).strip()


def _notice(reason: str) -> str:
    return f"[This text cannot be shown: {reason}. Read the script from the printed protocol and tell its author.]"
