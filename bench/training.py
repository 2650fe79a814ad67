"""Training figures: loading and checking the scenario library, grading a call, against the bare engine.

    python3 bench/training.py [--rounds R]

Prints:
  * load + reference-check time of the whole shipped scenario library (ms, and per scenario);
  * `scenarios check` work (play every scenario with the perfect trainee and compare) against a
    baseline that only replays the same events through CallSession.replay: the ratio is the cost
    of the scripted caller, the walk and the comparison on top of the engine itself;
  * grading one practice call (grade_call on the perfect events) against replaying those events.
Timings are the best of R rounds, interleaved, so a busy machine skews each side alike.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crisis_triage.engine import CallSession
from crisis_triage.protocol import load_protocol
from crisis_triage.training.grading import grade_call
from crisis_triage.training.library import load_library
from crisis_triage.training.runner import check_scenario, play_perfect

ROOT = Path(__file__).resolve().parents[1]
BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
SCENARIOS = ROOT / "protocols" / "scenarios"


def best(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    protocol = load_protocol(BOSTON)
    library = load_library(SCENARIOS, protocol)
    scenarios = library.scenarios
    n = len(scenarios)
    events = {s.id: play_perfect(protocol, s).events for s in scenarios}

    load = best(lambda: load_library(SCENARIOS, protocol), args.rounds)
    check, replay = [], []
    for _ in range(args.rounds):  # interleaved
        start = time.perf_counter()
        for scenario in scenarios:
            check_scenario(protocol, scenario)
        check.append(time.perf_counter() - start)
        start = time.perf_counter()
        for scenario in scenarios:
            _ = CallSession.replay(protocol, events[scenario.id]).assessment
        replay.append(time.perf_counter() - start)
    knife = library.by_id("knife_in_kitchen")
    grade = best(lambda: grade_call(protocol, knife, events[knife.id]), args.rounds)
    one_replay = best(lambda: CallSession.replay(protocol, events[knife.id]).assessment, args.rounds)

    print(f"scenario library: {n} scenarios")
    print(f"load + check references      {load * 1000:8.1f} ms   ({load * 1000 / n:.2f} ms per scenario)")
    print(f"scenarios check (all)        {min(check) * 1000:8.1f} ms   ({min(check) * 1000 / n:.2f} ms per scenario)")
    print(
        f"baseline: replay same events {min(replay) * 1000:8.1f} ms   ratio check/replay {min(check) / min(replay):.1f}x"
    )
    print(
        f"grade one call (knife)       {grade * 1000:8.2f} ms   baseline replay {one_replay * 1000:.2f} ms, "
        f"ratio {grade / one_replay:.1f}x"
    )


if __name__ == "__main__":
    main()
