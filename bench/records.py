"""Record store figures: per-event write latency (SQLite, PostgreSQL) and export throughput.

    python3 bench/records.py [--events 2000] [--calls 2000] [--pg postgresql://postgres@127.0.0.1:5432/test]

Prints, for each figure, the measured value and a ratio against a baseline run in the same process:
- SQLite: the console's append (commit, WAL, synchronous=FULL) against a bare pwrite+fdatasync of
  the same bytes into a preallocated file (the disk's floor). Target p99 <= 5 ms.
- PostgreSQL: one event per transaction (INSERT ... ON CONFLICT + COMMIT over loopback), which is
  what a console writing straight to the centre would pay; the console itself pays only the SQLite
  append (also measured with a centre store configured) and the shipper sends batches in the
  background: its lag from append to committed in PostgreSQL is printed too. Target p99 <= 20 ms.
- Export: events/s and calls/s for JSONL, CSV, de-identified and per-call exports, against reading
  the same rows without writing them.
- Follow-up queue: loading the queue (due, overdue, done) with 10,000 follow-ups due among 200,000
  events, against fetching the same rows' call ids and kinds only through the index on the kind
  (the queue itself reads a partial index holding just the follow-up events). Target under 100 ms.
Nothing is asserted: these are figures to quote and compare.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crisis_triage.config import Settings
from crisis_triage.protocol import load_protocol
from crisis_triage.replay.generate_calls import generate_calls
from crisis_triage.reporting.deidentify import Deidentifier
from crisis_triage.reporting.export import export_records
from crisis_triage.reporting.protocol_texts import ProtocolResolver
from crisis_triage.store.import_calls import imported_records
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import open_journal
from crisis_triage.store.rows import to_row
from crisis_triage.store.sqlite import SqliteJournal

PROTOCOL = ROOT / "protocols" / "boston-mh-crisis.yaml"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * q / 100))]


def line(
    name: str, values_ms: list[float], baseline_ms: list[float] | None = None, target: float | None = None
) -> None:
    p50, p99 = pct(values_ms, 50), pct(values_ms, 99)
    text = f"  {name:<44} p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   max {max(values_ms):7.2f} ms"
    if baseline_ms:
        text += f"   x{p50 / pct(baseline_ms, 50):.1f} / x{p99 / pct(baseline_ms, 99):.1f} baseline"
    if target is not None:
        text += f"   (target p99 <= {target:g} ms: {'met' if p99 <= target else 'MISSED'})"
    print(text)


def event_stream(protocol, count: int):
    """(meta, event) pairs of whole realistic calls, ``count`` events in all."""
    out = []
    for batch in imported_records(protocol, (json.dumps(c) for c in generate_calls(protocol, count // 10 + 5, seed=3))):
        out.append(batch)
        if sum(len(b) for b in out) >= count:
            break
    return out


def bench_fsync_baseline(folder: Path, payloads: list[bytes]) -> list[float]:
    """The disk's floor: write each payload into a preallocated file and fdatasync it (what a WAL
    commit does at least, minus SQLite's own work)."""
    path = folder / "baseline.bin"
    size = sum(len(p) for p in payloads) + 4096
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"\0" * size)
    os.fsync(fd)
    times, offset = [], 0
    for data in payloads:
        start = time.perf_counter()
        os.pwrite(fd, data, offset)
        os.fdatasync(fd)
        times.append((time.perf_counter() - start) * 1000)
        offset += len(data)
    os.close(fd)
    return times


def bench_appends(journal, calls) -> tuple[list[float], list[tuple[str, float]]]:
    """Append every event the way the console does; return latencies (ms) and (event id, when acked)."""
    times, acked = [], []
    for batch in calls:
        meta = batch[0][0]
        meta = CallMeta(
            uuid.uuid4().hex,
            meta.console_id,
            meta.call_taker_id,
            meta.protocol_id,
            meta.protocol_version,
            meta.protocol_sha256,
            meta.protocol_file,
        )
        for n, (_, record) in enumerate(batch):
            start = time.perf_counter()
            stored = journal.start_call(meta, record.event) if n == 0 else journal.append(meta.call_id, record.event)
            end = time.perf_counter()
            times.append((end - start) * 1000)
            acked.append((stored.event_id, end))
    return times, acked


def bench_sqlite(protocol, events: int) -> None:
    print(f"SQLite journal, {events} events appended one at a time (commit, WAL, synchronous=FULL)")
    calls = event_stream(protocol, events)
    with tempfile.TemporaryDirectory() as tmp:
        payloads = [to_row(m, r)["event"].encode() for batch in calls for m, r in batch]
        baseline = bench_fsync_baseline(Path(tmp), payloads)
        journal = open_journal(Settings(), folder=Path(tmp) / "data")
        times, _ = bench_appends(journal, calls)
        journal.close()
    line("baseline: pwrite + fdatasync, same bytes", baseline)
    line("console append (open_journal, SQLite)", times, baseline, target=5)


