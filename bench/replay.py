"""Replay figures: generated calls through `crisis-triage replay`, time, calls per second and memory.

    python3 bench/replay.py [--calls 1000000] [--distinct 2000]

Calls are streamed into the command through a pipe (2,000 distinct calls repeated under new ids,
generated once in this process). Full results are written (every field, to /dev/null) with one job
(the one-core figure) and with the default number of jobs (the machine's cores), at a tenth of
--calls and at --calls; then --summary-only (the engine's decision-only path). Prints wall time,
calls per second, CPU time (the command and the worker processes it waited for; the wall time on
an idle machine is about that over the cores) and the replay's peak memory (ru_maxrss of the same
processes), each beside its target: --calls full results in under 60 s on 2 cores (as CPU per call
too: 60 s x 2 cores / --calls, the figure that holds still under the machine's other load), and
peak memory flat (the run of --calls within 8 MB of the run of a tenth as many).
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
from crisis_triage.replay.jobs import default_jobs

BOSTON = Path(__file__).resolve().parents[1] / "protocols" / "boston-mh-crisis.yaml"
BATCH = 1000
CORES = 2
WALL_TARGET, TARGET_CALLS = 60.0, 1_000_000
"""1M calls with full results in under 60 s on 2 cores (issue 9)."""
CPU_BUDGET_US = WALL_TARGET * CORES / TARGET_CALLS * 1e6
"""The same target as CPU per call (120 us): what holds still when the machine is busy."""


def run(pool: list[str], count: int, *options: str) -> tuple[float, float, int, str]:
    """Stream ``count`` calls into the command; return wall seconds, CPU seconds (the command and the
    worker processes it waited for), peak RSS in kB and its stdout."""
    command = [sys.executable, "-c", "from crisis_triage.cli import main; main()", "replay", *options, "-"]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    for first in range(0, count, BATCH):
        batch = []
        for number in range(first, min(first + BATCH, count)):
            line = pool[number % len(pool)]
            if number >= len(pool):
                line = line.replace('"id": "', f'"id": "r{number}-', 1)
            batch.append(line + "\n")
        process.stdin.writelines(batch)
    process.stdin.close()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"replay failed: {output}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=2000)
    args = parser.parse_args()
    protocol = load_protocol(BOSTON)
    pool = [json.dumps(call) for call in generate_calls(protocol, args.distinct, seed=9)]
    jobs = default_jobs()
    small, big = args.calls // 10, args.calls
    print(f"load average before: {os.getloadavg()[0]:.1f} (the machine's other work slows every figure)")
    print(f"(CPU us/call is the steadier figure under load; the 60 s target is {CPU_BUDGET_US:.0f} us of CPU per call)")
    print(
        f"{'mode':<40}{'calls':>11}{'seconds':>9}{'calls/s':>10}{'CPU s':>8}{'CPU us/call':>12}{'peak RSS MB':>13}  target"
    )
    peaks: dict[str, dict[int, int]] = {}
    for label, options, counts in (
        ("full results, --jobs 1", ("--jobs", "1", "-o", os.devnull), (small,)),
        (f"full results, --jobs {jobs} (default)", ("-o", os.devnull, "--summary"), (small, big)),
        (f"--summary-only, --jobs {jobs} (default)", ("--summary-only",), (small, big)),
    ):
        for count in counts:
            seconds, cpu, rss, output = run(pool, count, *options)
            peaks.setdefault(label, {})[count] = rss
            target = ""
            if label.startswith("full"):
                per_call = cpu / count * 1e6
                target = f"[CPU <= {CPU_BUDGET_US:.0f} us/call: {'met' if per_call <= CPU_BUDGET_US else 'NOT met'}] "
            if count == big and label.startswith("full"):
                target += f"[{big:,} calls in < 60 s on 2 cores: {'met' if seconds < WALL_TARGET else 'NOT met'}]"
            if count == big and small in peaks[label]:
                grew = (rss - peaks[label][small]) / 1024
                target += f" [memory flat, < 8 MB over {small:,}: {grew:+.1f} MB]"
            print(
                f"{label:<40}{count:>11,}{seconds:>9.1f}{count / seconds:>10,.0f}{cpu:>8.1f}"
                f"{cpu / count * 1e6:>12.0f}{rss / 1024:>13.1f}  {target}"
            )
            if count == big and label.startswith("full"):
                # What the same work takes when the two cores are this command's alone: its CPU time over 2.
                print(f"{'':<40}{'':>11}{cpu / CORES:>9.1f}  (CPU seconds / 2: the wall time on 2 idle cores)")
    print()
    print(output)


if __name__ == "__main__":
    main()
