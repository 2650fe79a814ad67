"""A call as a NENA EIDO (Emergency Incident Data Object, NENA-STA-021.1): what a CAD reads.

Built through the typed models of :mod:`.eido_models`, so every field is one NENA defines and every
registry-valued field holds a registry value. The incident's ``$id`` is its tracking identifier
``urn:emergency:uid:incidentid:<call>:<agency>`` (or the sender's, for a call that arrived as an
EIDO), so every update of a call is an updated EIDO of the same incident.

Triage results have no NENA field of their own, so they go where the standard keeps local data:
the risk band is the incident's internal priority (and its common priority number), the deciding
fact its internal incident type, the recommendation and its reasons a note, and, once the call-taker
dispatched, the team as a dispatch component with one emergency resource per role (the protocol's
``eido.resources`` says which NENA resource type stands for each role). A response status or a
disposition recorded after the dispatch updates those resources and the incident's status.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..engine.events import Answered, Revised
from ..engine.events_eido import IncidentReceived
from ..engine.session import CallSession
from ..protocol.compiled import Protocol
from ..protocol.eido_models import EidoSection
from . import eido_models as m

NAMESPACE = uuid.UUID("5b0c6c38-4d2e-4c36-9f6e-8f1a2b3c4d5e")

#: Two-letter language codes of protocols to ISO 639-3 (what NIEM's language code takes).
ISO_639_3 = {"en": "eng", "es": "spa", "fr": "fra", "pt": "por", "ht": "hat", "zh": "zho", "vi": "vie", "ar": "ara"}

#: A response status (after-dispatch events) as NENA's secondary unit status and incident status.
UNIT_STATUS = {
    "assigned": ("Assigned", "ResourcesAssigned"),
    "en_route": ("EnRoute", "ResourcesEnroute"),
    "on_scene": ("OnScene", "ResourcesOnscene"),
    "contact_made": ("PatientContact", "ResourcesOnscene"),
    "unable_to_locate": ("Arrived", "ResourcesOnscene"),
    "cleared": ("Cleared", "ResourcesOnscene"),
}


def priority(protocol: Protocol, band: str) -> int:
    """1 (highest) for the top band down to the number of bands for the lowest."""
    return len(protocol.bands) - protocol.band_ids.index(band)


def call_priority(protocol: Protocol, band: str) -> str:
    """The band on NENA's five-step call priority scale (highest ... lowest)."""
    steps = ("lowest", "low", "normal", "high", "highest")
    index = protocol.band_ids.index(band)
    return steps[round(index * (len(steps) - 1) / max(1, len(protocol.bands) - 1))]


def section_of(protocol: Protocol) -> EidoSection:
    return protocol.document.eido or EidoSection()


def incident_type(protocol: Protocol, facts: dict[str, Any], suicide_level: str | None) -> tuple[str, str | None]:
    """(NENA incident type code, the fact or level that chose it) from the protocol's table."""
    section = section_of(protocol)
    for row in section.incident_types:
        for fact in row.facts:
            if fact in facts:
                return row.code, fact
        if suicide_level is not None and suicide_level in row.suicide_levels:
            return row.code, suicide_level
    return section.default_incident_type, None


def received_incident(session: CallSession) -> IncidentReceived | None:
    """The incident this call continues, when it arrived as an EIDO."""
    return next((e for e in session.events if isinstance(e, IncidentReceived)), None)


def incident_tracking_id(protocol: Protocol, session: CallSession, label: str) -> str:
    received = received_incident(session)
    return received.incident_id if received else m.incident_id(label, section_of(protocol).agency)


def build_eido(protocol: Protocol, session: CallSession, label: str = "call") -> m.Eido:
    """The call as a typed EIDO (see :func:`eido_document` for JSON)."""
    return _Builder(protocol, session, label).build()


def eido_document(protocol: Protocol, session: CallSession, label: str = "call") -> dict[str, Any]:
    """The call as an EIDO (a JSON-ready dict with NENA's field names)."""
    return m.dump(build_eido(protocol, session, label))


