"""The protocol's ``eido`` section: how its calls read as NENA EIDO incidents.

Optional (a protocol without it still loads; exports then use the defaults below). NENA asks each
agency to keep a mapping of its own incident types to the common registry (NENA-STA-021.1 §2.9); this
section is that mapping for a crisis protocol: the first incident type whose facts or suicide-screen
levels hold on the call is the call's type. It also names the agency (for NENA ids) and which NENA
emergency-resource type stands for each response role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

from . import eido_registries as registry
from .model_base import Id, Strict


def _registered(values: frozenset[str], name: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item not in values:
                raise ValueError(f'"{item}" is not a value of the NENA {name} registry')
        return value

    return check


IncidentTypeCode = Annotated[str, AfterValidator(_registered(registry.INCIDENT_TYPES, "Incident Type-Common"))]


class EidoIncidentType(Strict):
    """One row of the incident-type table: a NENA code and when it applies (any of its facts or levels)."""

    code: IncidentTypeCode
    """An EIDO-IncidentType-Common code (APCO ANS 2.103.2), e.g. SUICTHRT, OD, WEAPON, MTLV."""
    facts: list[Id] = []
    """Facts of the protocol; the type applies when any of them holds on the call."""
    suicide_levels: list[Id] = []
    """Suicide-screen levels of the protocol; the type applies when the call reached any of them."""


class EidoResource(Strict):
    """The NENA emergency resource that stands for one response role."""

    type: Annotated[str, AfterValidator(_registered(registry.RESOURCE_TYPES, "Emergency Resource Type-Common"))]
    """An EIDO-EmergencyResourceType-Common value, e.g. PatrolUnit, CrisisInterventionUnit."""
    attributes: Annotated[
        list[str], AfterValidator(_registered(registry.RESOURCE_ATTRIBUTES, "Resource Attribute"))
    ] = []
    """EIDO-ResourceAttribute values (skills), e.g. CrisisInterventionSpecialist, EMT."""


class EidoSection(Strict):
    """How calls of this protocol are written as NENA EIDO incidents (NENA-STA-021.1)."""

    agency: str = Field("crisis-triage.invalid", pattern=r"^[A-Za-z0-9.-]+$")
    """The agency's NENA identifier (a domain name): part of every incident id, urn:emergency:uid:incidentid:<call>:<agency>."""
    agency_types: list[str] = ["psap"]
    """The agency's types from the IANA urn:emergency:service:responder registry, without that prefix."""
    incident_types: list[EidoIncidentType] = []
    """The call's incident type: the first row whose facts or suicide levels hold; else default_incident_type."""
    default_incident_type: IncidentTypeCode = "MNTL"
    """The incident type when no row applies (MNTL: mental person, non-violent)."""
    resources: dict[Id, EidoResource] = {}
    """The NENA emergency resource written for each response role of the team dispatched."""
    dispositions: dict[
        str, Annotated[str, AfterValidator(_registered(registry.DISPOSITION_CODES, "Common Disposition Code"))]
    ] = {}
    """This protocol's disposition codes mapped to EIDO-CommonDispositionCode values (01-45)."""
