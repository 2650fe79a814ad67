"""The referral step's cost per call against the decision path, measured in the same run.

    python3 bench/referrals.py [--calls N] [--rounds R]

For N generated Boston calls (bench/engine.py's generator and seed), each call's state and full
assessment are built first (not timed). Then, in alternating rounds, the best CPU time of:
  * the decision path: engine.evaluate.decide_state on the call's state (what bench/engine.py times);
  * the full assessment the console computes after every event (engine.evaluate.evaluate), for scale;
  * the referral step, in its two parts: the part the walk does as it finishes (which referral rules
    hold, and the call's district, language, age answer and minute of the week:
    engine.evaluate.referral_key on the walk's namespace, and the minute), and the lookup after it
    (engine.referrals.referrals_for_call with the shipped directory: the minute's stretch of the
    week and the memo of offers by rules, district, hours and language, ranked).
Prints microseconds per call and the ratio [target: referral step < 10% of the decision path].

Each round goes through the 2,000 calls in turn, so every call's data has left the processor's caches
by the time it is read again: the lookup, a few reads and one memo lookup per call, is then mostly
waiting on memory. The console runs it straight after the walk that built its names, on data still in
cache; the second figure ("warm") is that cost: each path run again on the same call at once ((time of
4 runs per call - time of 1 run per call) / 3), for the decision path and the referral step alike.
The walk's part runs inside evaluate on the namespace it has just written, so it is counted warm in
both figures (run on its own on a cold namespace it would wait on memory the walk does not).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crisis_triage.engine import session_from_answers
from crisis_triage.engine.evaluate import _local, _minute_of_week, _plan, decide_state, evaluate, referral_key
from crisis_triage.engine.referrals import referrals_for_call
from crisis_triage.protocol import load_protocol
from crisis_triage.protocol.directory import load_directory_for
from crisis_triage.replay.generate_calls import generate_calls

BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
TARGET = 0.10


def _sessions(protocol, count: int):
    sessions = []
    for call in generate_calls(protocol, count, seed=11):
        session = session_from_answers(
            protocol,
            call["answers"],
            at=datetime.fromisoformat(call["at"]),
            door=call["door"],
            line=call["line"],
            district=call["district"],
            language=call["language"],
            interrupts=call["interrupts"],
        )
        sessions.append((session.state, session.assessment))
    return sessions


def _time(function, rounds_of) -> float:
    started = time.process_time()
    function(rounds_of)
    return time.process_time() - started


def _again(path, times):
    """``path`` run ``times`` times back to back on every call."""

    def run(calls):
        for state, assessment in calls:
            for _ in range(times):
                path(state, assessment)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    referral_figures(args.calls, args.rounds)


def referral_figures(count: int, rounds: int) -> None:
    """Print the referral step's figures (bench/engine.py prints them too, beside the engine's)."""
    protocol = load_protocol(BOSTON)
    directory = load_directory_for(protocol)
    calls = _sessions(protocol, count)
    offered = sum(len(referrals_for_call(protocol, directory, s, a)) for s, a in calls)

    def decisions(calls):
        for state, _ in calls:
            decide_state(protocol, state)

    def assessments(calls):
        for state, _ in calls:
            evaluate(protocol, state)

    def referrals(calls):
        for state, assessment in calls:
            referrals_for_call(protocol, directory, state, assessment)

    def decide_one(state, _assessment):
        decide_state(protocol, state)

    plan = _plan(protocol)

    # What evaluate hands the walk's part (the call's time on the protocol's clock it has already
    # worked out for the walk's hour), prepared for each call: it is timed as evaluate calls it.
    walk_parts = [(plan, state, assessment.names, _local(plan, state)) for state, assessment in calls]

    def walk_part(times):
        def run(_calls):
            for plan, state, names, local in walk_parts:
                for _ in range(times):  # as evaluate runs them: the key, and the minute when a rule holds
                    key = referral_key(plan, state, names)
                    _minute_of_week(local) if key[0] else 0

        return run

    def refer_one(state, assessment):
        referrals_for_call(protocol, directory, state, assessment)

    warm_paths = {
        (name, times): _again(path, times)
        for name, path in (("decide", decide_one), ("refer", refer_one))
        for times in (1, 4)
    }
    warm_paths.update({("in walk", times): walk_part(times) for times in (1, 4)})
    warm = dict.fromkeys(warm_paths, float("inf"))
    best_decide = best_refer = best_assess = float("inf")
    for _ in range(rounds):  # interleaved: load on the machine falls on all alike
        best_decide = min(best_decide, _time(decisions, calls))
        best_assess = min(best_assess, _time(assessments, calls))
        best_refer = min(best_refer, _time(referrals, calls))
        for key, run in warm_paths.items():
            warm[key] = min(warm[key], _time(run, calls))
    warm_decide = (warm["decide", 4] - warm["decide", 1]) / 3
    warm_refer = (warm["refer", 4] - warm["refer", 1]) / 3
    in_walk = (warm["in walk", 4] - warm["in walk", 1]) / 3
    per_call = 1e6 / len(calls)
    step = best_refer + in_walk
    ratio = step / best_decide
    print(f"{len(calls):,} generated Boston calls, {offered / len(calls):.1f} referrals offered per call on average")
    print(f"{'path':<62}{'us/call':>9}")
    print(f"{'decision path (engine.evaluate.decide_state)':<62}{best_decide * per_call:>9.1f}")
    print(f"{'full assessment (engine.evaluate.evaluate)':<62}{best_assess * per_call:>9.1f}")
    print(f"{'referral step: in the walk (engine.evaluate.referral_key)':<62}{in_walk * per_call:>9.2f}")
    print(f"{'referral step: lookup (engine.referrals.referrals_for_call)':<62}{best_refer * per_call:>9.2f}")
    print(f"{'referral step, both parts':<62}{step * per_call:>9.2f}")
    verdict = "within" if ratio < TARGET else "OVER"
    print(
        f"referral step / decision path (calls in turn, caches cold): {ratio:.1%}  [target < {TARGET:.0%}: {verdict}]"
    )
    print(f"referral step / full assessment (what the console computes with it): {step / best_assess:.1%}")
    print("warm (each path again on the same call at once, as the console runs the step after the walk):")
    print(f"{'decision path, warm':<62}{warm_decide * per_call:>9.1f}")
    print(f"{'referral step, both parts, warm':<62}{(warm_refer + in_walk) * per_call:>9.2f}")
    warm_ratio = (warm_refer + in_walk) / warm_decide
    warm_verdict = "within" if warm_ratio < TARGET else "OVER"
    print(f"referral step / decision path, warm: {warm_ratio:.1%}  [target < {TARGET:.0%}: {warm_verdict}]")


if __name__ == "__main__":
    main()
