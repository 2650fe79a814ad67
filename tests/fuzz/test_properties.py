"""Property-based tests (hypothesis) of the bounded reader and the template renderer: whatever the
input, the answer is a value or a located problem, never another exception."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.protocol.templates import MAX_OUTPUT, TemplateProblem, compile_template, render
from crisis_triage.replay.calls import BadLine, CallRecord, read_line
from crisis_triage.untrusted import UntrustedInputError, load_json
from tests.fuzz.mutate import TEMPLATE_PIECES, TEMPLATE_VALUES

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_json_or_a_problem(text):
    try:
        load_json(text)
    except UntrustedInputError as exc:
        assert exc.message


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["id", "door", "at", "answers", "tags", "notes", "x"]), JSON_VALUES))
def test_any_json_object_is_a_call_or_a_bad_line(data):
    item = read_line(json.dumps(data), 7)
    assert isinstance(item, (CallRecord, BadLine))
    if isinstance(item, BadLine):
        assert item.line == 7 and item.message
    else:
        json.dumps(item.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TEMPLATE_PIECES) | st.text(max_size=12), min_size=1, max_size=6))
def test_any_template_is_refused_at_load_or_renders_within_bounds(pieces):
    text = "".join(pieces)
    try:
        template = compile_template(text, ["location"])
    except TemplateProblem as exc:
        assert exc.message and exc.line >= 1
        return
    started = time.perf_counter()
    rendered = render(template, TEMPLATE_VALUES)
    assert len(rendered) <= MAX_OUTPUT + 200
    assert time.perf_counter() - started < 5
