"""A console's calls that still need it: the phone call not ended, or the response not resolved.

The console lists these beside its unfinished calls, so a response can be tracked to its disposition
after the phone call ended, and a console restarted mid-response picks it up again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..engine.aftercare import response_resolved
from ..engine.session import CallSession, SessionError
from ..protocol.compiled import Protocol
from .journal import CallMeta, CallSummary


def open_calls(
    journal: Any,
    protocol_for: Callable[[CallMeta], Protocol | None],
    console_id: str,
    *,
    since: datetime | None = None,
    limit: int = 50,
    include_followups: bool = False,
) -> list[CallSummary]:
    """This console's unfinished calls, then its ended calls (the ``limit`` most recent since
    ``since``) whose response is not resolved, or, with ``include_followups``, that still owe a
    follow-up. A call whose protocol cannot be found or whose events do not fit is left out."""
    result = list(journal.unfinished_calls(console_id))
    seen = {c.meta.call_id for c in result}
    for summary in journal.calls(console_id=console_id, since=since, limit=limit):
        if summary.meta.call_id in seen or summary.meta.practice:
            continue
        protocol = protocol_for(summary.meta)
        if protocol is None:
            continue
        try:
            state = CallSession.replay(protocol, journal.events(summary.meta.call_id)).state
        except SessionError:
            continue
        after = state.after
        owing = include_followups and any(after.followup_done(rule) is None for rule in after.scheduled)
        if not response_resolved(protocol, state) or owing:
            result.append(summary)
    return result
