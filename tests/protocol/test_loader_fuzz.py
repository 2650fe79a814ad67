"""Whatever an author's slip does to the file, the loader answers with problems, never a traceback.

The slips and edits are the fuzz harness's (tests/fuzz/mutate.py), without its attacks: this is the
quick property in the default suite; the harness's long runs add the hostile inputs.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.protocol import ProtocolError, parse_protocol
from tests.fuzz.mutate import boston_text, mutate_text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_a_broken_copy_gives_problems_with_locations_never_an_exception(seed):
    text = mutate_text(boston_text(), random.Random(seed), attacks=False)
    try:
        parse_protocol(text, "boston.yaml")
    except ProtocolError as exc:
        assert exc.problems
        lines = text.count("\n") + 1
        for problem in exc.problems:
            assert problem.code and problem.message
            assert 0 <= problem.line <= lines + 1, str(problem)
            assert str(problem).startswith("boston.yaml")
