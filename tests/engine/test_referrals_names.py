"""The referral step tests its rules on the walk's own namespace (``Assessment.names``): on every
call it holds exactly the names the referral conditions read, as gathered from the assessment's
parts, through skips, revisions, answers that stop applying, interrupts and changes of district;
and the offers read from it are those read from the gathered names."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine import CallSession, SessionError
from crisis_triage.engine.evaluate import referral_rule_mask
from crisis_triage.engine.events import Answered, CallStarted, ContextChanged, InterruptRecorded, Revised, Skipped
from crisis_triage.engine.referrals import _keys_read, referral_names, referrals_for_call
from crisis_triage.protocol.directory import load_directory_for, minute_of_week
from crisis_triage.replay.generate_calls import generate_calls


def _walk(protocol, seed: int):
    """A call built event by event with random skips, revisions and context changes; each state seen."""
    rng = random.Random(seed)
    call = next(iter(generate_calls(protocol, 1, seed=seed)))
    at = datetime.fromisoformat(call["at"])
    session = CallSession(
        protocol,
        CallStarted(at=at, door=call["door"], line=call["line"], district=call["district"], language="en"),
    )
    yield session
    for step, (qid, value) in enumerate(call["answers"].items()):
        at += timedelta(minutes=rng.randrange(1, 90))
        question = protocol.question_by_id[qid]
        roll = rng.random()
        if roll < 0.1 and not question.spec.required:
            event = Skipped(at=at, question=qid)
        elif roll < 0.2 and step and question.type in ("yes_no", "choice"):
            earlier = rng.choice(list(session.state.answers) or [qid])
            earlier_question = protocol.question_by_id[earlier]
            if earlier_question.type in ("yes_no", "choice"):
                event = Revised(at=at, question=earlier, value=rng.choice(sorted(earlier_question.option_ids)))
            else:
                event = Answered(at=at, question=qid, value=value)
        elif roll < 0.25 and protocol.interrupts:
            event = InterruptRecorded(at=at, interrupt=rng.choice(sorted(protocol.interrupts)))
        elif roll < 0.3:
            event = ContextChanged(at=at, district=rng.choice(sorted(protocol.districts)))
        else:
            event = Answered(at=at, question=qid, value=value)
        try:
            session.apply(event)
        except SessionError:  # an event the session refuses (a revision of a dropped answer): skip it
            continue
        yield session


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 100_000))
def test_the_walk_namespace_holds_the_names_the_referral_rules_read(boston, seed):
    keys = _keys_read(boston)
    directory = load_directory_for(boston)
    for session in _walk(boston, seed):
        state, assessment = session.state, session.assessment
        gathered = referral_names(boston, state, assessment)
        assert {key: assessment.names[key] for key in keys} == gathered
        # The walk's record of the referral lookup is what the rules and the call give, gathered by hand.
        plan_mask = referral_rule_mask(boston)
        assert plan_mask is not None
        assert assessment.referral_key is not None
        fired = plan_mask(gathered)
        assert assessment.referral_key == (fired, state.district, state.language, state.answers.get("age_group"))
        if fired:  # the minute of the week on the protocol's clock, which the directory's stretches read
            assert assessment.referral_minute == minute_of_week(
                state.now.astimezone(ZoneInfo(boston.document.protocol.timezone))
            )
        # An assessment without the walk's record or its namespace: both gathered from its parts.
        by_hand = replace(assessment, names={}, referral_key=None)
        assert referrals_for_call(boston, directory, state, assessment) == referrals_for_call(
            boston, directory, state, by_hand
        )
