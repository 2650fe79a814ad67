"""EIDO out: our documents against NENA-STA-021.1, field by field.

The tables below are written from the standard's text (its data components, their required data
elements and the IANA registries they take values from), independently of our models, so a model
that drifted from NENA would fail here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from crisis_triage.engine import InterruptRecorded, NoteAdded, RecommendationAccepted, session_from_answers
from crisis_triage.engine.events import CallEnded
from crisis_triage.engine.events_response import DispositionRecorded, ResponseStatusChanged
from crisis_triage.engine.session import CallSession
from crisis_triage.interop import eido_models as m
from crisis_triage.interop.eido import eido_document, incident_type, priority
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.training.library import load_scenario, scenario_files
from crisis_triage.training.runner import play_perfect
from tests.authoring.conftest import ROOT

#: Every data component's required elements (NENA-STA-021.1 §2; the prologue's three on all of them).
PROLOGUE = {"$id", "lastUpdateTimeStamp", "updatedByAgencyReference"}
REQUIRED = {
    "agencyComponent": {"agencyRoleDescriptionRegistryText", "agencyType"},
    "callComponent": {"callStateRegistryText", "standardPrimaryCallType", "direction", "callStartTimestamp"},
    "callbackComponent": set(),
    "personComponent": {"personIncidentRoleRegistryText"},
    "locationComponent": {"locationTypeDescriptionRegistryText"},
    "notesComponent": {"notesActionComments"},
    "dispatchComponent": set(),
    "emergencyResourceComponent": {
        "agentReference",
        "emergencyResourceTypeCommonRegistryText",
        "primaryUnitStatusRegistryText",
        "resourceAttributeRegistryText",
        "secondaryUnitStatusRegistryText",
    },
}
#: The elements each component may carry (what NENA defines; anything else is an undefined field).
DEFINED = {
    "incidentComponent": {
        "incidentTypeInternalCode", "incidentTypeInternalText", "incidentTypeCommonRegistryText",
        "incidentStatusInternalText", "incidentStatusCommonRegistryText", "internalIncidentId", "agentReference",
        "locationReference", "personReference", "organizationReference", "vehicleReference",
        "documentIdentification", "reportNumberType", "incidentPriorityInternalText",
        "incidentCommonPriorityNumber", "beatOrDispatchGroupText", "dispositionComponent", "notesReference",
    },
    "callComponent": {
        "relatedCallIdentifier", "queueIdentifier", "standardPrimaryCallType", "standardSecondaryCallType",
        "localCallType", "direction", "priorityIdentifier", "additionalDataReference", "callStartTimestamp",
        "answerDate", "callStateRegistryText", "agentReference", "callBackReference", "verstat", "sipIdentity",
        "locationReference", "notesReference", "personReference", "organizationReference", "agencyReference",
    },
    "personComponent": {
        "ncPersonComponent", "personIncidentRoleRegistryText", "callIdentifier", "locationReference",
        "destinationReference", "eta", "notesReference", "additionalDataReference", "callBackReference",
        "personCallLegState", "itemReference",
    },
    "locationComponent": {
        "locationTypeDescriptionRegistryText", "locationByValue", "locationByReferenceUrl",
        "locationDereferencedFromReference", "locationDescriptionText", "crossStreetByValue",
        "crossStreetByReferenceUrl", "intersectingStreetByValue", "intersectingStreetByReferenceUrl",
        "cellTowerSectorId", "additionalDataReference", "localIdentifier", "notesReference",
    },
    "agencyComponent": {
        "agencyJcard", "agencyRoleDescriptionRegistryText", "agencyType", "notesReference",
        "incidentOwningAgencyIndicator", "actingOnBehalfOfAgencyReference", "agencyCallLegState",
    },
    "notesComponent": {"notesActionComments", "agentReference", "cautionReference"},
    "callbackComponent": {"callBackInformationUri", "deviceContactHeader", "updatedCbn"},
    "dispatchComponent": {"agencyReference", "agentReference", "emergencyResourceReference", "notesReference"},
    "emergencyResourceComponent": {
        "emergencyResourceTypeCommonRegistryText", "emergencyResourceTypeInternalText",
        "resourceAttributeRegistryText", "resourceAttributeInternalText", "emergencyResourceName",
        "primaryUnitStatusRegistryText", "secondaryUnitStatusRegistryText", "notesReference", "unitStatusInternal",
        "agentReference", "unitLocationReference", "unitDestinationReference", "eta", "personReference",
        "vehicleReference", "itemReference", "activeOnIncidentId", "stackedOnIncidentId",
    },
}  # fmt: skip
PROLOGUE_OPTIONAL = {"updatedByAgentReference", "AlternateValueReferences", "externalInformationSourceReferences",
                     "mediaReferences"}  # fmt: skip
TOP_LEVEL = {"eidoVersion", "eidoExtensionId", "issuingElementIdentification", "mergeComponent", "linkComponent",
             "incidentComponent", "callComponent", "callbackComponent", "dispatchComponent", "notesComponent",
             "emergencyResourceComponent", "alarmsSensorsComponent", "agencyComponent", "agentComponent",
             "additionalDataComponent", "locationComponent", "personComponent", "vehicleComponent",
             "cautionComponent", "mediaComponent", "sharedCommunicationResourceComponent",
             "externalInformationSourceComponent", "@context"}  # fmt: skip
#: Registry values named in the standard (chapter 3), for the fields we fill.
INCIDENT_STATUS = {"Active", "Cancelled", "Closed", "FireUnderControl", "NewLocation", "ReOpened",
                   "ResourcesAssigned", "ResourcesEnroute", "ResourcesOnscene", "StructureCleared"}  # fmt: skip
AGENCY_ROLE = {"Assisting", "CallReceiving", "Dispatched", "Dispatching", "Informational", "TransferredTo"}
LOCATION_TYPE = {"RoutingLocation", "Caller", "CurrentIncident", "InitialIncident", "Investigation", "Other",
                 "Staging", "TowerLocation", "UnitLocation"}  # fmt: skip
PERSON_ROLE = {"InvolvedPerson", "Caller", "Patient", "PatientAcquaintance", "PatientRelative", "PersonOfInterest",
               "ReportingParty", "Suspect", "Victim", "VictimAcquaintance", "VictimRelative", "Witness"}  # fmt: skip
PRIMARY_UNIT = {"Available", "ConditionallyAvailable", "NotAvailable"}


def check_against_the_standard(document: dict) -> None:
    """Assert ``document`` holds NENA's required elements, no undefined ones, registry values and
    references that resolve."""
    assert set(document) <= PROLOGUE | PROLOGUE_OPTIONAL | TOP_LEVEL
    assert PROLOGUE | {"eidoVersion", "issuingElementIdentification", "agencyComponent"} <= set(document)
    assert document["eidoVersion"] == "1.0"
    assert document["$id"].startswith("urn:emergency:uid:incidentid:")
    incident = document["incidentComponent"]
    assert isinstance(incident, dict), "incidentComponent is one object"
    ids = {document["$id"]}
    components = [("incidentComponent", incident)] + [(name, c) for name in REQUIRED for c in document.get(name, [])]
    for name, component in components:
        assert set(component) >= PROLOGUE, name
        assert REQUIRED.get(name, {"incidentTypeCommonRegistryText"}) <= set(component), name
        assert set(component) <= PROLOGUE | PROLOGUE_OPTIONAL | DEFINED[name], (name, set(component) - DEFINED[name])
        assert component["$id"] not in ids, f"{component['$id']} is used twice"
        ids.add(component["$id"])
    assert set(incident.get("incidentStatusCommonRegistryText", [])) <= INCIDENT_STATUS
    for agency in document["agencyComponent"]:
        assert set(agency["agencyRoleDescriptionRegistryText"]) <= AGENCY_ROLE
    for location in document.get("locationComponent", []):
        assert location["locationTypeDescriptionRegistryText"] in LOCATION_TYPE
    for person in document.get("personComponent", []):
        assert set(person["personIncidentRoleRegistryText"]) <= PERSON_ROLE
    for resource in document.get("emergencyResourceComponent", []):
        assert resource["primaryUnitStatusRegistryText"] in PRIMARY_UNIT
    for call in document.get("callComponent", []):
        assert call["direction"] in ("incoming", "outgoing", "internal")
        callers = [p for p in document["personComponent"] if "Caller" in p["personIncidentRoleRegistryText"]]
        assert callers and call["$id"] in callers[0]["callIdentifier"], "a Caller person comes with each call"

    def references(value):
        if isinstance(value, dict):
            if set(value) == {"$ref"}:
                yield value["$ref"]
            for inner in value.values():
                yield from references(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from references(inner)

    assert set(references(document)) <= ids, set(references(document)) - ids


def test_a_call_reads_as_a_nena_incident(boston, noon):
    session = session_from_answers(
        boston,
        {"location": "12 Dudley St", "caller_name": "Ana", "weapon": "no", "violence": "no"},
        at=noon,
        door="self",
        district="B2",
        line="e911",
        language="es",
    )
    session.apply(InterruptRecorded(at=noon + timedelta(seconds=30), interrupt="overdose"))
    session.apply(NoteAdded(at=noon + timedelta(seconds=40), text="Caller is calm <b>"))
    document = eido_document(boston, session, "call-7")
    check_against_the_standard(document)
    assert document["$id"] == "urn:emergency:uid:incidentid:call-7:ecc.boston.example"
    incident = document["incidentComponent"]
    assert incident["incidentTypeCommonRegistryText"] == "OD" and incident["incidentTypeInternalCode"] == "overdose"
    assert incident["incidentStatusCommonRegistryText"] == ["Active"]
    assert incident["incidentPriorityInternalText"] == "imminent" and incident["incidentCommonPriorityNumber"] == 1
    assert incident["beatOrDispatchGroupText"] == "B2"
    call = document["callComponent"][0]
    assert call["callStateRegistryText"] == "callAnswered" and call["localCallType"] == "e911"
    assert call["priorityIdentifier"] == "highest"
    assert document["locationComponent"] == [
        {
            "$id": document["locationComponent"][0]["$id"],
            "lastUpdateTimeStamp": document["lastUpdateTimeStamp"],
            "updatedByAgencyReference": {"$ref": "ecc.boston.example"},
            "locationTypeDescriptionRegistryText": "CurrentIncident",
            "locationDescriptionText": "12 Dudley St",
        }
    ]
    person = document["personComponent"][0]["ncPersonComponent"]
    assert person["name"][0]["personFullName"][0]["value"] == "Ana"
    assert person["primaryLanguage"][0]["languageCode"][0]["simpleType"] == "spa"
    texts = [n["notesActionComments"] for n in document["notesComponent"]]
    assert "Caller is calm &lt;b&gt;" in texts, "notes are HTML5: text is escaped"
    assert any(t.startswith("Recorded out of order: Overdose") for t in texts)
    assert any(t.startswith("Triage: risk imminent") and "Recommended: Emergency medical" in t for t in texts)
    assert "dispatchComponent" not in document, "nothing is dispatched before the call-taker accepts"
    assert eido_document(boston, session, "call-7") == document, "the same call exports to the same document"


def test_updates_are_updated_eidos_of_the_same_incident(boston, noon):
    session = session_from_answers(boston, {"location": "1 Main St", "weapon": "yes", "weapon_use": "no"}, at=noon)
    first = eido_document(boston, session, "c1")
    rec = session.assessment.recommendation
    session.apply(RecommendationAccepted(at=noon + timedelta(minutes=2), model=rec.model, recommended=rec.model))
    dispatched = eido_document(boston, session, "c1")
    session.apply(CallEnded(at=noon + timedelta(minutes=3)))
    ended = eido_document(boston, session, "c1")
    for document in (first, dispatched, ended):
        check_against_the_standard(document)
    assert first["$id"] == dispatched["$id"] == ended["$id"]
    assert first["incidentComponent"]["$id"] == ended["incidentComponent"]["$id"]
    assert dispatched["lastUpdateTimeStamp"] > first["lastUpdateTimeStamp"]
    assert dispatched["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Active", "ResourcesAssigned"]
    resources = dispatched["emergencyResourceComponent"]
    assert {r["emergencyResourceTypeInternalText"] for r in resources} == set(rec.team)
    by_role = {r["emergencyResourceTypeInternalText"]: r for r in resources}
    assert by_role["police"]["emergencyResourceTypeCommonRegistryText"] == "PatrolUnit"
    assert by_role["clinician"]["emergencyResourceTypeCommonRegistryText"] == "CrisisInterventionUnit"
    assert by_role["clinician"]["resourceAttributeRegistryText"] == ["CrisisInterventionSpecialist"]
    assert all(r["secondaryUnitStatusRegistryText"] == ["Dispatched"] for r in resources)
    assert dispatched["agencyComponent"][0]["agencyRoleDescriptionRegistryText"] == ["CallReceiving", "Dispatching"]
    assert ended["callComponent"][0]["callStateRegistryText"] == "callEnd"
    assert ended["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Active", "ResourcesAssigned"], (
        "a team is still out when the phone call ends"
    )


def test_a_call_ended_without_a_dispatch_closes_the_incident(boston, noon):
    session = session_from_answers(boston, {"location": "1 Main St"}, at=noon)
    session.apply(CallEnded(at=noon + timedelta(minutes=1), outcome="caller_hung_up"))
    document = eido_document(boston, session, "c2")
    assert document["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Closed"]


@pytest.mark.parametrize(
    ("facts", "level", "code"),
    [
        ({"suicide_attempt_now": (), "overdose": ()}, None, "SUICTHRT"),
        ({"overdose": ()}, None, "OD"),
        ({"weapon_present": (), "violence_now": ()}, None, "WEAPON"),
        ({"violence_now": ()}, None, "MTLV"),
        ({"threat_to_others": ()}, None, "THREATS"),
        ({}, "intent", "SUICTHRT"),
        ({}, "imminent", "SUICTHRT"),
        ({"weapon_present": (), "overdose": ()}, "imminent", "SUICTHRT"),
        ({}, "ideation", "MNTL"),
        ({"medical_emergency": ()}, None, "SICK"),
        ({"safety_risk": ()}, None, "EDP"),
        ({}, None, "MNTL"),
    ],
)
def test_incident_types_come_from_the_protocols_table(boston, facts, level, code):
    assert incident_type(boston, facts, level)[0] == code


@pytest.mark.parametrize("scenario", ["bridge_tonight_cannot_keep_safe", "imminent_with_a_gun"])
def test_an_imminent_risk_call_exports_as_a_suicide_threat(boston, scenario):
    outcome = play_perfect(boston, load_scenario(ROOT / "protocols" / "scenarios" / f"{scenario}.yaml", boston))
    session = CallSession.replay(boston, outcome.events)
    assert session.assessment.risk.suicide_level == "imminent", "the scenario reaches protocol 2026.12's level"
    incident = eido_document(boston, session, scenario)["incidentComponent"]
    assert incident["incidentTypeCommonRegistryText"] == "SUICTHRT"
    assert (incident["incidentTypeInternalCode"], incident["incidentTypeInternalText"]) == (
        "imminent",
        "Imminent suicide risk",
    )
    assert incident["incidentCommonPriorityNumber"] == 1


def test_every_shipped_scenario_exports_a_conforming_eido(boston):
    for file in scenario_files(ROOT / "protocols" / "scenarios"):
        outcome = play_perfect(boston, load_scenario(file, boston))
        assert outcome.error is None, file
        document = eido_document(boston, CallSession.replay(boston, outcome.events), file.stem)
        check_against_the_standard(document)
        m.Eido.model_validate(document)


def test_priority_follows_the_band(boston):
    assert [priority(boston, b) for b in boston.band_ids] == [5, 4, 3, 2, 1]


# -- the models, field by field ----------------------------------------------------------------
def _prologue(component_id="x"):
    return {
        "$id": component_id,
        "lastUpdateTimeStamp": "2026-03-10T12:00:00Z",
        "updatedByAgencyReference": {"$ref": "a"},
    }


def test_models_take_nenas_names_and_refuse_undefined_fields():
    agency = {**_prologue("a"), "agencyRoleDescriptionRegistryText": ["CallReceiving"], "agencyType": ["psap"]}
    document = {
        **_prologue("urn:emergency:uid:incidentid:1:a"),
        "issuingElementIdentification": "e",
        "agencyComponent": [agency],
    }
    assert m.dump(m.Eido.model_validate(document))["eidoVersion"] == "1.0"
    for bad, message in [
        ({**document, "eidoVersion": "2.0"}, "1.0"),
        ({**document, "messageKind": "Report"}, "Extra inputs"),
        ({**document, "sendingSystemIdentifier": "x"}, "Extra inputs"),
        ({k: v for k, v in document.items() if k != "issuingElementIdentification"}, "Field required"),
        ({**document, "agencyComponent": [{**agency, "componentIdentifier": "a"}]}, "Extra inputs"),
        ({**document, "agencyComponent": [{**agency, "agencyRoleDescriptionRegistryText": ["Owner"]}]}, "Agency Role"),
    ]:
        with pytest.raises(ValidationError, match=message):
            m.Eido.model_validate(bad)


@pytest.mark.parametrize(
    ("model", "fields", "bad"),
    [
        (m.Incident, {"incidentTypeCommonRegistryText": "MNTL"}, {"incidentTypeCommonRegistryText": "Mental Health Crisis"}),
        (m.Incident, {"incidentTypeCommonRegistryText": "OD"}, {"incidentStatusCommonRegistryText": ["Dispatched"]}),
        (m.Incident, {"incidentTypeCommonRegistryText": "OD"}, {"incidentPriority": 1}),
        (
            m.Call,
            {"standardPrimaryCallType": "emergency", "direction": "incoming", "callStartTimestamp": "2026-03-10T12:00:00Z", "callStateRegistryText": "callAnswered"},
            {"callStartTimeStamp": "2026-03-10T12:00:00Z"},
        ),
        (
            m.Call,
            {"standardPrimaryCallType": "emergency", "direction": "incoming", "callStartTimestamp": "2026-03-10T12:00:00Z", "callStateRegistryText": "callAnswered"},
            {"direction": "inbound"},
        ),
        (m.Person, {"personIncidentRoleRegistryText": ["Caller"]}, {"personIncidentRoleRegistryText": ["caller"]}),
        (m.Location, {"locationTypeDescriptionRegistryText": "CurrentIncident"}, {"civicAddressText": "x"}),
        (m.Location, {"locationTypeDescriptionRegistryText": "CurrentIncident"}, {"locationTypeDescriptionRegistryText": "Home"}),
        (m.Note, {"notesActionComments": "x"}, {"noteText": "x"}),
        (m.Disposition, {"dispositionCommonRegistryCode": "05"}, {"dispositionCommonRegistryCode": "46"}),
        (
            m.EmergencyResource,
            {"emergencyResourceTypeCommonRegistryText": "CrisisInterventionUnit", "resourceAttributeRegistryText": [], "primaryUnitStatusRegistryText": "NotAvailable", "secondaryUnitStatusRegistryText": ["Dispatched"], "agentReference": []},
            {"emergencyResourceTypeCommonRegistryText": "MobileCrisisTeam"},
        ),
    ],
)  # fmt: skip
def test_each_component_checks_its_fields(model, fields, bad):
    model.model_validate({**_prologue(), **fields})
    with pytest.raises(ValidationError):
        model.model_validate({**_prologue(), **fields, **bad})
    for required in (*fields, "$id", "lastUpdateTimeStamp", "updatedByAgencyReference"):
        if required in model.model_fields or required.startswith(("$", "last", "updated")):
            given = {**_prologue(), **fields}
            if model.model_fields.get(required) and not model.model_fields[required].is_required():
                continue
            given.pop(required)
            with pytest.raises(ValidationError, match="Field required"):
                model.model_validate(given)


# -- the protocol's eido section -----------------------------------------------------------------
def test_the_section_is_optional_and_checked(boston_text, tmp_path):
    without = tmp_path / "old.yaml"
    without.write_text(boston_text[: boston_text.index("# --- EIDO ---")], encoding="utf-8")
    protocol = load_protocol(str(without))
    assert protocol.document.eido is None
    session = session_from_answers(protocol, {"location": "x"}, at=_noon())
    document = eido_document(protocol, session, "c")
    assert document["incidentComponent"]["incidentTypeCommonRegistryText"] == "MNTL"
    from crisis_triage.protocol.errors import ProtocolError

    for wrong, expected in [
        ("{code: OVERDOSE, facts: [overdose]}", '"OVERDOSE" is not a value of the NENA Incident Type'),
        ("{code: OD, facts: [overdoes]}", 'no fact has the id "overdoes"'),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(boston_text.replace("{code: OD, facts: [overdose]}", wrong), encoding="utf-8")
        with pytest.raises(ProtocolError) as caught:
            load_protocol(str(bad))
        messages = [str(p) for p in caught.value.problems]
        assert any(expected in p and "bad.yaml:" in p for p in messages), messages


def _noon():
    from datetime import datetime

    from tests.conftest import BOSTON_TZ

    return datetime(2026, 3, 10, 12, 0, tzinfo=BOSTON_TZ)


def test_response_status_and_disposition_update_the_incident(boston, noon):
    protocol = boston
    session = session_from_answers(protocol, {"location": "1 Main St", "weapon": "yes", "weapon_use": "no"}, at=noon)
    session.apply(
        RecommendationAccepted(at=noon + timedelta(minutes=1), model="co_response", recommended="co_response")
    )
    session.apply(ResponseStatusChanged(at=noon + timedelta(minutes=9), status="on_scene"))
    on_scene = eido_document(protocol, session, "c3")
    check_against_the_standard(on_scene)
    assert on_scene["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Active", "ResourcesOnscene"]
    assert {tuple(r["secondaryUnitStatusRegistryText"]) for r in on_scene["emergencyResourceComponent"]} == {
        ("OnScene",)
    }
    session.apply(DispositionRecorded(at=noon + timedelta(minutes=40), code="resolved_on_scene"))
    closed = eido_document(protocol, session, "c3")
    check_against_the_standard(closed)
    assert closed["$id"] == on_scene["$id"]
    assert closed["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Closed"]
    (disposition,) = closed["incidentComponent"]["dispositionComponent"]
    assert (disposition["dispositionCommonRegistryCode"], disposition["dispositionDescriptionText"]) == (
        "18",
        "resolved_on_scene",
    )


def test_a_disposition_with_no_nena_code_is_kept_as_a_note(boston_text, tmp_path, noon):
    unmapped = tmp_path / "unmapped.yaml"
    unmapped.write_text(boston_text.replace('    refused: "42"', ""), encoding="utf-8")
    protocol = load_protocol(str(unmapped))
    session = session_from_answers(protocol, {"location": "1 Main St"}, at=noon)
    session.apply(RecommendationAccepted(at=noon, model="call_line", recommended="call_line"))
    session.apply(DispositionRecorded(at=noon + timedelta(minutes=5), code="refused"))
    document = eido_document(protocol, session, "c4")
    check_against_the_standard(document)
    assert "dispositionComponent" not in document["incidentComponent"]
    assert "Disposition: refused" in [n["notesActionComments"] for n in document["notesComponent"]]