def bench_postgres(protocol, url: str, events: int) -> None:
    import psycopg

    from crisis_triage.store.postgres import PostgresStore

    schema = f"ct_bench_{uuid.uuid4().hex[:10]}"
    store_url = f"{url}?schema={schema}"
    print(f"\nPostgreSQL at {url}, {events} events (schema {schema}, dropped afterwards)")
    calls = event_stream(protocol, events)
    store = PostgresStore(store_url)
    try:
        try:
            store.connection()
        except psycopg.Error as exc:
            print(f"  skipped: cannot connect ({str(exc).strip()})")
            return
        baseline, single = [], []
        conn = store.connection()
        for _ in range(min(events, 500)):
            start = time.perf_counter()
            conn.execute("SELECT 1")
            conn.commit()
            baseline.append((time.perf_counter() - start) * 1000)
        for batch in calls:
            for meta, record in batch:
                row = to_row(meta, record)
                start = time.perf_counter()
                store.insert_rows([row])
                single.append((time.perf_counter() - start) * 1000)
        line("baseline: SELECT 1 + COMMIT round trip", baseline)
        line("one event per transaction (insert + commit)", single, baseline, target=20)

        # What a console with a centre store pays (its shipper running beside it)...
        with tempfile.TemporaryDirectory() as tmp:
            journal = open_journal(Settings(store=store_url), folder=Path(tmp))
            times, _ = bench_appends(journal, calls)
            journal.shipper.wait_until_shipped(60)
            journal.close()
        line("console append with a centre store set", times, target=5)
        # ... and how far behind the centre is (a watcher thread polls PostgreSQL for arrivals).
        with tempfile.TemporaryDirectory() as tmp:
            journal = open_journal(Settings(store=store_url), folder=Path(tmp), idle_poll_s=0.05)
            arrived: dict[str, float] = {}
            stop = threading.Event()
            watcher = PostgresStore(store_url)

            def watch() -> None:
                seen = 0
                while not stop.is_set():
                    rows = watcher._rows(
                        f"SELECT event_id FROM {schema}.events ORDER BY received_at OFFSET %s", (seen,)
                    )
                    now = time.perf_counter()
                    for r in rows:
                        arrived.setdefault(r["event_id"], now)
                    seen += len(rows)
                    time.sleep(0.002)

            thread = threading.Thread(target=watch, daemon=True)
            thread.start()
            _, acked = bench_appends(journal, calls)
            journal.shipper.wait_until_shipped(60)
            time.sleep(0.2)
            stop.set()
            thread.join()
            watcher.close()
            journal.close()
            lags = [(arrived[e] - t) * 1000 for e, t in acked if e in arrived]
            if lags:
                line("ship lag: append -> visible in PostgreSQL", lags)
            print(f"  shipped {len(lags)} of {len(acked)} events (the watcher polls every ~2 ms)")
    finally:
        try:
            store.drop_schema()
        except Exception:
            pass
        store.close()


def bench_export(protocol, calls_count: int) -> None:
    print(f"\nExport throughput, {calls_count} imported synthetic calls")
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteJournal(Path(tmp) / "r.sqlite3")
        records = [
            r
            for batch in imported_records(
                protocol, (json.dumps(c) for c in generate_calls(protocol, calls_count, seed=5))
            )
            for r in batch
        ]
        start = time.perf_counter()
        store.insert_many(records)
        load = time.perf_counter() - start
        calls, events = store.count()
        print(
            f"  loaded {events} events of {calls} calls in {load:.1f} s ({events / load:,.0f} events/s in one transaction)"
        )
        resolver = ProtocolResolver()
        resolver.add(protocol)

        def run(name: str, action) -> float:
            start = time.perf_counter()
            action()
            seconds = time.perf_counter() - start
            print(f"  {name:<40} {events / seconds:>10,.0f} events/s {calls / seconds:>9,.0f} calls/s", end="")
            return seconds

        base = run("baseline: read rows only", lambda: sum(1 for _ in store.iter_rows()))
        print()
        for name, kwargs in (
            ("JSONL, every event", {}),
            ("CSV, every event", {"fmt": "csv"}),
            ("JSONL, de-identified", {"deidentifier": Deidentifier()}),
            ("CSV, one line per call (replayed)", {"fmt": "csv", "level": "calls"}),
        ):
            seconds = run(
                name, lambda kw=kwargs: export_records(store.iter_rows(), io.StringIO(), resolver=resolver, **kw)
            )
            print(f"   x{seconds / base:.1f} baseline time")
        store.close()


