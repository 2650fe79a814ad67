"""Every field of every event the console journals is classified by the de-identifier: kept as an id,
cut to the hour, replaced by a keyed hash, or removed on purpose. A field it does not know is still
removed (fail closed), but then the export says "could not be classified" and the evaluator loses it:
a new event kind must be classified when it is added."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

from crisis_triage.engine.events import AnyEvent
from crisis_triage.engine.events_call import InterpreterConnected
from crisis_triage.engine.events_centre import SupervisorConsulted, UnitAssigned
from crisis_triage.engine.events_eido import IncidentReceived
from crisis_triage.engine.events_referrals import ReferralGiven
from crisis_triage.reporting.deidentify import DETAIL_FIELDS, FLAG_FIELDS, REMOVED, TIME_FIELDS, Deidentifier

AT = datetime(2026, 12, 1, 14, 37, tzinfo=UTC)


def _event_classes() -> tuple[type, ...]:
    union = AnyEvent
    if typing.get_origin(union) is typing.Annotated:
        union = typing.get_args(union)[0]
    return typing.get_args(union)


def _sample(name: str):
    if name in TIME_FIELDS:
        return AT.isoformat()
    if name in FLAG_FIELDS:
        return True
    if name in DETAIL_FIELDS:
        return {"service": "x"}
    return "x"


def _dump(event) -> dict:
    return event.model_dump(mode="json")


def test_every_event_kind_is_known_field_by_field():
    classes = _event_classes()
    assert ReferralGiven in classes and IncidentReceived in classes, "the events union was read"
    unknown = {}
    for cls in classes:
        deidentifier = Deidentifier(key=b"k" * 32)
        # Classification is by name (and, for times, flags and details, by the value's type).
        fields = {name: _sample(name) for name in cls.model_fields if name not in ("at", "kind")}
        sample = {"kind": cls.model_fields["kind"].default, "at": AT.isoformat(), **fields}
        deidentifier.event(sample, None)
        left = [reason for reason in deidentifier.unclassified if "answers" not in reason]
        if left:
            unknown[cls.__name__] = left
    assert not unknown, unknown


def test_a_referral_keeps_which_service_and_kind_and_loses_its_words():
    event = ReferralGiven(
        at=AT,
        service="recovery_access_center",
        service_kind="detox_recovery",
        service_name="Recovery Access Center",
        contact="phone 617-555-0130",
        to="family",
        directory="boston_example",
        rule="substance_use",
    )
    deidentifier = Deidentifier()
    out = deidentifier.event(_dump(event), None)
    assert out["service"] == "recovery_access_center"
    assert out["service_kind"] == "detox_recovery"
    assert out["to"] == "family" and out["directory"] == "boston_example" and out["rule"] == "substance_use"
    assert out["service_name"] == REMOVED and out["contact"] == REMOVED
    assert "617" not in str(out)
    assert out["at"] == "2026-12-01T14:00:00+00:00"
    assert not deidentifier.unclassified


def test_people_and_other_records_become_keyed_hashes_stable_within_one_export():
    deidentifier = Deidentifier(key=b"k" * 32)
    first = deidentifier.event(_dump(SupervisorConsulted(at=AT, supervisor="Sgt. Maria Lopez", note="agreed")), None)
    again = deidentifier.event(_dump(SupervisorConsulted(at=AT, supervisor="Sgt. Maria Lopez", note="")), None)
    other = Deidentifier(key=b"j" * 32).event(_dump(SupervisorConsulted(at=AT, supervisor="Sgt. Maria Lopez")), None)
    assert first["supervisor"] == again["supervisor"] != other["supervisor"]
    assert "Lopez" not in str(first) and first["note"] == REMOVED
    interpreter = deidentifier.event(_dump(InterpreterConnected(at=AT, interpreter_id="LL-40213")), None)
    assert interpreter["interpreter_id"] != "LL-40213" and len(interpreter["interpreter_id"]) == 16
    assert not deidentifier.unclassified


def test_an_incident_from_another_system_loses_its_number_and_callback():
    fields = IncidentReceived.model_fields
    sample = {name: "x" for name in fields if name not in ("at", "kind")}
    sample.update(
        incident_id="urn:emergency:uid:incidentid:4411:psap.example", sender="cad-1", callback=["tel:+16175550199"]
    )
    event = {"kind": fields["kind"].default, "at": AT.isoformat(), **sample}
    deidentifier = Deidentifier()
    out = deidentifier.event(event, None)
    assert out["sender"] == "cad-1"
    assert out["callback"] == REMOVED and "0199" not in str(out)
    assert "4411" not in out["incident_id"]
    assert not deidentifier.unclassified


def test_a_centre_unit_is_kept_as_an_id():
    out = Deidentifier().event(_dump(UnitAssigned(at=AT, unit="BEST-3", model="alternative_response")), None)
    assert out["unit"] == "BEST-3"
