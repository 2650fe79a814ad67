"""A console stand-in for the kill test: writes a call's events through the journal, acking each.

Run as ``python crash_driver.py PROTOCOL``: a zygote that imports everything once, then for each
``run FOLDER`` line on stdin forks a child. The child opens the journal in FOLDER like a console
starting up: if this console has an unfinished call it resumes it (replaying its events and printing
``resumed CALL N DIGEST``), else it starts a new call; then it appends the call's remaining scripted
events one at a time, printing ``ack CALL SEQUENCE EVENT_ID`` after each append returns. The test
SIGKILLs the child at a random point; the zygote reaps it and prints ``reaped PID``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from crisis_triage.config import Settings
from crisis_triage.engine.session import CallSession
from crisis_triage.protocol import Protocol, load_protocol
from crisis_triage.records.importer import call_events
from crisis_triage.records.journal import CallMeta
from crisis_triage.records.store import open_journal
from crisis_triage.replay.calls import CallRecord
from crisis_triage.replay.synthetic import generate_calls

CONSOLE = "console-kill"


def script(protocol: Protocol, call_id: str) -> list:
    """The whole event list of call ``call_id`` (deterministic from the id)."""
    seed = int(hashlib.sha256(call_id.encode()).hexdigest()[:8], 16)
    call = next(generate_calls(protocol, 1, seed=seed))
    call["id"] = call_id
    return call_events(protocol, CallRecord(**call))


def digest(session: CallSession) -> str:
    """What the console would show, condensed: equal digests mean the same call state."""
    a = session.assessment
    state = session.state
    shown = {
        "next": a.next_question.id if a.next_question else None,
        "score": a.risk.score, "band": a.risk.band, "model": a.recommendation.model,
        "team": list(a.recommendation.team), "answers": {k: repr(v) for k, v in sorted(state.answers.items())},
        "interrupts": sorted(state.interrupts), "accepted": state.accepted, "handoff": sorted(state.handoff_steps),
        "ended": state.ended, "events": len(session.events),
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:16]


def child(protocol: Protocol, folder: Path, number: int) -> None:
    journal = open_journal(Settings(console_id=CONSOLE), folder=folder)
    unfinished = journal.unfinished_calls(CONSOLE)
    if unfinished:
        call_id = unfinished[0].meta.call_id
        stored = journal.events(call_id)
        session = CallSession.replay(protocol, stored)
        print(f"resumed {call_id} {len(stored)} {digest(session)}", flush=True)
        remaining = script(protocol, call_id)[len(stored):]
    else:
        call_id = f"kill-{number:04d}"
        events = script(protocol, call_id)
        meta = CallMeta(call_id, CONSOLE, "taker-1", protocol.id, protocol.version, protocol.sha256, protocol.file)
        record = journal.start_call(meta, events[0])
        print(f"ack {call_id} {record.sequence} {record.event_id}", flush=True)
        remaining = events[1:]
    for event in remaining:
        record = journal.append(call_id, event)
        print(f"ack {call_id} {record.sequence} {record.event_id}", flush=True)
    print("finished", flush=True)


def main() -> None:
    protocol = load_protocol(sys.argv[1])
    print("ready", flush=True)
    for line in sys.stdin:
        command, folder, number = line.split()
        if command != "run":
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                print(f"pid {os.getpid()}", flush=True)
                child(protocol, Path(folder), int(number))
            except BaseException as exc:  # noqa: BLE001 - report to the test, never fall into the zygote loop
                print(f"error {type(exc).__name__}: {exc}", flush=True)
                code = 1
            finally:
                os._exit(code)
        os.waitpid(pid, 0)
        # Start on a fresh line: the child may have died half-way through printing one.
        print(f"\nreaped {pid}", flush=True)


if __name__ == "__main__":
    main()
