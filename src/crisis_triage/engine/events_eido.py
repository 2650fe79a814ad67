"""Events of a call that arrived as an incident from another system (a NENA EIDO).

A call transferred from another PSAP, a 988 centre or a CAD keeps that incident's tracking id, so
the EIDOs this console sends about it describe the same incident, and keeps what the sender knew
that the protocol has no question for (a callback number). Location, caller name and language go in
as answers and context, and the sender's notes as notes, so the walk treats them like any other.
"""

from __future__ import annotations

from typing import Literal

from .event_base import Event


class IncidentReceived(Event):
    """The call continues an incident another system sent (its EIDO was read when the call started)."""

    kind: Literal["incident_received"] = "incident_received"
    incident_id: str
    """The incident tracking identifier, kept on every EIDO sent about this call."""
    sender: str = ""
    """Who sent it (the EIDO's issuing element or agency)."""
    callback: tuple[str, ...] = ()
    """Callback URIs of the caller (tel:, sip:). The sender's notes come in as ordinary notes."""
