"""Shared availability figures: how fast a change reaches every console, and races for the last units.

    python3 bench/centre.py [--consoles 10] [--changes 100] [--racers 40] [--rounds 1000] [--no-poll]
                            [--pg postgresql://postgres@127.0.0.1:5432/test]

- Visibility: ``--consoles`` console processes and one board process, each running the same
  ``CentreLink`` a console runs (LISTEN/NOTIFY, polling as the fallback), in its own process with its
  own connections. The main process changes a unit ``--changes`` times (out of service / back, in
  turn); each process notes when its link's picture has the new version. The delay from the change's
  commit to the last process seeing it is the figure (target p99 < 1 s), beside the PostgreSQL round
  trip (``SELECT 1`` over loopback) measured in the same run: the floor. Then the same again with
  LISTEN off in every process (the polling fallback, as behind a pooler that drops notifications),
  unless ``--no-poll``.
- Races: ``--racers`` threads, each with its own connection, claim one of two units ``--rounds`` times
  (every round starts together); the figure is double bookings (target 0) and claims per second.

Nothing is asserted: these are figures to quote and compare. A throwaway schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from crisis_triage.protocol import load_protocol
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_pg import PostgresAvailability
from crisis_triage.store.centre_link import CentreLink

CENTRE = ROOT / "tests" / "fixtures" / "centre.yaml"
PROTOCOL = ROOT / "protocols" / "boston-mh-crisis.yaml"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _centre():
    return load_centre(CENTRE, load_protocol(PROTOCOL))


def _watcher(url: str, name: str, board: bool, listen: bool, ready, seen_queue, stop) -> None:
    """One console (or the board): a CentreLink; every new version is reported with the moment it was seen."""
    seen: list[tuple[int, float]] = []

    def changed() -> None:
        seen.append((link.states.version, time.monotonic()))

    link = CentreLink(
        lambda: PostgresAvailability(url, listen=listen),
        _centre(),
        console_id=name,
        clock=lambda: datetime.now(UTC),
        watch_events=board,
    )
    link.on_change = changed
    link.start()
    while link.states.version == 0 and not stop.is_set():
        time.sleep(0.01)
    ready.release()
    stop.wait()
    link.stop()
    seen_queue.put((name, seen))


def visibility(url: str, consoles: int, changes: int, *, listen: bool = True) -> None:
    writer = PostgresAvailability(url)
    writer.register_units(_centre())
    context = multiprocessing.get_context("spawn")
    ready, stop, seen_queue = context.Semaphore(0), context.Event(), context.Queue()
    names = [f"console-{n}" for n in range(consoles)] + ["board"]
    processes = [
        context.Process(target=_watcher, args=(url, name, name == "board", listen, ready, seen_queue, stop))
        for name in names
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire(timeout=120)
    committed: dict[int, float] = {}
    now = datetime.now(UTC)
    for n in range(changes):
        if n % 2 == 0:
            writer.set_out_of_service("alt_2", "bench", at=now)
        else:
            writer.return_to_service("alt_2")
        committed[writer.version()] = time.monotonic()
        time.sleep(0.05)  # a busy centre changes a unit every few seconds, not every millisecond
    time.sleep(2)
    stop.set()
    seen_by = dict(seen_queue.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(30)
    delays = []
    missed = 0
    for version, at in committed.items():
        latest = []
        for seen in seen_by.values():
            times = [t for v, t in seen if v >= version]
            if times:
                latest.append(min(times))
            else:
                missed += 1
        if latest:
            delays.append((max(latest) - at) * 1000)
    round_trips = []
    conn = writer.connection()
    for _ in range(500):
        start = time.perf_counter()
        conn.execute("SELECT 1").fetchone()
        conn.commit()
        round_trips.append((time.perf_counter() - start) * 1000)
    writer.close()
    rt50, rt99 = _percentile(round_trips, 0.5), _percentile(round_trips, 0.99)
    p50, p99 = _percentile(delays, 0.5), _percentile(delays, 0.99)
    how = "LISTEN/NOTIFY" if listen else "polling fallback, LISTEN off"
    print(
        f"availability change visible on every console ({consoles} consoles + board processes, {changes} changes, {how})"
    )
    print(
        f"  change commit -> last of {len(names)} processes sees it: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(delays):.1f} ms (target p99 < 1000 ms)"
    )
    print(f"  PostgreSQL round trip (SELECT 1, same run): p50 {rt50:.2f} ms, p99 {rt99:.2f} ms")
    print(f"  ratio p99 visible / p99 round trip: {p99 / rt99:.1f}x; missed sightings: {missed}")


def races(url: str, racers: int, rounds: int) -> None:
    first = PostgresAvailability(url)
    first.register_units(_centre())
    first.close()
    stores = [PostgresAvailability(url) for _ in range(racers)]
    for store in stores:
        store.connection()
    start_line, finish_line = threading.Barrier(racers), threading.Barrier(racers)
    winners: list[list[str]] = [[] for _ in range(rounds)]
    lock = threading.Lock()
    now = datetime.now(UTC)

    def racer(index: int) -> None:
        store = stores[index]
        for r in range(rounds):
            start_line.wait()
            call = f"r{r}-c{index}"
            claim = store.claim(call, [("alt_1", None), ("alt_2", None)], at=now, explain=False)
            if claim.unit_id is not None:
                with lock:
                    winners[r].append(claim.unit_id)
            finish_line.wait()
            if claim.unit_id is not None:
                store.set_status(call, claim.unit_id, "cleared", at=now)

    started = time.monotonic()
    threads = [threading.Thread(target=racer, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    for store in stores:
        store.close()
    double = sum(1 for w in winners if len(w) != len(set(w)) or len(w) > 2)
    short = sum(1 for w in winners if len(w) < 2)
    print(f"\n{racers} consoles racing for 2 units, {rounds} rounds ({racers * rounds} claims, own connection each)")
    print(f"  double bookings: {double} (target 0); rounds where a free unit went unclaimed: {short}")
    print(f"  {seconds:.1f} s, {racers * rounds / seconds:,.0f} claims/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--racers", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--no-poll", action="store_true", help="skip the polling-fallback visibility run")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    schema = f"ct_bench_{uuid.uuid4().hex[:10]}"
    url = f"{args.pg}?schema={schema}"
    try:
        visibility(url, args.consoles, args.changes)
        if not args.no_poll:
            print()
            visibility(url, args.consoles, args.changes, listen=False)
        if args.rounds:
            races(url, args.racers, args.rounds)
    finally:
        from crisis_triage.store.postgres import PostgresStore

        PostgresStore(url).drop_schema()


if __name__ == "__main__":
    main()
