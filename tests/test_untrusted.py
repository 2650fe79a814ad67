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


# -- the reading without the duplicate-key hook (untrusted._load_fast) ----------------------------------
#: Keys that collide often, begin or end with a colon, or hold quotes and spaces once escaped.
KEYS = st.sampled_from(["a", "b", ":", ":a", "a:", "a b", " ", "", '"', "é"])
KEY_SEPARATORS = st.sampled_from([": ", ":", " : ", "\n:", ":\t", "\r\n: "])
ITEM_SEPARATORS = st.sampled_from([", ", ",", " ,", ",\n"])


@st.composite
def objects_with_any_keys(draw, depth: int = 0):
    """An object's text whose keys may be written twice, with any spacing (what json.dumps never writes)."""
    key_separator, item_separator = draw(KEY_SEPARATORS), draw(ITEM_SEPARATORS)
    members = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 2 and draw(st.booleans()):
            value = draw(objects_with_any_keys(depth + 1))
        else:
            value = json.dumps(draw(SCALARS | st.sampled_from([":", ":x", '":', "x:"])))
        members.append(json.dumps(draw(KEYS)) + key_separator + value)
    return "{" + item_separator.join(members) + "}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects_with_any_keys(), st.sampled_from(["", "\n", " ", "[{}]"]))
def test_fast_and_careful_agree_on_keys_written_twice(text, frame):
    _same(text + frame if frame.strip() == "" else f"[{text}, {text}]")


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 1}',
        '{"a": ":", "a": ":"}',  # strings that begin with a colon never make up for a key written twice
        '{":a": 1, ":a": 2}',
        '{"a" : 1, "a": 2}',
        '{"a":1,"b":{"a":1,"a":2}}',
        '[{"x": 1}, {"y": 2, "y": 3}]',
        '{"a"\n: 1, "a": 2}',
    ],
)
def test_a_key_written_twice_is_refused_however_it_is_spaced(text):
    _same(text)
    with pytest.raises(UntrustedInputError, match="written twice"):
        load_json(text)


def test_a_line_as_json_dumps_writes_it_is_read_without_the_duplicate_key_hook():
    from crisis_triage import untrusted

    line = json.dumps({"id": "c1", "at": "2026-01-05T00:32:19-05:00", "answers": {"a": "x: y", "b": ["y"]}, "n": 1.5})
    assert untrusted._keys_end_in_colons(line + "\n")
    assert untrusted._load_fast(line + "\n") == json.loads(line)
