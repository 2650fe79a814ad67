"""The replay outcome path (``engine.decide.outcome``) says exactly what the explained assessment
with ``reasons=False`` says, field for field, on every kind of call: interrupts, unavailable
models, odd hours, answers to questions that do not apply, required questions left unanswered."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine.decide import assess, outcome
from crisis_triage.protocol import parse_protocol
from crisis_triage.replay.generate_calls import generate_calls
from tests.support.protocol_generator import generate_protocol_yaml


def _reference(protocol, answers, **context):
    """The outcome as read off the whole explained assessment (what replay wrote before the shortcut)."""
    assessment = assess(protocol, answers, reasons=False, **context)
    rec = assessment.recommendation
    return (
        rec.model,
        rec.preferred_model,
        rec.team,
        rec.notify,
        assessment.risk.band,
        assessment.risk.score,
        assessment.risk.suicide_level,
        rec.rule,
        rec.because,
        rec.notes,
        rec.fallbacks,
        rec.guarantees,
        rec.deciding_values,
        tuple(sorted(assessment.facts)),
        rec.provisional,
        tuple(d.question.id for d in assessment.dropped),
    )


def _varied(protocol, calls, seed):
    """The generated calls, with some answers removed or swapped and the setting changed, so that
    questions stop applying (dropped answers), required ones go unanswered, interrupts and
    unavailable models and the hours move the decision."""
    rng = random.Random(seed)
    models = list(protocol.models)
    interrupts = list(protocol.interrupts)
    for call in calls:
        answers = dict(call["answers"])
        for qid in list(answers):
            roll = rng.random()
            if roll < 0.08:
                del answers[qid]
            elif roll < 0.14:
                question = protocol.question_by_id[qid]
                if question.type in ("yes_no", "choice"):
                    answers[qid] = rng.choice(sorted(question.option_ids))
        at = datetime.fromisoformat(call["at"]) + timedelta(hours=rng.randrange(24))
        context = {
            "at": at,
            "door": call["door"],
            "line": call["line"],
            "district": call["district"],
            "language": call["language"],
            "interrupts": rng.sample(interrupts, rng.randrange(3)) if interrupts and rng.random() < 0.3 else [],
            "unavailable": {rng.choice(models): "busy"} if rng.random() < 0.3 else None,
        }
        yield answers, context


@pytest.mark.parametrize("which", ["boston", "boston_2026_11"])
def test_outcome_is_the_assessment_without_its_explanation_on_boston(request, which):
    protocol = request.getfixturevalue(which)
    for answers, context in _varied(protocol, list(generate_calls(protocol, 500, seed=11)), seed=3):
        assert tuple(outcome(protocol, answers, **context)) == _reference(protocol, answers, **context)


def test_outcome_agrees_on_a_generated_protocol():
    protocol = parse_protocol(generate_protocol_yaml(150, seed=4))
    for answers, context in _varied(protocol, list(generate_calls(protocol, 120, seed=2)), seed=5):
        assert tuple(outcome(protocol, answers, **context)) == _reference(protocol, answers, **context)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), keep=st.floats(0, 1))
def test_outcome_agrees_on_partial_calls(boston, seed, keep):
    """A call cut short anywhere (the first questions only, or a random part of them)."""
    call = next(iter(generate_calls(boston, 1, seed=seed)))
    rng = random.Random(seed)
    answers = {q: v for q, v in call["answers"].items() if rng.random() < keep}
    context = {"at": datetime.fromisoformat(call["at"]), "door": call["door"], "district": call["district"]}
    assert tuple(outcome(boston, answers, **context)) == _reference(boston, answers, **context)
