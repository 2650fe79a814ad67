"""The generated protocols used by benchmarks and authoring tests load and can be walked."""

from __future__ import annotations

import pytest

from crisis_triage.engine import CallSession, CallStarted
from crisis_triage.protocol import parse_protocol
from tests.support.protocol_generator import generate_protocol_yaml


@pytest.mark.parametrize("count", [1, 5, 8, 9, 23, 150])
@pytest.mark.parametrize("seed", [1, 7])
def test_generated_protocol_loads_with_exactly_n_questions(count, seed):
    protocol = parse_protocol(generate_protocol_yaml(count, seed))
    assert len(protocol.questions) == count
    assert protocol.questions[0].safety


def test_same_arguments_same_text_other_seed_other_text():
    assert generate_protocol_yaml(60, 3) == generate_protocol_yaml(60, 3)
    assert generate_protocol_yaml(60, 3) != generate_protocol_yaml(60, 4)


def test_generated_protocol_has_the_realistic_parts():
    protocol = parse_protocol(generate_protocol_yaml(120, 2))
    types = {q.type for q in protocol.questions}
    assert types == {"yes_no", "choice", "multi", "number", "text"}
    assert sum(q.when is not None for q in protocol.questions) > 30
    assert protocol.derived_facts and protocol.overrides and protocol.guarantees
    assert any(m.fallback for m in protocol.models.values())
    assert protocol.document.handoff is not None
    assert len({q.section.id for q in protocol.questions}) >= 10


def test_a_call_can_be_walked_to_a_recommendation(noon):
    protocol = parse_protocol(generate_protocol_yaml(80, 5))
    session = CallSession(protocol, CallStarted(at=noon, door="family", district="B2"))
    while (question := session.assessment.next_question) is not None:
        value = {"yes_no": "yes", "choice": "often", "multi": ["crying"], "number": 9, "text": "noted"}[question.type]
        session.answer(question.id, value, noon)
    recommendation = session.assessment.recommendation
    assert not recommendation.provisional
    assert "police" in recommendation.team  # every safety answer was yes
    assert session.handoff() is not None


def test_zero_questions_is_refused():
    with pytest.raises(ValueError):
        generate_protocol_yaml(0)
