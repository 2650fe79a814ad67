"""A console stand-in for the kill test: writes a call's events through the journal, acking each.

Run as ``python crash_driver.py PROTOCOL``: a zygote that imports everything once, then for each
``run FOLDER NUMBER [CENTRE_URL]`` line on stdin forks a child (with a centre URL, the child's
journal also ships to that PostgreSQL store in the background, as a centre's console does). The child opens the journal in FOLDER like a console
starting up: if this console has an unfinished call, or one whose response or follow-up is still
open (a script runs on past the call's end: statuses, disposition, follow-up attempts), it resumes it
(replaying its events and printing ``resumed CALL N DIGEST``, then ``refused-second-dispatch CALL``
when F9 on the dispatched call is refused), else it starts a new call; then it appends the call's remaining scripted
events one at a time, printing ``ack CALL SEQUENCE EVENT_ID`` after each append returns. The test
SIGKILLs the child at a random point; the zygote reaps it and prints ``reaped PID``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from records_helpers import call_script as script, digest

from crisis_triage.config import Settings
from crisis_triage.engine.events import RecommendationAccepted
from crisis_triage.engine.session import CallSession, SessionError
from crisis_triage.protocol import Protocol, load_protocol
from crisis_triage.store.active import open_calls
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import open_journal

CONSOLE = "console-kill"


def child(protocol: Protocol, folder: Path, number: int, centre: str | None = None) -> None:
    journal = open_journal(
        Settings(console_id=CONSOLE, store=centre), folder=folder, idle_poll_s=0.01, backoff_s=(0.01, 0.1)
    )
    # Like the console: unfinished calls first, then calls whose response (or a follow-up) is still open.
    # (An open call whose script is all written -- a follow-up left overdue -- has nothing left to do.)
    unfinished = [
        c
        for c in open_calls(journal, lambda meta: protocol, CONSOLE, limit=5, include_followups=True)
        if len(journal.events(c.meta.call_id)) < len(script(protocol, c.meta.call_id))
    ]
    if unfinished:
        call_id = unfinished[0].meta.call_id
        stored = journal.events(call_id)
        session = CallSession.replay(protocol, stored)
        print(f"resumed {call_id} {len(stored)} {digest(session)}", flush=True)
        if session.state.accepted is not None:
            # F9 again on a resumed, dispatched call: the engine refuses a second dispatch.
            model = session.state.accepted[0]
            try:
                session.validate(RecommendationAccepted(at=stored[-1].at, model=model, recommended=model))
                print(f"error a second dispatch of {call_id} would have been accepted", flush=True)
            except SessionError:
                print(f"refused-second-dispatch {call_id}", flush=True)
        remaining = script(protocol, call_id)[len(stored) :]
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
        command, folder, number, *centre = line.split()
        if command != "run":
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                print(f"pid {os.getpid()}", flush=True)
                child(protocol, Path(folder), int(number), centre[0] if centre else None)
            except BaseException as exc:
                print(f"error {type(exc).__name__}: {exc}", flush=True)
                code = 1
            finally:
                os._exit(code)
        os.waitpid(pid, 0)
        # Start on a fresh line: the child may have died half-way through printing one.
        print(f"\nreaped {pid}", flush=True)


if __name__ == "__main__":
    main()
