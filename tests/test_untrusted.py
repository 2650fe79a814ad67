"""The bounded JSON reader's shortcuts: ``load_json`` skips its guarding scans only where they
cannot refuse anything, so it accepts and refuses exactly what the careful reader does."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.untrusted import MAX_DEPTH, MAX_VALUES, UntrustedInputError, _load_json_careful, load_json

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**70), max_value=10**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=40,
)
#: Pieces that each trip one of the bounds, spliced into otherwise ordinary JSON.
HOSTILE_PIECES = [
    '"\\ud800"',
    '"\\uDFFF x"',
    '"\\u00e9"',
    '"\\\\u"',
    "\ud800",
    '"é"',
    "1" * 70,
    "-" + "9" * 65,
    "1e400",
    "-1e999",
    "1." + "0" * 200,
    "NaN",
    "Infinity",
    '{"a": 1, "a": 2}',
    '{"b": {"c": 1, "c": 1}}',
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    "{" * (MAX_DEPTH + 2),
    '"' + "[" * 40 + '"',
    "]",
    ",",
    '"',
    "\\",
]


def _outcome(reader, text: str):
    try:
        return ("value", json.dumps(reader(text), sort_keys=True))
    except UntrustedInputError as exc:
        return ("refused", exc.message, exc.line, exc.column)


def _same(text: str) -> None:
    assert _outcome(load_json, text) == _outcome(_load_json_careful, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, st.booleans())
def test_fast_and_careful_agree_on_json_values(value, ascii_only):
    _same(json.dumps(value, ensure_ascii=ascii_only))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(HOSTILE_PIECES) | JSON_VALUES.map(json.dumps) | st.text(max_size=8),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["[{}]", '{{"k": [{}]}}', "{}", "[1, {}, 2]"]),
)
def test_fast_and_careful_agree_on_hostile_splices(pieces, frame):
    _same(frame.format(", ".join(pieces)))
    _same("".join(pieces))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_fast_and_careful_agree_on_any_text(text):
    _same(text)


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 5])
def test_nesting_at_and_past_the_limit(depth):
    text = "[" * depth + "]" * depth
    _same(text)
    # Brackets inside strings count towards the shortcut's guess, never towards the depth.
    _same(json.dumps(["[" * 50, {"a": "{" * 50}] * 3))
    if depth > MAX_DEPTH:
        with pytest.raises(UntrustedInputError, match="deep"):
            load_json(text)
    else:
        assert load_json(text) is not None


def test_more_values_than_the_limit_are_refused_by_both():
    text = "[" + ",".join(["0"] * (MAX_VALUES + 1)) + "]"
    _same(text)
    with pytest.raises(UntrustedInputError, match="values"):
        load_json(text)


def test_a_lone_surrogate_is_refused_whether_escaped_or_raw():
    for text in ('{"a": "\\ud83d"}', '{"a": "\ud83d"}', '["ok", {"\\udc00": 1}]'):
        _same(text)
        with pytest.raises(UntrustedInputError, match="surrogate"):
            load_json(text)
    assert load_json('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is a character


def test_a_key_written_twice_is_named_first_in_order():
    text = '{"a": 1, "b": 2, "b": 3, "a": 4}'
    _same(text)
    with pytest.raises(UntrustedInputError, match='"b" is written twice'):
        load_json(text)
