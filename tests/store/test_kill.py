"""SIGKILL a console mid-call at random points, 200 times: every acknowledged event is stored, and
each killed call resumes to exactly the state the console had. 0 lost. The same with the store
damaged (every event in the fallback file) and with a centre store being shipped to."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from records_helpers import call_script as script, digest

from crisis_triage.engine.session import CallSession
from crisis_triage.store.opening import sqlite_path
from crisis_triage.store.sqlite import SqliteJournal

DRIVER = Path(__file__).with_name("crash_driver.py")
KILLS = 200
ACK = re.compile(r"^ack (\S+) (\d+) ([0-9a-f]{32})$")


def _read_until(stream, predicate, timeout: float = 30.0) -> list[str]:
    """Lines up to and including the first one ``predicate`` accepts."""
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise AssertionError(f"driver exited early; last lines: {lines[-5:]}")
        line = line.rstrip("\n")
        lines.append(line)
        if predicate(line):
            return lines
    raise AssertionError("driver did not answer in time")


@pytest.mark.slow
def _kill_runs(boston, folder, runs: int, seed: int):
    """Run the driver ``runs`` times in ``folder``, killing it at random points.

    Returns (acks per call, kills, resumes); checks every resume against the call's script."""
    rng = random.Random(seed)
    zygote = subprocess.Popen(
        [sys.executable, str(DRIVER), boston.file],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(DRIVER.parent), os.environ.get("PYTHONPATH", "")]),
            "TMPDIR": str(folder.parent),
        },
    )
    acked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    resumes = 0
    kills = 0
    refused = 0
    # Resumes of calls that were already dispatched, as seen before the kill: the driver prints
    # its F9-again verdict right after "resumed" and before any ack, so each one must be refused.
    resumed_dispatched = 0
    try:
        _read_until(zygote.stdout, lambda line: line == "ready")
        for run in range(runs):
            zygote.stdin.write(f"run {folder} {run}\n")
            zygote.stdin.flush()
            pid = int(_read_until(zygote.stdout, lambda line: line.startswith("pid "))[-1].split()[1])
            # Let a random number of events through, then kill wherever the child is: mid-append,
            # mid-commit, mid-print. Now and then kill before the first ack (during start-up).
            target = rng.choice([0, 0, 1, 2, 3]) if rng.random() < 0.25 else rng.randint(1, 12)
            seen = 0
            done = False
            while seen < target:
                line = zygote.stdout.readline().rstrip("\n")
                if match := ACK.match(line):
                    acked[match[1]].append((int(match[2]), match[3]))
                    seen += 1
                elif line.startswith("resumed "):
                    _, call_id, count, shown = line.split()
                    # The resumed call shows what the console showed before it was killed.
                    expected = CallSession.replay(boston, script(boston, call_id)[: int(count)])
                    assert shown == digest(expected), f"run {run}: call {call_id} resumed to a different state"
                    assert int(count) >= len(acked[call_id]), f"run {run}: resumed with fewer events than acknowledged"
                    resumes += 1
                    if expected.state.accepted is not None:
                        resumed_dispatched += 1
                elif line.startswith("refused-second-dispatch "):
                    refused += 1
                elif line.startswith("error "):
                    raise AssertionError(f"run {run}: driver failed: {line}")
                elif line == "finished":
                    done = True
                    break
            if rng.random() < 0.5:
                time.sleep(rng.uniform(0, 0.003))
            if not done:
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass  # it finished the call just before the kill
            for line in _read_until(zygote.stdout, lambda line: line == f"reaped {pid}"):
                if match := ACK.match(line):  # acks printed before the kill landed
                    acked[match[1]].append((int(match[2]), match[3]))
                elif line.startswith("error "):
                    raise AssertionError(f"run {run}: driver failed: {line}")
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=10)
    _kill_runs.refused = refused
    _kill_runs.resumed_dispatched = resumed_dispatched
    return acked, kills, resumes


def _dispatch_index(boston, call_id: str) -> int:
    """How many of the call's scripted events come before and at its dispatch."""
    events = script(boston, call_id)
    return next((i + 1 for i, e in enumerate(events) if e.kind == "accepted"), len(events))


