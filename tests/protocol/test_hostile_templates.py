"""Templates that would exhaust memory or time (issue 10, reproducer 9): refused at load when the
text says so, bounded at render time otherwise; a live call's handoff shows a clear notice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from protocol_edits import edit, problems

from crisis_triage.protocol import parse_protocol
from crisis_triage.protocol.templates import MAX_OUTPUT, TemplateProblem, compile_template, render

BOSTON = (Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml").read_text(encoding="utf-8")
VALUES = {"service": "the Boston line", "caller_name": "", "notes": ["a", "b"], "answers": {}, "score": 3}


@pytest.mark.parametrize(
    "text",
    [
        "{{ service | center(2000000000) }}",
        "{{ service | truncate(99999999999) }}",
        "{% for a in notes %}{% for b in notes %}x{% endfor %}{% endfor %}",
        "{{ " + "9" * 5000 + " }}",
    ],
)
def test_absurd_templates_are_refused_at_load(text):
    with pytest.raises(TemplateProblem):
        compile_template(text, [])


def test_the_handoff_template_reproducer_is_a_located_problem():
    text = edit(
        BOSTON,
        (
            "en: \"{{ caller_name or 'Thank you' }}, I'm going to bring in",
            "en: \"{{ service | center(2000000000) }}{{ caller_name or 'Thank you' }}, I'm going to bring in",
        ),
    )
    found = [p for p in problems(text) if p.code == "bad-template"]
    assert found and found[0].line > 0 and "20,000" in found[0].message


@pytest.mark.parametrize(
    "text",
    [
        "{{ service | replace('', service) | replace('', service) | replace('', service)"
        " | replace('', service) | replace('', service) }}",
        "{{ service | center(20000) | replace('', 'ab') }}",
        "{% for c in service | center(20000) %}{{ service }}{% endfor %}",
        "{{ (service | center(19000)) ~ (service | center(19000)) }}",
    ],
)
def test_output_over_the_limit_is_a_notice_not_gigabytes(text):
    template = compile_template(text, [])
    started = time.perf_counter()
    rendered = render(template, VALUES)
    assert time.perf_counter() - started < 5
    assert len(rendered) <= MAX_OUTPUT + 200
    assert rendered.startswith("[This text cannot be shown:")


def test_a_value_the_template_cannot_use_never_raises():
    # Jinja's int filter reads a number too long to convert as its default (0); round() of text fails.
    assert render(compile_template("{{ caller_name | int }}", []), {**VALUES, "caller_name": "1" * 5000}) == "0"
    rendered = render(compile_template("{{ caller_name | round }}", []), {**VALUES, "caller_name": "Rosa"})
    assert rendered.startswith("[This text cannot be shown:")


def test_ordinary_templates_render_as_before():
    template = compile_template("{{ caller_name or 'Thank you' }}, {{ service | upper }} {{ notes | join(', ') }}", [])
    assert render(template, VALUES) == "Thank you, THE BOSTON LINE a, b"


def test_the_shipped_protocol_still_compiles_its_templates():
    assert parse_protocol(BOSTON).templates


def test_a_live_calls_handoff_shows_a_notice_for_a_script_that_grows_too_large():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crisis_triage.engine import session_from_answers

    grow = "{{ caller_name | replace('', service) | replace('', service) | replace('', service) }}"
    text = edit(
        BOSTON,
        (
            "en: \"{{ caller_name or 'Thank you' }}, I'm going to bring in",
            f"en: \"{grow}{{{{ caller_name or 'Thank you' }}}}, I'm going to bring in",
        ),
    )
    protocol = parse_protocol(text)
    at = datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("America/New_York"))
    session = session_from_answers(protocol, {"caller_name": "Rosa"}, at=at, door="self", line="alt_line")
    started = time.perf_counter()
    handoff = session.handoff()
    assert time.perf_counter() - started < 5
    assert handoff is not None
    texts = [step.say for step in handoff.steps]
    assert any(t.startswith("[This text cannot be shown:") for t in texts)
    assert all(len(t) <= MAX_OUTPUT + 200 for t in texts)
