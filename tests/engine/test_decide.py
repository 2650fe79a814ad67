"""The decision-only path (compiled walk, no explanations) always agrees with the full engine."""

from __future__ import annotations

from datetime import datetime

import pytest

from crisis_triage.engine import SessionError, session_from_answers
from crisis_triage.engine.decide import call_state, decide
from crisis_triage.engine.evaluate import decide_state
from crisis_triage.protocol import parse_protocol
from crisis_triage.replay.generate_calls import generate_calls
from tests.support.protocol_generator import generate_protocol_yaml


@pytest.fixture(scope="session")
def boston(boston_2026_11):
    """These tests pin the engine's mechanics to exact questions: the frozen 2026.11.1 protocol."""
    return boston_2026_11


def _both(protocol, call):
    at = datetime.fromisoformat(call["at"])
    context = {
        "at": at,
        "door": call["door"],
        "line": call["line"],
        "district": call["district"],
        "language": call["language"],
        "interrupts": call["interrupts"],
        "unavailable": call.get("unavailable"),
    }
    session = session_from_answers(protocol, call["answers"], **context)
    assessment = session.assessment
    rec = assessment.recommendation
    full = (rec.model, rec.team, assessment.risk.band, assessment.risk.score, rec.preferred_model, bool(rec.fallbacks))
    fast = decide(protocol, call["answers"], **context)
    assert decide_state(protocol, session.state) == fast
    return full, tuple(fast)


def test_agrees_with_the_engine_on_generated_boston_calls(boston):
    calls = list(generate_calls(boston, 400, seed=5))
    for i, call in enumerate(calls):
        if i % 3 == 0:
            call["unavailable"] = {["co_response", "community_led", "alternative_response"][i % 9 // 3]: "busy"}
        full, fast = _both(boston, call)
        assert full == fast, call


def test_agrees_with_the_engine_on_a_generated_protocol():
    protocol = parse_protocol(generate_protocol_yaml(150, seed=4))
    for call in generate_calls(protocol, 60, seed=2):
        full, fast = _both(protocol, call)
        assert full == fast, call


def test_decision_fields(boston, noon):
    decision = decide(
        boston, {"weapon": "yes", "weapon_use": "yes", "hurt_or_unresponsive": "yes"}, at=noon, door="self"
    )
    assert decision.model == "police_emergency" and decision.team == ("police", "ems")
    assert decision.band == "imminent" and decision.score == 18
    assert decide(boston, {"weapon": True}, at=noon).team == ("police", "clinician")  # JSON true means yes
    # A multiple-choice answer as one text, as a list in any order, or with repeats: the same state.
    for value in ("agitated", ["agitated"], ["agitated", "agitated"]):
        assert call_state(boston, {"presentation": value}, at=noon).answers == {"presentation": ("agitated",)}
    state = call_state(boston, {"presentation": ["unsafe_outside", "voices"]}, at=noon)
    assert (
        state.answers["presentation"]
        == session_from_answers(boston, {"presentation": ["unsafe_outside", "voices"]}, at=noon).state.answers[
            "presentation"
        ]
        == ("voices", "unsafe_outside")
    )


@pytest.mark.parametrize(
    ("answers", "context", "message"),
    [
        ({"weapon": "maybe"}, {}, 'not an answer to "weapon"'),
        ({"wepon": "yes"}, {}, 'did you mean "weapon"'),
        ({"location": 3}, {}, "takes text"),
        ({"location": "x" * 3000}, {}, "at most"),
        ({}, {"door": "neighbour"}, "unknown door"),
        ({}, {"district": "Z1"}, "unknown district"),
        ({}, {"interrupts": ["fire"]}, "unknown interrupt"),
        ({}, {"unavailable": {"taxi": "x"}}, "unknown response model"),
        ({"presentation": ["voices", "singing"]}, {}, 'not an option of "presentation"'),
    ],
)
def test_bad_input_is_refused_like_the_session_refuses_it(boston, noon, answers, context, message):
    with pytest.raises(SessionError, match=message):
        decide(boston, answers, at=noon, **context)
    with pytest.raises(SessionError, match=message):
        session_from_answers(boston, answers, at=noon, **context)


def test_a_protocol_is_freed_with_its_engine_tables(noon):
    import gc
    import weakref

    protocol = parse_protocol(generate_protocol_yaml(20, seed=3))
    decide(protocol, {}, at=noon)
    _ = session_from_answers(protocol, {}, at=noon).assessment
    ref = weakref.ref(protocol)
    del protocol
    gc.collect()
    assert ref() is None
