"""What a screen opened above the live call may see and do, without knowing the call screen.

The dispatch summary and the warm handoff stay open while the call goes on, so they record events
(a handoff step, another team) through the call screen's own recorder, passed in here: validate,
journal first, apply, show. Anything else they hand back as a result (:data:`AfterCall`) for the
call screen to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ...engine import CallSession
from ...engine.assessment import Assessment
from ...protocol.compiled import Protocol

AfterCall = Literal["back", "end_call", "interrupt", "handoff", "dispatch"]
"""What a dispatch or handoff screen asks of the call screen when it closes: go back to the call,
end it, open the interrupt keys, or show the handoff / dispatch summary instead."""


@dataclass(frozen=True)
class CallLink:
    """The live call as a screen above it sees it: read-only state and the call's recorder."""

    protocol: Protocol
    session: CallSession
    """Read it; never apply to it (events go through :attr:`record`)."""
    now: Callable[[], datetime]
    """The call's clock."""
    record: Callable[[Any], bool]
    """The call screen's one way in for events (validate, journal, apply, show); False if refused."""
    call_id: str = ""
    """The call's record id (names its EIDO incident)."""

    @property
    def assessment(self) -> Assessment:
        return self.session.assessment
