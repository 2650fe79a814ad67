"""What happens to a replay-file call after its dispatch: the plan ``generate-calls`` writes and
``records import-calls`` plays (a response's statuses, its disposition, the handoff's landing, the
follow-up attempts). All optional: a call without one is imported as dispatched and ended, as before.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatusStep(_Plan):
    status: str
    minutes: float = Field(ge=0, le=24 * 60)
    """Minutes after the dispatch."""


class FollowUpStep(_Plan):
    outcome: str
    hours: float = Field(ge=0, le=24 * 60)
    """Hours after the follow-up became owed."""


class AfterPlan(_Plan):
    """A call's life after the questions: dispatched or not, and what happened next."""

    ending: str = "completed"
    """How the phone call ended (with ``dispatch: false``: caller_disconnected, transferred, advice_only...)."""
    dispatch: bool = True
    depart_to: str | None = None
    """A model dispatched instead of the recommended one (a departure), with ``depart_reason``."""
    depart_reason: str = ""
    statuses: list[StatusStep] = []
    disposition: str | None = None
    details: dict[str, str] = {}
    recorded_by: str = "dispatcher"
    disposition_minutes: float = Field(default=60, ge=0, le=24 * 60)
    landed: str | None = None
    """Where a warm handoff landed (the protocol's follow_up.handoff_outcomes)."""
    landed_minutes: float = Field(default=20, ge=0, le=24 * 60)
    follow_up: list[FollowUpStep] = []
    """Attempts made on every follow-up the call comes to owe."""
