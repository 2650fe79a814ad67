"""A call as a NENA EIDO (Emergency Incident Data Object) JSON document, for CAD and
next-generation 911 systems that take incidents in that format.

The document follows the NENA EIDO component model (NENA-STA-021: an EIDO message with incident,
call, location, agency and notes components, each with a ``componentIdentifier`` and referenced by
``$ref``): the incident type and priority come from the risk band (and the critical facts), the
recommended response model and its team are in the incident, and every answer and call-taker note
becomes a note. No Python package publishes NENA's schema, so ``eido.schema.json`` beside this module
holds a JSON Schema of the components and fields written here (with NENA's names); the tests
validate every document against it with ``jsonschema``.
"""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..engine.session import CallSession
from ..protocol.compiled import Protocol

SCHEMA_FILE = Path(__file__).with_name("eido.schema.json")
NAMESPACE = uuid.UUID("5b0c6c38-4d2e-4c36-9f6e-8f1a2b3c4d5e")

#: Incident type (NENA registry wording) by the most serious critical fact found on the call.
TYPE_BY_FACT = (
    ("weapon_in_use", "Mental Health Crisis - Weapon Involved"),
    ("violence_now", "Mental Health Crisis - Violence"),
    ("suicide_attempt_now", "Suicide Attempt"),
    ("overdose", "Overdose / Poisoning"),
    ("medical_emergency", "Mental Health Crisis - Medical"),
    ("weapon_present", "Mental Health Crisis - Weapon Involved"),
    ("threat_to_others", "Mental Health Crisis - Threats"),
)
DEFAULT_TYPE = "Mental Health Crisis"


def _id(*parts: str) -> str:
    """Stable ids: the same call always exports to the same document."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '/'.join(parts))}"


def priority(protocol: Protocol, band: str) -> int:
    """1 (highest) for the top band down to the number of bands for the lowest."""
    return len(protocol.bands) - protocol.band_ids.index(band)


def incident_type(facts: dict[str, Any]) -> str:
    return next((text for fact, text in TYPE_BY_FACT if fact in facts), DEFAULT_TYPE)


def eido_document(protocol: Protocol, session: CallSession, label: str = "call") -> dict[str, Any]:
    """The call as an EIDO message (a JSON-ready dict)."""
    assessment = session.assessment
    state = session.state
    rec = assessment.recommendation
    events = session.events
    updated = max(e.at for e in events).isoformat()
    started = state.started_at.isoformat()
    message_id = _id(protocol.id, label, "message")
    incident_id = _id(protocol.id, label, "incident")
    location_id = _id(protocol.id, label, "location")
    agency_id = _id(protocol.id, "agency")
    call_id = _id(protocol.id, label, "call")
    models = protocol.models
    model = models[rec.model]
    notes = []
    for _number, asked in enumerate(assessment.asked):
        if asked.status != "answered":
            continue
        notes.append(
            {
                "componentIdentifier": _id(protocol.id, label, "note", asked.question.id),
                "noteDateTimeStamp": updated,
                "noteText": f"{asked.question.spec.ask['en']} -- {asked.label}",
                "noteKeywords": [asked.question.id],
            }
        )
    for at, text in state.notes:
        notes.append(
            {
                "componentIdentifier": _id(protocol.id, label, "note", at.isoformat(), text[:40]),
                "noteDateTimeStamp": at.isoformat(),
                "noteText": text,
                "noteKeywords": ["call-taker note"],
            }
        )
    for interrupt_id, at in state.interrupts.items():
        interrupt = protocol.interrupts[interrupt_id]
        notes.append(
            {
                "componentIdentifier": _id(protocol.id, label, "interrupt", interrupt_id),
                "noteDateTimeStamp": at.isoformat(),
                "noteText": f"Recorded out of order: {interrupt.label['en']}",
                "noteKeywords": ["interrupt", interrupt_id],
            }
        )
    notes.append(
        {
            "componentIdentifier": _id(protocol.id, label, "note", "recommendation"),
            "noteDateTimeStamp": updated,
            "noteText": f"Recommended: {model.name['en']} (team: {', '.join(rec.team) or 'phone only'}). "
            f"Why: {rec.because['en']}",
            "noteKeywords": ["recommendation", rec.model],
        }
    )
    location_text = state.answers.get("location") if isinstance(state.answers.get("location"), str) else None
    district = state.district
    document = {
        "$schema": "urn:nena:schema:eido:2.0",
        "eidoMessageIdentifier": message_id,
        "$id": message_id,
        "sendingSystemIdentifier": f"crisis-triage:{protocol.id}:{protocol.version}",
        "lastUpdateTimeStamp": updated,
        "messageKind": "Report",
        "incidentComponent": [
            {
                "componentIdentifier": incident_id,
                "incidentTrackingIdentifier": label,
                "lastUpdateTimeStamp": updated,
                "incidentTypeCommonRegistryText": incident_type(assessment.facts),
                "incidentStatusCommonRegistryText": "Dispatched" if state.accepted else "Received",
                "incidentPriority": priority(protocol, assessment.risk.band),
                "riskBand": assessment.risk.band,
                "recommendedResponse": {
                    "model": rec.model,
                    "name": model.name["en"],
                    "team": list(rec.team),
                    "notify": list(rec.notify),
                    "rule": rec.rule,
                },
                "locationReference": [{"$ref": location_id}],
                "callReference": [{"$ref": call_id}],
                "notesReference": [{"$ref": n["componentIdentifier"]} for n in notes],
                "updatedByAgencyReference": {"$ref": agency_id},
            }
        ],
        "callComponent": [
            {
                "componentIdentifier": call_id,
                "callStartTimeStamp": started,
                "callTypeDescriptor": state.line or "unknown line",
                "callerRelationDescriptor": protocol.doors[state.door].caller
                if state.door in protocol.doors
                else "unknown",
                "languageCode": state.language,
            }
        ],
        "locationComponent": [
            {
                "componentIdentifier": location_id,
                "civicAddressText": location_text or "not given",
                "districtIdentifier": district or "unknown",
            }
        ],
        "agencyComponent": [{"componentIdentifier": agency_id, "agencyName": protocol.title}],
        "notesComponent": notes,
    }
    return document


@lru_cache(maxsize=1)
def eido_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
