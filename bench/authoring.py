"""Lint and paths time on generated protocols of 500, 1,000 and 2,000 questions.

Prints, per size: load time (the baseline: the loader's own parse + compile, same process), paths
time and its ratio to loading, lint time (which includes its own walk), the walk's state budget and
whether the walk was exact. Target: paths <= 5 s at 2,000 questions. Run: ``python3 bench/authoring.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support: the protocol generator

from crisis_triage.authoring.explore import explore
from crisis_triage.authoring.lint import lint
from crisis_triage.authoring.source import parse_with_source
from tests.support.protocol_generator import generate_protocol_yaml

SIZES = (500, 1000, 2000)
TARGET_SECONDS = 5.0


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def main(sizes=SIZES) -> int:
    print("budget: partial paths kept per step and door group; 'sampled' walks report lower bounds")
    print(
        f"{'questions':>9}  {'load s':>7}  {'paths s':>8}  {'x load':>7}  {'lint s':>7}  {'budget':>6}  {'ends':>5}  {'asked':>11}  walk"
    )
    worst = 0.0
    for size in sizes:
        text = generate_protocol_yaml(size, seed=1)
        loaded, load_s = timed(parse_with_source, text, f"generated-{size}.yaml")
        exploration, paths_s = timed(explore, loaded.protocol)
        _findings, lint_s = timed(lint, loaded)
        worst = max(worst, paths_s if size == 2000 else 0.0)
        budget = exploration.budget
        print(
            f"{size:>9}  {load_s:>7.2f}  {paths_s:>8.2f}  {paths_s / load_s:>7.1f}  {lint_s:>7.2f}  {budget:>6}  "
            f"{len(exploration.ends):>5}  {len(exploration.asked):>5}/{size:<5}  {'exact' if exploration.exact else 'sampled'}"
        )
    if 2000 in sizes:
        verdict = "within" if worst <= TARGET_SECONDS else "OVER"
        print(f"paths at 2,000 questions: {worst:.2f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