def bench_followup_queue(protocol, due: int, pg_url: str | None) -> None:
    """The follow-up queue's load time with ``due`` follow-ups owed (one per call), on SQLite and PostgreSQL."""
    from datetime import UTC, datetime, timedelta

    from crisis_triage.engine.events import CallStarted, NoteAdded, RecommendationAccepted
    from crisis_triage.engine.events_response import FollowUpAttempted, FollowUpScheduled
    from crisis_triage.store.followups import KINDS, load_queue
    from crisis_triage.store.journal import StoredEvent

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nFollow-up queue, {due} follow-ups owed (one per call, 20 events per call); load {load} (1/5/15 min)")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    records = []
    for n in range(due):
        call_id = f"fu-{n:06d}"
        meta = CallMeta(call_id, "console-1", "ct-1", protocol.id, protocol.version, protocol.sha256, protocol.file)
        at = start + timedelta(minutes=n)
        events = [CallStarted(at=at, door="self", line="e911", district="B2")]
        events += [NoteAdded(at=at, text=f"note {i}") for i in range(16)]
        events.append(RecommendationAccepted(at=at, model="call_line", recommended="call_line"))
        events.append(FollowUpScheduled(at=at, rule="caring_contact", due=at + timedelta(hours=24)))
        if n % 3 == 0:
            events.append(FollowUpAttempted(at=at + timedelta(hours=2), rule="caring_contact", outcome="reached_safe"))
        else:
            events.append(NoteAdded(at=at, text="pad"))
        records += [(meta, StoredEvent(uuid.uuid4().hex, call_id, i, e)) for i, e in enumerate(events, 1)]
    now = start + timedelta(days=3)

    def measure(store, raw) -> None:
        # The console freezes what start-up loaded (tui/app.py on_ready), so a full collection never
        # walks it; do the same with this bench's 200,000 events held above, or a full pass over them
        # lands on one load and times the bench's own memory, not the queue.
        gc.collect()
        gc.freeze()
        baseline, timings = [], []
        for _ in range(7):
            t = time.perf_counter()
            raw()
            baseline.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            queue = load_queue(store, now)
            timings.append((time.perf_counter() - t) * 1000)
        assert len(queue) == due
        line(f"load the queue ({due} items)", timings, baseline, target=100)
        print(f"  {'baseline: fetch the same rows (ids, kinds)':<44} p50 {pct(baseline, 50):7.3f} ms")
        # With seven loads, p99 is the slowest: say which one it was (a first load warms caches).
        print(f"  {'loads in order (ms)':<44} " + " ".join(f"{t:.0f}" for t in timings))
        print(f"  {'machine load after (1 min)':<44} {os.getloadavg()[0]:.1f}")
        gc.unfreeze()

    with tempfile.TemporaryDirectory() as folder:
        journal = SqliteJournal(Path(folder) / "fu.sqlite3")
        journal.insert_many(records)
        print("  SQLite (the follow-up rows table the insert triggers fill, schema 4):")
        measure(
            journal,
            lambda: journal._query("SELECT call_id, kind FROM events WHERE kind IN (?, ?)", KINDS),
        )
        journal.close()
    if pg_url is None:
        return
    from crisis_triage.store.postgres import PostgresStore

    schema = f"bench_fu_{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_url}?schema={schema}")
    try:
        store.insert_rows([to_row(m, r) for m, r in records])
    except Exception as exc:  # psycopg errors: the module is optional
        print(f"  PostgreSQL skipped: {str(exc).strip()}")
        return
    try:
        import psycopg

        # A running centre's table has been vacuumed (autovacuum): hint bits set, the visibility map
        # current (so the partial index can answer alone), statistics known. A table filled a moment
        # ago has none of that; vacuum it as autovacuum would.
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"VACUUM ANALYZE {store.schema}.events")
        print("  PostgreSQL (after VACUUM ANALYZE, as autovacuum leaves a centre's table):")
        measure(
            store,
            lambda: store._rows(
                f"SELECT call_id, kind FROM {store.schema}.events WHERE kind = ANY(%s)",
                (list(KINDS),),
            ),
        )
    finally:
        store.drop_schema()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument(
        "--pg", default=os.environ.get("CRISIS_TRIAGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--followups", type=int, default=10_000, help="Follow-ups owed in the queue benchmark.")
    parser.add_argument("--only-followups", action="store_true", help="Run the follow-up queue benchmark only.")
    args = parser.parse_args()
    protocol = load_protocol(PROTOCOL)
    if args.only_followups:
        bench_followup_queue(protocol, args.followups, None if args.no_pg else args.pg)
        return
    bench_sqlite(protocol, args.events)
    if not args.no_pg:
        bench_postgres(protocol, args.pg, args.events)
    bench_export(protocol, args.calls)
    bench_followup_queue(protocol, args.followups, None if args.no_pg else args.pg)


if __name__ == "__main__":
    main()
