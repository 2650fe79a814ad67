"""Events of the 988-style duties around a call: help sent without the person's consent (and why), an
interpreter requested and connected (the supervisor consultation is engine/events_centre.py's).

Each is one immutable record like every other event; the engine keeps them in the call's state, and
the dispatch and handoff summaries say what they record (issue 11).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .event_base import Event

Text = Annotated[str, Field(min_length=1, max_length=200)]


class RescueWithoutConsent(Event):
    """Help is sent without the person's consent (active rescue), and why."""

    kind: Literal["rescue_without_consent"] = "rescue_without_consent"
    reason: Literal["attempt_in_progress", "cannot_keep_safe", "will_not_keep_safe", "other"]
    """988's grounds: an attempt in progress, or the person cannot or will not keep safe."""
    note: Annotated[str, Field(max_length=2000)] = ""
    """What the call-taker heard that made it necessary."""


class InterpreterRequested(Event):
    """An interpreter line was conferenced in (or asked for) for the caller's language."""

    kind: Literal["interpreter_requested"] = "interpreter_requested"
    language: Text
    """The language asked for, as a BCP 47 tag (ht, pt-BR, kea ...)."""


class InterpreterConnected(Event):
    """The interpreter is on the line."""

    kind: Literal["interpreter_connected"] = "interpreter_connected"
    interpreter_id: Text
    """The interpreter's id as the language line gives it."""