def _assert_nothing_lost(boston, store, acked) -> None:
    lost = []
    for call_id, acks in acked.items():
        stored = store.stored_events(call_id)
        ids = [s.event_id for s in stored]
        assert [s.sequence for s in stored] == list(range(1, len(stored) + 1)), f"{call_id}: gaps in sequence"
        lost += [event_id for _, event_id in acks if event_id not in ids]
        # Each acknowledged event sits at the sequence it was acknowledged with. (An event can be
        # stored without an ack, when the kill lands between the commit and the print.)
        assert all(seq <= len(ids) and ids[seq - 1] == event_id for seq, event_id in acks)
        # The stored events are exactly the call's script so far: replay gives the same state.
        expected = script(boston, call_id)[: len(stored)]
        assert [s.event for s in stored] == expected
        # never a duplicate dispatch: each call's dispatches are its script's (one, or a change of team)
        assert sum(s.event.kind == "accepted" for s in stored) <= sum(
            e.kind == "accepted" for e in script(boston, call_id)
        )
        assert digest(CallSession.replay(boston, [s.event for s in stored])) == digest(
            CallSession.replay(boston, expected)
        )
    assert lost == [], f"{len(lost)} acknowledged events lost"


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_and_resumes_exactly(tmp_path, boston):
    folder = tmp_path / "console"
    acked, kills, resumes = _kill_runs(boston, folder, KILLS, 20261123)
    assert kills >= 150, "most runs must end in a kill"
    assert resumes >= 100, "most kills must be followed by a resume"
    # How many kills land after a dispatch is random; what must hold is that F9 again on every
    # resumed dispatched call is refused, over enough such resumes for the check to mean something.
    assert _kill_runs.resumed_dispatched >= 10, "kills must be followed by resumes of dispatched calls"
    assert _kill_runs.refused == _kill_runs.resumed_dispatched, "resumed dispatched calls: F9 again must be refused"
    post_dispatch = {c for c, acks in acked.items() if len(acks) > _dispatch_index(boston, c)}
    assert len(post_dispatch) >= 10, "kills must land after the dispatch too (statuses, disposition, follow-ups)"

    assert sum(len(a) for a in acked.values()) > KILLS
    store = SqliteJournal(sqlite_path(folder))
    try:
        _assert_nothing_lost(boston, store, acked)
    finally:
        store.close()


def test_sigkill_while_writing_to_the_fallback_journal_loses_nothing(tmp_path, boston):
    """The store file is damaged, so every event goes to the fsynced fallback file; kills land
    mid-line too. Each restart resumes from the fallback files; once the damaged file is moved
    aside, everything merges into a new store: 0 lost."""
    folder = tmp_path / "console"
    path = sqlite_path(folder)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"damaged " * 512)
    acked, kills, resumes = _kill_runs(boston, folder, 40, 99)
    assert kills >= 25 and resumes >= 15
    path.rename(path.with_suffix(".damaged"))
    from crisis_triage.config import Settings
    from crisis_triage.store.opening import open_journal

    journal = open_journal(Settings(), folder=folder)  # merges every fallback file
    assert journal.problem is None
    journal.close()
    store = SqliteJournal(path)
    try:
        _assert_nothing_lost(boston, store, acked)
    finally:
        store.close()


@pytest.mark.postgres
def test_sigkill_while_shipping_to_the_centre_ships_everything_exactly_once(tmp_path, boston, pg_url):
    """A console killed mid-call and mid-shipment: after restarts, the centre holds every event the
    console stored, once each (a batch sent but not marked shipped is sent again and ignored)."""
    from crisis_triage.config import Settings
    from crisis_triage.store.opening import open_journal
    from crisis_triage.store.postgres import PostgresStore

    rng = random.Random(7)
    folder = tmp_path / "console"
    zygote = subprocess.Popen(
        [sys.executable, str(DRIVER), boston.file],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(DRIVER.parent), os.environ.get("PYTHONPATH", "")]),
            "TMPDIR": str(folder.parent),
        },
    )
    try:
        _read_until(zygote.stdout, lambda line: line == "ready")
        for run in range(30):
            zygote.stdin.write(f"run {folder} {run} {pg_url}\n")
            zygote.stdin.flush()
            pid = int(_read_until(zygote.stdout, lambda line: line.startswith("pid "))[-1].split()[1])
            acks = 0
            target = rng.randint(1, 15)
            while acks < target:
                line = zygote.stdout.readline().rstrip("\n")
                if line.startswith("error "):
                    raise AssertionError(f"run {run}: driver failed: {line}")
                if line == "finished":
                    break
                acks += line.startswith("ack ")
            time.sleep(rng.uniform(0, 0.02))  # let the shipper get part-way through a batch
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _read_until(zygote.stdout, lambda line: line == f"reaped {pid}")
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=10)

    # The console starts once more and its shipper drains the backlog.
    journal = open_journal(Settings(store=pg_url), folder=folder, idle_poll_s=0.05)
    assert journal.shipper.wait_until_shipped(60)
    local = {r["event_id"] for r in journal.primary.iter_rows()}
    journal.close()
    store = PostgresStore(pg_url)
    try:
        rows = store._rows(f"SELECT event_id FROM {store.schema}.events")
    finally:
        store.close()
    centre = [r["event_id"] for r in rows]
    assert len(centre) == len(set(centre)) and set(centre) == local and len(local) > 30
