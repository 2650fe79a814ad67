"""Issue 11's call events in words: the interpreter step, supervisor consultations and help sent
without consent, for the call screen's call-events line and the record's timeline (``records show``).

Pure and textual-free like :mod:`.views`: the console names the key beside a line from the binding id
each line carries (the key table is the console's), so a remapped key shows its own label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from .events_centre import SupervisorConsulted
from .views import centre_time

if TYPE_CHECKING:
    from ..protocol.compiled import Protocol
    from .assessment import Assessment
    from .state import CallState

RESCUE_REASONS: dict[str, str] = {
    "attempt_in_progress": "an attempt is in progress",
    "cannot_keep_safe": "the person cannot keep safe",
    "will_not_keep_safe": "the person will not keep safe",
    "other": "other (say why in the note)",
}
"""988's grounds for active rescue, in the words the picker and the record use."""


@dataclass(frozen=True)
class CallEventLine:
    """One line of the call screen's call-events panel."""

    text: str
    urgent: bool = False
    """Shown in the alert colour: help sent without consent, or a duty still open at imminent risk."""
    key: str = ""
    """The binding id of the key that records what the line asks for (empty: nothing to press)."""


def call_event_lines(protocol: Protocol, state: CallState, assessment: Assessment) -> tuple[CallEventLine, ...]:
    """What the call-taker must see of the interpreter, supervisor and consent duties right now.

    Empty for most calls: a line appears once something was recorded, when the caller's language
    needs an interpreter (the protocol's ``needs_interpreter`` fact), or at imminent suicide risk
    (988's policy: consult a supervisor; active rescue without consent only on its grounds)."""

    def at(moment: datetime) -> str:
        return f"{centre_time(protocol, moment):%H:%M}"

    lines: list[CallEventLine] = []
    if state.interpreter_connected is not None:
        language = state.interpreter_requested[1] if state.interpreter_requested is not None else state.language
        when, who = state.interpreter_connected
        lines.append(CallEventLine(f"Interpreter {who} on the line ({language}) since {at(when)}"))
    elif state.interpreter_requested is not None:
        when, language = state.interpreter_requested
        lines.append(
            CallEventLine(
                f"Interpreter requested {at(when)} ({language}), not yet connected", key="interpreter_connected"
            )
        )
    elif "needs_interpreter" in assessment.facts:
        lines.append(CallEventLine(f"No interpreter requested ({state.language})", key="interpreter"))
    imminent = assessment.risk.suicide_level == "imminent"
    for when, who, note in state.supervisor_consulted:
        lines.append(
            CallEventLine(f"Supervisor {who or '(not named)'} consulted {at(when)}" + (f": {note}" if note else ""))
        )
    if imminent and not state.supervisor_consulted:
        lines.append(CallEventLine("IMMINENT RISK: consult a supervisor", urgent=True, key="supervisor"))
    if state.rescue_without_consent is not None:
        when, reason, note = state.rescue_without_consent
        lines.append(
            CallEventLine(
                f"HELP SENT WITHOUT CONSENT {at(when)}: {RESCUE_REASONS.get(reason, reason)}"
                + (f" ({note})" if note else ""),
                urgent=True,
            )
        )
    elif imminent:
        lines.append(
            CallEventLine(
                "Help without consent only if an attempt is in progress or the person cannot or will not keep safe",
                key="rescue",
            )
        )
    return tuple(lines)


def describe_call_event(event: object) -> str | None:
    """One of these events in words for the record's timeline; None for any other event."""
    match event:
        case InterpreterRequested(language=language):
            return f"interpreter requested ({language})"
        case InterpreterConnected(interpreter_id=who):
            return f"interpreter {who} connected"
        case SupervisorConsulted(supervisor=who):
            return f"supervisor {who or '(not named)'} consulted" + (f": {event.note}" if event.note else "")
        case RescueWithoutConsent(reason=reason, note=note):
            return f"HELP SENT WITHOUT CONSENT: {RESCUE_REASONS.get(reason, reason)}" + (f" ({note})" if note else "")
    return None


__all__ = ["RESCUE_REASONS", "CallEventLine", "call_event_lines", "describe_call_event"]
