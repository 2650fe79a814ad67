"""Hostile input through every reader, in the numbers issue 10 asks for.

    python3 bench/fuzz.py            # 10,000 protocol, 1,000 scenario mutants, 1,000 poisoned lines, ...
    python3 bench/fuzz.py --quick    # a tenth of that

Prints, per reader: mutants run, exceptions that escaped, problems without a line, hangs (a file over
its time budget), the slowest file and the peak memory of the worker processes (each chunk of
mutants runs in a fresh process, so a chunk's peak bounds every file in it). Beside them: the
targets (0, 0, 0, under 500 MB) and a baseline measured in the same run (loading the unmodified
shipped protocol), with the mean time per mutant as a ratio of it. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tests.fuzz import mutate

COUNTS = {"protocol": 10_000, "scenario": 1_000, "replay": 1_000, "config": 1_000, "template": 5_000}
CHUNK = {"protocol": 250, "scenario": 250, "replay": 250, "config": 500, "template": 2_500}


def _chunk(job: tuple[str, int, int]) -> dict:
    name, count, seed = job
    with tempfile.TemporaryDirectory() as folder:
        targets = {
            "protocol": (mutate.ProtocolTarget, mutate.protocol_cases),
            "scenario": (mutate.ScenarioTarget, mutate.scenario_cases),
            "replay": (mutate.ReplayTarget, mutate.replay_cases),
            "config": (lambda: mutate.ConfigTarget(Path(folder)), mutate.config_cases),
            "template": (mutate.TemplateTarget, mutate.template_cases),
        }
        make, cases = targets[name]
        target = make()
        started = time.perf_counter()
        tally = mutate.fuzz(target, cases(count, seed=seed))
        seconds = time.perf_counter() - started
    return {
        "name": name,
        "reader": tally.target,
        "cases": tally.cases,
        "escaped": tally.escaped,
        "unlocated": len(tally.unlocated),
        "hangs": tally.hangs,
        "slowest": tally.slowest,
        "seconds": seconds,
        "peak_mb": mutate.peak_memory_mb(),
    }


def _baseline() -> float:
    from crisis_triage.protocol import parse_protocol

    text = mutate.boston_text()
    parse_protocol(text)
    started = time.perf_counter()
    for n in range(5):
        parse_protocol(text.replace("Boston", f"Boston{n}", 1))  # a new text each time: no cache helps
    return (time.perf_counter() - started) / 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the counts")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    counts = {k: max(1, v // 10) if args.quick else v for k, v in COUNTS.items()}
    jobs = []
    for name, count in counts.items():
        size = CHUNK[name]
        for n, start in enumerate(range(0, count, size)):
            jobs.append((name, min(size, count - start), 1000 * (n + 1) + len(name)))
    baseline = _baseline()
    started = time.perf_counter()
    totals: dict[str, dict] = {}
    with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(_chunk, jobs):
            total = totals.setdefault(
                result["name"],
                {
                    "reader": result["reader"],
                    "cases": 0,
                    "escaped": [],
                    "unlocated": 0,
                    "hangs": 0,
                    "slowest": 0.0,
                    "seconds": 0.0,
                    "peak_mb": 0.0,
                },
            )
            for key in ("cases", "unlocated", "hangs", "seconds"):
                total[key] += result[key]
            total["escaped"] += result["escaped"]
            total["slowest"] = max(total["slowest"], result["slowest"])
            total["peak_mb"] = max(total["peak_mb"], result["peak_mb"])
    wall = time.perf_counter() - started
    print("hostile input through every reader (issue 10)")
    print(
        f"{'reader':<24}{'mutants':>8}{'escaped':>9}{'unlocated':>11}{'hangs':>7}{'slowest':>10}{'peak MB':>9}"
        f"{'mean/baseline':>15}   target"
    )
    missed = False
    for name in COUNTS:
        t = totals[name]
        mean = t["seconds"] / t["cases"]
        ok = not t["escaped"] and not t["unlocated"] and not t["hangs"] and t["peak_mb"] < mutate.MEMORY_BUDGET_MB
        missed |= not ok
        print(
            f"{t['reader']:<24}{t['cases']:>8,}{len(t['escaped']):>9}{t['unlocated']:>11}{t['hangs']:>7}"
            f"{t['slowest']:>9.2f}s{t['peak_mb']:>9.0f}{mean / baseline:>14.2f}x   "
            f"0 / 0 / 0 / <{mutate.SLOW_SECONDS:.0f} s / <{mutate.MEMORY_BUDGET_MB} MB  {'ok' if ok else 'MISSED'}"
        )
    print(
        f"baseline: loading the unmodified shipped protocol {baseline * 1000:.0f} ms (same run); "
        f"wall time {wall:.0f} s on {args.jobs} worker processes"
    )
    for name in COUNTS:
        for escaped in totals[name]["escaped"][:3]:
            print(f"\n[{name}] escaped: {escaped}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
