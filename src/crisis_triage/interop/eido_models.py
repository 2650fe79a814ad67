"""Typed models of the parts of NENA's EIDO (NENA-STA-021.1, JSON) that this project writes.

Written from the standard's text and its published OpenAPI schema (not copied from it: NENA's
repository carries no licence). Each model has exactly the fields NENA defines that we use, under
NENA's names (``$id`` and ``$ref`` through aliases), with NENA's required fields required and
registry-valued fields checked against the registries in :mod:`.eido_registries`. ``extra="forbid"``
means a field NENA does not define cannot be written: a receiving CAD would silently ignore it.

Serialise with :func:`dump` (aliases, no unset optional fields, times as ISO 8601).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..protocol import eido_registries as registry

EIDO_VERSION: Literal["1.0"] = "1.0"
Severity = Literal["highest", "high", "normal", "low", "lowest"]


def _in(values: frozenset[str], name: str):
    def check(value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        bad = [v for v in items if v not in values]
        if bad:
            raise ValueError(f'"{bad[0]}" is not a value of the NENA {name} registry')
        return value

    return AfterValidator(check)


class Nena(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Reference(Nena):
    """A reference to another component by its ``$id``."""

    ref: str = Field(alias="$ref")


@lru_cache(maxsize=65536)
def ref(component_id: str) -> Reference:
    # A reference holds one string the builder made itself: nothing to validate (and there are many).
    return Reference.model_construct(ref=component_id)


def refs(ids: Iterable[str]) -> list[Reference]:
    return [ref(i) for i in ids]


class Prologue(Nena):
    """The common prologue on every data component (and on the EIDO itself)."""

    id: str = Field(alias="$id")
    """Globally unique identifier of the component."""
    lastUpdateTimeStamp: datetime
    updatedByAgencyReference: Reference
    updatedByAgentReference: Reference | None = None


class Agency(Prologue):
    """AgencyType: an agency that owns or is related to the incident."""

    agencyRoleDescriptionRegistryText: Annotated[list[str], _in(registry.AGENCY_ROLES, "Agency Role")]
    agencyType: list[str]
    """IANA urn:emergency:service:responder values without the prefix, e.g. "police", "psap"."""
    agencyJcard: str | None = None
    incidentOwningAgencyIndicator: bool | None = None


class Disposition(Prologue):
    """DispositionType, carried inside the incident component."""

    dispositionCommonRegistryCode: Annotated[str, _in(registry.DISPOSITION_CODES, "Common Disposition Code")]
    dispositionPrimaryIndicator: bool | None = None
    dispositionCategoryText: str | None = None
    dispositionDescriptionText: str | None = None
    notesReference: list[Reference] | None = None


class Incident(Prologue):
    """IncidentInformationType: one object per EIDO."""

    incidentTypeCommonRegistryText: Annotated[str, _in(registry.INCIDENT_TYPES, "Incident Type-Common")]
    incidentTypeInternalCode: str | None = None
    incidentTypeInternalText: str | None = None
    incidentStatusCommonRegistryText: (
        Annotated[list[str], _in(registry.INCIDENT_STATUSES, "Incident Status")] | None
    ) = None
    incidentStatusInternalText: list[str] | None = None
    internalIncidentId: str | None = None
    locationReference: list[Reference] | None = None
    personReference: list[Reference] | None = None
    incidentPriorityInternalText: str | None = None
    incidentCommonPriorityNumber: int | None = None
    beatOrDispatchGroupText: str | None = None
    dispositionComponent: list[Disposition] | None = None
    notesReference: list[Reference] | None = None


class Call(Prologue):
    """CallInformationType: the call that reported the incident."""

    standardPrimaryCallType: str
    """A "Primary" value of the LogEvent CallTypes registry, e.g. "emergency"."""
    direction: Literal["incoming", "outgoing", "internal"]
    callStartTimestamp: datetime
    callStateRegistryText: Annotated[str, _in(registry.CALL_STATES, "Call States")]
    localCallType: str | None = None
    answerDate: datetime | None = None
    priorityIdentifier: Severity | None = None
    callBackReference: Reference | None = None
    locationReference: list[Reference] | None = None
    notesReference: list[Reference] | None = None
    personReference: list[Reference] | None = None
    agencyReference: list[Reference] | None = None


class Callback(Prologue):
    """CallbackType: how to reach the reporting party again."""

    callBackInformationUri: list[str]


class NiemText(Nena):
    value: str


class NiemPersonName(Nena):
    personFullName: list[NiemText]


class NiemLanguageCode(Nena):
    simpleType: str
    """An ISO 639-3 code, e.g. "eng", "spa"."""


class NiemPersonLanguage(Nena):
    languageCode: list[NiemLanguageCode]


class NiemPerson(Nena):
    """The few NIEM nc:PersonType fields we use: the name and the primary language."""

    name: list[NiemPersonName] | None = None
    primaryLanguage: list[NiemPersonLanguage] | None = None


class Person(Prologue):
    """PersonInformationType. One with role "Caller" MUST come with each call component."""

    personIncidentRoleRegistryText: Annotated[list[str], _in(registry.PERSON_ROLES, "Person Role")]
    ncPersonComponent: NiemPerson | None = None
    callIdentifier: list[str] | None = None
    locationReference: list[Reference] | None = None
    callBackReference: Reference | None = None
    notesReference: list[Reference] | None = None


class Location(Prologue):
    """LocationInformationType."""

    locationTypeDescriptionRegistryText: Annotated[str, _in(registry.LOCATION_TYPES, "Location Type")]
    locationDescriptionText: str | None = None
    locationByValue: str | None = None
    """A PIDF-LO document."""
    notesReference: list[Reference] | None = None


class Note(Prologue):
    """NotesType: ``notesActionComments`` is HTML5 text."""

    notesActionComments: str
    agentReference: Reference | None = None


class Dispatch(Prologue):
    """DispatchInformationType: a dispatch of resources by an agency."""

    agencyReference: Reference | None = None
    agentReference: Reference | None = None
    emergencyResourceReference: list[Reference] | None = None
    notesReference: list[Reference] | None = None


class EmergencyResource(Prologue):
    """EmergencyResourceType: a unit sent (or to be sent) to the incident."""

    emergencyResourceTypeCommonRegistryText: Annotated[
        str, _in(registry.RESOURCE_TYPES, "Emergency Resource Type-Common")
    ]
    resourceAttributeRegistryText: Annotated[list[str], _in(registry.RESOURCE_ATTRIBUTES, "Resource Attribute")]
    primaryUnitStatusRegistryText: Annotated[str, _in(registry.PRIMARY_UNIT_STATUSES, "Primary Unit Status")]
    secondaryUnitStatusRegistryText: Annotated[
        list[str], _in(registry.SECONDARY_UNIT_STATUSES, "Secondary Unit Status")
    ]
    agentReference: list[Reference]
    emergencyResourceTypeInternalText: str | None = None
    emergencyResourceName: str | None = None
    unitStatusInternal: list[str] | None = None
    notesReference: list[Reference] | None = None


class JsonLdContext(Nena):
    vocab: Literal["./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"] = Field(
        "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld", alias="@vocab"
    )


class Eido(Prologue):
    """EmergencyIncidentDataObjectType. Its ``$id`` is the incident tracking identifier."""

    eidoVersion: Literal["1.0"] = EIDO_VERSION
    issuingElementIdentification: str
    """The functional element that created this EIDO."""
    agencyComponent: list[Agency]
    incidentComponent: Incident | None = None
    callComponent: list[Call] | None = None
    callbackComponent: list[Callback] | None = None
    personComponent: list[Person] | None = None
    locationComponent: list[Location] | None = None
    notesComponent: list[Note] | None = None
    dispatchComponent: list[Dispatch] | None = None
    emergencyResourceComponent: list[EmergencyResource] | None = None
    context: JsonLdContext | None = Field(None, alias="@context")


def dump(document: Eido) -> dict[str, Any]:
    """The EIDO as JSON-ready data: NENA's names, unset fields left out, times in ISO 8601."""
    return document.model_dump(mode="json", by_alias=True, exclude_none=True)


def incident_id(local_id: str, agency: str) -> str:
    """NENA's incident tracking identifier: ``urn:emergency:uid:incidentid:<id>:<agency>``."""
    return f"urn:emergency:uid:incidentid:{local_id}:{agency}"


def call_id(local_id: str, agency: str) -> str:
    """NENA's call identifier: ``urn:emergency:uid:callid:<id>:<agency>``."""
    return f"urn:emergency:uid:callid:{local_id}:{agency}"
