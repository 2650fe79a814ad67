"""Events of a call that come from the centre around it: the unit sent, a supervisor's consultation."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .event_base import Event


class UnitAssigned(Event):
    """The centre gave this call a unit (the transaction that decides races chose it)."""

    kind: Literal["unit_assigned"] = "unit_assigned"
    unit: str
    model: str


class SupervisorConsulted(Event):
    """A supervisor was consulted on this call (988's policy asks for it on imminent risk)."""

    kind: Literal["supervisor_consulted"] = "supervisor_consulted"
    supervisor: str = ""
    note: Annotated[str, Field(max_length=2000)] = ""
    """What was decided (the console asks for it; the board's consult key leaves it empty)."""