@lru_cache(maxsize=65536)
def _uid(key: str) -> str:
    """Stable component ids: the same call always exports to the same document (cached: a live call
    rebuilds its EIDO on every event)."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, key)}"


@lru_cache(maxsize=16384)
def _note(note_id: str, at: datetime, text: str, agency: str) -> m.Note:
    """A note component. Notes are many, hold only text escaped here and are frozen, so they are built
    once without re-validation and reused: a live call rebuilds its EIDO on every event."""
    return m.Note.model_construct(
        id=note_id,
        lastUpdateTimeStamp=at,
        updatedByAgencyReference=m.ref(agency),
        notesActionComments=html.escape(text),
    )


class _Builder:
    def __init__(self, protocol: Protocol, session: CallSession, label: str):
        self.protocol = protocol
        self.session = session
        self.section = section_of(protocol)
        self.agency = self.section.agency
        self.received = received_incident(session)
        self.incident = incident_tracking_id(protocol, session, label)
        self.label = label
        self.updated = max(e.at for e in session.events)
        self.notes: list[m.Note] = []

    # -- small pieces --------------------------------------------------------------------------
    def uid(self, *parts: str) -> str:
        return _uid("/".join((self.incident, *parts)))

    def prologue(self, component_id: str, at: datetime | None = None) -> dict[str, Any]:
        return {
            "id": component_id,
            "lastUpdateTimeStamp": at or self.updated,
            "updatedByAgencyReference": m.ref(self.agency),
        }

    def note(self, key: str, at: datetime, text: str) -> str:
        note_id = self.uid("note", key)
        self.notes.append(_note(note_id, at, text, self.agency))
        return note_id

    def events_of(self, kind: str) -> list[Any]:
        # After-dispatch events are read by kind, so this module needs nothing from their module.
        return [e for e in self.session.events if getattr(e, "kind", None) == kind]

    # -- the document --------------------------------------------------------------------------
    def build(self) -> m.Eido:
        protocol, state = self.protocol, self.session.state
        assessment = self.session.assessment
        rec = assessment.recommendation
        answers_note = self._answer_notes()
        recommendation_note = self.note(
            "recommendation",
            self.updated,
            f"Triage: risk {assessment.risk.band} (score {assessment.risk.score}). "
            f"Recommended: {protocol.models[rec.model].name['en']} "
            f"(team: {', '.join(rec.team) or 'phone only'}). Why: {rec.because['en']}",
        )
        call_id = m.call_id(self.label, self.agency)
        callback = self._callback()
        location = self._location()
        caller = self._caller(call_id, callback, location)
        dispatch, resources, statuses = self._dispatch(recommendation_note)
        dispositions = self._dispositions()
        incident_status = ["Active"] + statuses
        if dispositions or (state.ended is not None and state.accepted is None):
            incident_status = ["Closed"]
        code, deciding = incident_type(protocol, assessment.facts, assessment.risk.suicide_level)
        location_refs = [m.ref(location.id)] if location else None
        call = m.Call(
            **self.prologue(call_id),
            standardPrimaryCallType="emergency",
            localCallType=state.line,
            direction="incoming",
            callStartTimestamp=state.started_at,
            answerDate=state.started_at,
            callStateRegistryText="callEnd" if state.ended is not None else "callAnswered",
            priorityIdentifier=call_priority(protocol, assessment.risk.band),
            callBackReference=m.ref(callback.id) if callback else None,
            locationReference=location_refs,
            personReference=[m.ref(caller.id)],
            notesReference=[m.ref(n) for n in answers_note],
        )
        incident = m.Incident(
            **self.prologue(self.uid("incident")),
            incidentTypeCommonRegistryText=code,
            incidentTypeInternalCode=deciding,
            incidentTypeInternalText=self._deciding_label(deciding),
            incidentStatusCommonRegistryText=incident_status,
            internalIncidentId=self.label,
            locationReference=location_refs,
            personReference=[m.ref(caller.id)],
            incidentPriorityInternalText=assessment.risk.band,
            incidentCommonPriorityNumber=priority(protocol, assessment.risk.band),
            beatOrDispatchGroupText=state.district,
            dispositionComponent=dispositions or None,
            notesReference=[m.ref(n.id) for n in self.notes],
        )
        roles = ["CallReceiving"] + (["Dispatching"] if dispatch else [])
        agency = m.Agency(
            **self.prologue(self.agency),
            agencyRoleDescriptionRegistryText=roles,
            agencyType=list(self.section.agency_types),
            incidentOwningAgencyIndicator=True,
        )
        return m.Eido(
            **self.prologue(self.incident),
            issuingElementIdentification=f"crisis-triage.{self.agency}",
            agencyComponent=[agency],
            incidentComponent=incident,
            callComponent=[call],
            callbackComponent=[callback] if callback else None,
            personComponent=[caller],
            locationComponent=[location] if location else None,
            notesComponent=self.notes,
            dispatchComponent=[dispatch] if dispatch else None,
            emergencyResourceComponent=resources or None,
        )

    def _answer_notes(self) -> list[str]:
        ids = []
        answered_at = {e.question: e.at for e in self.session.events if isinstance(e, (Answered, Revised))}
        for asked in self.session.assessment.asked:
            if asked.status == "answered":
                text = f"{asked.question.spec.ask['en']} -- {asked.label}"
                at = answered_at.get(asked.question.id, self.updated)
                ids.append(self.note(f"answer/{asked.question.id}", at, text))
        state = self.session.state
        for number, (at, text) in enumerate(state.notes):
            ids.append(self.note(f"call-taker/{number}", at, text))
        for interrupt_id, at in state.interrupts.items():
            label = self.protocol.interrupts[interrupt_id].label["en"]
            ids.append(self.note(f"interrupt/{interrupt_id}", at, f"Recorded out of order: {label}"))
        if state.accepted and state.accepted[2]:
            ids.append(self.note("departure", self.updated, f"Sent another team than recommended: {state.accepted[2]}"))
        return ids

    def _deciding_label(self, deciding: str | None) -> str | None:
        if deciding is None:
            return None
        fact = self.protocol.document.facts.get(deciding)
        if fact is not None:
            return fact.label["en"]
        screen = self.protocol.document.suicide_screen
        level = next((lv for lv in screen.levels if lv.id == deciding), None) if screen else None
        return level.label["en"] if level else deciding

    def _callback(self) -> m.Callback | None:
        if not self.received or not self.received.callback:
            return None
        return m.Callback(
            **self.prologue(self.uid("callback"), self.received.at),
            callBackInformationUri=list(self.received.callback),
        )

    def _location(self) -> m.Location | None:
        text = self.session.state.answers.get("location")
        if not isinstance(text, str) or not text.strip():
            return None
        return m.Location(
            **self.prologue(self.uid("location")),
            locationTypeDescriptionRegistryText="CurrentIncident",
            locationDescriptionText=text,
        )

    def _caller(self, call_id: str, callback: m.Callback | None, location: m.Location | None) -> m.Person:
        state = self.session.state
        name = state.answers.get("caller_name")
        language = ISO_639_3.get(state.language)
        person = m.NiemPerson(
            name=[m.NiemPersonName(personFullName=[m.NiemText(value=name)])]
            if isinstance(name, str) and name
            else None,
            primaryLanguage=[m.NiemPersonLanguage(languageCode=[m.NiemLanguageCode(simpleType=language)])]
            if language
            else None,
        )
        roles = ["Caller"] + (["Patient"] if state.door == "self" else ["ReportingParty"])
        return m.Person(
            **self.prologue(self.uid("person", "caller")),
            personIncidentRoleRegistryText=roles,
            ncPersonComponent=person if person.name or person.primaryLanguage else None,
            callIdentifier=[call_id],
            callBackReference=m.ref(callback.id) if callback else None,
        )

    def _dispatch(self, recommendation_note: str) -> tuple[m.Dispatch | None, list[m.EmergencyResource], list[str]]:
        """The dispatch, its resources and the incident statuses they give (none before dispatch)."""
        state = self.session.state
        if state.accepted is None:
            return None, [], []
        model, _recommended, _reason = state.accepted
        rec = self.session.assessment.recommendation
        team = rec.team if model == rec.model else tuple(self.protocol.models[model].team)
        accepted_at = next(e.at for e in self.session.events if getattr(e, "kind", None) == "accepted")
        statuses = self.events_of("response_status")
        last = statuses[-1].status if statuses else None
        unit_status, incident_status = UNIT_STATUS.get(last or "", ("Dispatched", "ResourcesAssigned"))
        at = statuses[-1].at if statuses else accepted_at
        resources = []
        for role in team:
            spec = self.section.resources.get(role)
            if spec is None:
                continue
            resources.append(
                m.EmergencyResource(
                    **self.prologue(self.uid("resource", role), at),
                    emergencyResourceTypeCommonRegistryText=spec.type,
                    emergencyResourceTypeInternalText=role,
                    emergencyResourceName=self.protocol.document.responses.roles[role]["en"],
                    resourceAttributeRegistryText=list(spec.attributes),
                    primaryUnitStatusRegistryText="Available" if unit_status == "Cleared" else "NotAvailable",
                    secondaryUnitStatusRegistryText=[unit_status],
                    unitStatusInternal=[last] if last else None,
                    agentReference=[],
                )
            )
        dispatch = m.Dispatch(
            **self.prologue(self.uid("dispatch"), accepted_at),
            agencyReference=m.ref(self.agency),
            emergencyResourceReference=[m.ref(r.id) for r in resources] or None,
            notesReference=[m.ref(recommendation_note)],
        )
        return dispatch, resources, [incident_status]

    def _dispositions(self) -> list[m.Disposition]:
        result = []
        for number, event in enumerate(self.events_of("disposition")):
            nena = self.section.dispositions.get(event.code)
            if nena is None:
                self.note(f"disposition/{number}", event.at, f"Disposition: {event.code}")
                continue
            result.append(
                m.Disposition(
                    **self.prologue(self.uid("disposition", str(number)), event.at),
                    dispositionCommonRegistryCode=nena,
                    dispositionPrimaryIndicator=True,
                    dispositionDescriptionText=event.code,
                )
            )
        return result
