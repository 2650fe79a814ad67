"""Replay figures: 10,000 and 100,000 generated calls through `crisis-triage replay`, time and memory.

    python3 bench/replay.py [--calls 100000] [--distinct 2000]

Calls are streamed into the command through a pipe (2,000 distinct calls repeated under new ids,
generated once in this process), once with full results written (every field, to /dev/null) and
once with --summary-only (the engine's decision-only path). Prints wall time, calls per second and
the replay process's peak memory (ru_maxrss): the peak must not grow with the number of calls.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from crisis_triage.protocol import load_protocol
from crisis_triage.replay.generate_calls import generate_calls

BOSTON = Path(__file__).resolve().parents[1] / "protocols" / "boston-mh-crisis.yaml"


def run(pool: list[str], count: int, *options: str) -> tuple[float, int, str]:
    command = [sys.executable, "-c", "from crisis_triage.cli import main; main()", "replay", *options, "-"]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for number in range(count):
        line = pool[number % len(pool)]
        if number >= len(pool):
            line = line.replace('"id": "', f'"id": "r{number}-', 1)
        process.stdin.write(line + "\n")
    process.stdin.close()
    output = process.stdout.read()
    process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"replay failed: {output}")
    return time.perf_counter() - start, usage.ru_maxrss, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=2000)
    args = parser.parse_args()
    protocol = load_protocol(BOSTON)
    pool = [json.dumps(call) for call in generate_calls(protocol, args.distinct, seed=9)]
    print(f"{'mode':<34}{'calls':>9}{'seconds':>9}{'calls/s':>10}{'peak RSS MB':>13}")
    for label, options in (
        ("full results (-o /dev/null)", ("-o", os.devnull, "--summary")),
        ("--summary-only (decisions)", ("--summary-only",)),
    ):
        for count in (args.calls // 10, args.calls):
            seconds, rss, output = run(pool, count, *options)
            print(f"{label:<34}{count:>9,}{seconds:>9.1f}{count / seconds:>10,.0f}{rss / 1024:>13.1f}")
    print()
    print(output)


if __name__ == "__main__":
    main()
