"""Engine figures: calls per second against a hand-written baseline, and protocol load times.

    python3 bench/engine.py [--calls N] [--rounds R]

Prints (targets from issue 2 in brackets):
  * calls/second through the full engine (CallSession built from events + the whole assessment
    with explanations), through the decision-only path with its input checks
    (crisis_triage.engine.decide) and without them (engine.evaluate.decide_state on a checked
    CallState, the like-for-like counterpart of the hand-written function, which checks nothing),
    and through bench/boston_by_hand.py, a plain Python function of the Boston rules (as of 2026.11.1,
    so the engine runs that version of the protocol, from protocols/history/); the ratios to
    hand-written [<= 3x]. Before timing, every generated call is checked to get the same model,
    team, band and score from all four.
  * load + validate time of the Boston protocol [<= 100 ms] and of generated protocols of 500,
    1,000 and 2,000 questions [<= 1 s at 2,000, growing linearly], with ms per question.
  * cold import time of what `crisis-triage validate` and `replay` load.
Timings are CPU time (time.process_time), the best of R rounds, interleaved, so a machine shared
with other work skews each side alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))  # tests.support: the protocol generator

from boston_by_hand import decide as decide_by_hand
from crisis_triage.engine import session_from_answers
from crisis_triage.engine.decide import decide
from crisis_triage.engine.evaluate import decide_state
from crisis_triage.protocol import load_protocol, parse_protocol
from crisis_triage.protocol.conditions import _CACHE as condition_cache
from crisis_triage.protocol.yaml_source import load_yaml
from crisis_triage.replay.generate_calls import generate_calls
from referrals import referral_figures
from tests.support.protocol_generator import generate_protocol_yaml

BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
#: The protocol bench/boston_by_hand.py writes out by hand: Boston as of 2026.11.1 (frozen in history/).
#: The shipped protocol has moved on (2026.12: more questions and rules), so the engine is timed on the
#: text the hand-written rules implement, like for like; load times are the shipped protocol's.
BOSTON_BY_HAND = ROOT / "protocols" / "history" / "boston-mh-crisis-2026.11.1.yaml"


def _calls(protocol, count: int) -> list[dict]:
    calls = list(generate_calls(protocol, count, seed=11))
    for call in calls:
        call["at"] = datetime.fromisoformat(call["at"])
    return calls


def _full(protocol, calls):
    for c in calls:
        rec = session_from_answers(
            protocol,
            c["answers"],
            at=c["at"],
            door=c["door"],
            line=c["line"],
            district=c["district"],
            language=c["language"],
            interrupts=c["interrupts"],
        ).assessment
        yield rec.recommendation.model, rec.recommendation.team, rec.risk.band, rec.risk.score


def _fast(protocol, calls):
    for c in calls:
        d = decide(
            protocol,
            c["answers"],
            at=c["at"],
            door=c["door"],
            line=c["line"],
            district=c["district"],
            language=c["language"],
            interrupts=c["interrupts"],
        )
        yield d[:4]


def _fast_checked(protocol, states):
    for state in states:
        yield decide_state(protocol, state)[:4]


def _by_hand(zone, calls):
    for c in calls:
        local = c["at"].astimezone(zone)
        yield decide_by_hand(c["answers"], c["door"], c["district"], local.hour + local.minute / 60, c["interrupts"])


def _time(function, *args) -> float:
    start = time.process_time()
    for _ in function(*args):
        pass
    return time.process_time() - start


def engine_figures(count: int, rounds: int) -> None:
    protocol = load_protocol(BOSTON_BY_HAND)
    zone = ZoneInfo(protocol.document.protocol.timezone)
    started = time.process_time()
    calls = _calls(protocol, count)
    print(
        f"generated {len(calls):,} synthetic calls on {protocol.id} {protocol.version} (the rules "
        f"bench/boston_by_hand.py writes out) in {time.process_time() - started:.2f} s CPU"
    )
    states = [
        session_from_answers(
            protocol,
            c["answers"],
            at=c["at"],
            door=c["door"],
            line=c["line"],
            district=c["district"],
            language=c["language"],
            interrupts=c["interrupts"],
        ).state
        for c in calls
    ]
    full, fast, checked, hand = (
        list(_full(protocol, calls)),
        list(_fast(protocol, calls)),
        list(_fast_checked(protocol, states)),
        list(_by_hand(zone, calls)),
    )
    disagreements = sum(1 for a, b, c, d in zip(full, fast, checked, hand) if not a == b == c == d)
    print(
        f"agreement: full engine, decision-only paths and hand-written give the same model/team/band/score on "
        f"{len(calls) - disagreements:,} of {len(calls):,} calls"
    )
    if disagreements:
        raise SystemExit("they disagree: fix that before reading any timing")
    best: dict[str, list[float]] = {"full": [], "fast": [], "checked": [], "hand": []}
    for _ in range(rounds):
        best["hand"].append(_time(_by_hand, zone, calls))
        best["fast"].append(_time(_fast, protocol, calls))
        best["checked"].append(_time(_fast_checked, protocol, states))
        best["hand"].append(_time(_by_hand, zone, calls))
        best["full"].append(_time(_full, protocol, calls[: max(1, len(calls) // 4)]) * 4)
    per_call = {k: min(v) / len(calls) for k, v in best.items()}
    print()
    print(f"{'path':<58}{'calls/s':>10}{'us/call':>9}{'x hand':>8}")
    for key, label in (
        ("full", "engine, full (events + explained assessment)"),
        ("fast", "engine, decision only, input checked (engine.decide)"),
        ("checked", "engine, decision only, on a checked call (decide_state)"),
        ("hand", "hand-written Boston rules (no input checks)"),
    ):
        print(
            f"{label:<58}{1 / per_call[key]:>10,.0f}{per_call[key] * 1e6:>9.1f}{per_call[key] / per_call['hand']:>8.2f}"
        )
    print("  [target: engine <= 3x the hand-written cost]")


def load_figures(rounds: int) -> None:
    print()
    text = BOSTON.read_text(encoding="utf-8")
    shipped = load_protocol(BOSTON)
    times = []
    for _ in range(max(rounds, 5)):
        condition_cache.clear()
        start = time.process_time()
        load_protocol(BOSTON)
        times.append(time.process_time() - start)
    print(
        f"load + validate Boston {shipped.version} ({len(text.splitlines())} lines, {len(shipped.questions)} questions): "
        f"best {min(times) * 1000:.1f} ms, "
        f"median {statistics.median(times) * 1000:.1f} ms  [target <= 100 ms]"
    )
    print(f"{'generated protocol':<22}{'lines':>8}{'best ms':>10}{'ms/question':>13}{'of which YAML ms':>18}")
    for size in (500, 1000, 2000):
        generated = generate_protocol_yaml(size, seed=1)
        times = []
        for _ in range(3):
            condition_cache.clear()  # each load starts cold, as a fresh process would
            start = time.process_time()
            parse_protocol(generated)
            times.append(time.process_time() - start)
        yaml_times = []
        for _ in range(3):
            start = time.process_time()
            load_yaml(generated)
            yaml_times.append(time.process_time() - start)
        print(
            f"{size:>6,} questions{'':<7}{len(generated.splitlines()):>8,}{min(times) * 1000:>10.0f}"
            f"{min(times) * 1000 / size:>13.3f}{min(yaml_times) * 1000:>18.0f}"
        )
    print("  [target <= 1,000 ms at 2,000 questions, ms/question roughly constant]")


def import_figures() -> None:
    print()
    for what, code in (
        ("crisis_triage.cli.validate", "import crisis_triage.cli.validate"),
        ("crisis_triage.cli.replay", "import crisis_triage.cli.replay"),
        ("python itself", "pass"),
    ):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        print(f"cold start + import {what:<28} best {min(times) * 1000:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine_figures(args.calls, args.rounds)
    print()
    referral_figures(args.calls, args.rounds + 2)  # the referral step (issue 16), from bench/referrals.py
    print()
    load_figures(args.rounds)
    import_figures()


if __name__ == "__main__":
    main()
