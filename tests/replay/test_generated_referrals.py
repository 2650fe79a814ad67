"""Generated calls give some of the referrals the engine offers (issue 16): an import plays them as
ReferralGiven events before the call ends, so the evaluator's referral figures are not empty on
generated data; a calls file naming a service the directory lacks has that line refused, by name."""

from __future__ import annotations

import json
import random

from crisis_triage.engine.events import CallEnded
from crisis_triage.engine.events_referrals import ReferralGiven
from crisis_triage.engine.referrals import referrals_for_call
from crisis_triage.engine.session import CallSession
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.replay.calls import CallRecord
from crisis_triage.replay.generate_after import MOST_GIVEN, after_plan
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.store.import_calls import ImportResult, call_events, imported_records


def test_generated_referrals_are_services_the_engine_offered_on_that_call(shipped):
    directory = load_directory_for(shipped)
    given_calls = offered_calls = 0
    for call in generate_calls(shipped, 300, seed=21):
        events = call_events(shipped, CallRecord(**call))  # applied through the engine: refused if invalid
        session = CallSession.replay(shipped, events)
        given = [e for e in events if isinstance(e, ReferralGiven)]
        planned = call["after"].get("referrals", [])
        assert [(e.service, e.to, e.rule) for e in given] == [(r["service"], r["to"], r["rule"]) for r in planned]
        assert len(given) <= MOST_GIVEN
        ended = next(e for e in events if isinstance(e, CallEnded))
        assert all(e.at < ended.at for e in given), "given on the call, before it ended"
        assert list(session.state.referrals) == given
        # What the engine offered when the questions were done (the generator's moment).
        before_end = CallSession.replay(
            shipped, [e for e in events if e.at <= min([g.at for g in given] or [ended.at])]
        )
        offered = {
            (o.service_id, "family" if o.to == "family" else "caller", o.rule)
            for o in referrals_for_call(shipped, directory, before_end.state, before_end.assessment)
        }
        offered_calls += bool(offered)
        if given:
            given_calls += 1
            for e in given:
                spec = directory.by_id[e.service].spec
                assert (e.service_kind, e.directory) == (spec.kind, directory.id)
    assert offered_calls > 200
    assert 0.3 * offered_calls < given_calls < offered_calls  # some calls, not all


def test_the_rest_of_a_plan_is_the_same_with_or_without_referrals_offered(shipped):
    offered = [
        ("albany_recovery_access", "caller", "substance_use"),
        ("family_support_line", "family", "family_caller"),
    ]
    for n in range(200):
        without = after_plan(shipped, random.Random(f"7/{n}/after"), "alternative_response", ["co_response"])
        with_ = after_plan(shipped, random.Random(f"7/{n}/after"), "alternative_response", ["co_response"], offered)
        with_.pop("referrals", None)
        assert with_ == without


def test_a_service_the_directory_lacks_is_a_bad_line_that_names_it(shipped):
    call = next(c for c in generate_calls(shipped, 300, seed=21) if c["after"].get("referrals"))
    call["after"]["referrals"][0]["service"] = "albany_recovery_acess"  # a typo
    good = next(iter(generate_calls(shipped, 1, seed=3)))
    result = ImportResult()
    imported = list(imported_records(shipped, [json.dumps(call), json.dumps(good)], result=result))
    assert [str(b) for b in result.bad] == [
        f'line 1: call {call["id"]}: no service "albany_recovery_acess" in the referral directory boston_example'
        ' (did you mean "albany_recovery_access"?)'
    ]
    assert result.calls == len(imported) == 1, "the run went on"
