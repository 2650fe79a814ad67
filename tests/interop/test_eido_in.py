"""EIDO in: a transferred call opens with what the sender knew, and its EIDOs keep the incident id."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.engine.events import RecommendationAccepted
from crisis_triage.engine.session import CallSession
from crisis_triage.interop.eido import eido_document
from crisis_triage.interop.eido_in import EidoInError, load_eido, opening_events, read_transfer
from tests.interop.test_eido import check_against_the_standard

SAMPLE = Path(__file__).with_name("transfer_eido.json")
INCIDENT = "urn:emergency:uid:incidentid:7f3a9c21:crisis988.ma.example"


def test_the_sample_transfer_reads_in(boston):
    transfer = read_transfer(load_eido(str(SAMPLE)), boston)
    assert transfer.incident_id == INCIDENT
    assert transfer.sender == "cad.crisis988.ma.example"
    assert transfer.language == "es", "ISO 639-3 spa is the protocol's es"
    assert transfer.location == "45 Warren St Boston MA", "the PIDF-LO civic address, in writing order"
    assert transfer.caller_name == "Rosa Diaz"
    assert transfer.callback == ("tel:+16175550188",)
    assert transfer.notes == ("Caller says her brother is hearing voices & has not slept for 3 days; no weapons seen.",)


def test_round_trip_in_call_out(boston, noon):
    transfer = read_transfer(load_eido(str(SAMPLE)), boston)
    session = CallSession.replay(boston, opening_events(boston, transfer, noon, door="family", district="B2"))
    state = session.state
    assert state.language == "es" and state.answers["location"] == "45 Warren St Boston MA"
    assert state.answers["caller_name"] == "Rosa Diaz"
    assert [text for _at, text in state.notes] == [
        "From cad.crisis988.ma.example: Caller says her brother is hearing voices & has not slept for 3 days; "
        "no weapons seen.",
        "Callback: tel:+16175550188",
    ]
    assert session.assessment.next_question.id != "location", "the location is not asked again"
    for qid, value in (("with_person", "yes"), ("weapon", "no"), ("violence", "no")):
        session.answer(qid, value, noon + timedelta(seconds=30))
    rec = session.assessment.recommendation
    session.apply(RecommendationAccepted(at=noon + timedelta(minutes=1), model=rec.model, recommended=rec.model))
    out = eido_document(boston, session, "local-call-1")
    check_against_the_standard(out)
    assert out["$id"] == INCIDENT, "the outgoing EIDO describes the same incident"
    assert out["callbackComponent"][0]["callBackInformationUri"] == ["tel:+16175550188"]
    assert out["personComponent"][0]["callBackReference"] == {"$ref": out["callbackComponent"][0]["$id"]}
    assert out["locationComponent"][0]["locationDescriptionText"] == "45 Warren St Boston MA"
    person = out["personComponent"][0]["ncPersonComponent"]
    assert person["name"][0]["personFullName"][0]["value"] == "Rosa Diaz"
    assert person["primaryLanguage"][0]["languageCode"][0]["simpleType"] == "spa"
    assert any("hearing voices &amp; has not slept" in n["notesActionComments"] for n in out["notesComponent"])
    assert out["incidentComponent"]["internalIncidentId"] == "local-call-1"


def test_unreadable_sources_are_one_located_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"$id": "x",\n  oops}', encoding="utf-8")
    with pytest.raises(EidoInError, match=r"bad\.json:2:3: not valid JSON"):
        load_eido(str(bad))
    bad.write_text(json.dumps({"incidentComponent": {}}), encoding="utf-8")
    with pytest.raises(EidoInError, match="not an EIDO"):
        load_eido(str(bad))
    with pytest.raises(EidoInError, match=r"missing\.json"):
        load_eido(str(tmp_path / "missing.json"))


def test_a_sparse_eido_still_opens_a_call(boston, noon):
    transfer = read_transfer({"$id": "urn:emergency:uid:incidentid:1:x.example"}, boston)
    events = opening_events(boston, transfer, noon, language="en")
    assert [e.kind for e in events] == ["call_started", "incident_received"]
    session = CallSession.replay(boston, events)
    assert eido_document(boston, session, "c")["$id"] == "urn:emergency:uid:incidentid:1:x.example"


def test_an_eido_from_outside_is_bounded(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"$id": "x", "pad": "x" * (2 * 2**20)}), encoding="utf-8")
    with pytest.raises(EidoInError, match=r"big\.json: the EIDO is 2\.0 MB; the limit is 1\.0 MB"):
        load_eido(str(big))
    deep = tmp_path / "deep.json"
    deep.write_text('{"$id": "x", "a": ' + "[" * 100 + "]" * 100 + "}", encoding="utf-8")
    with pytest.raises(EidoInError, match="deep; at most 32"):
        load_eido(str(deep))
    with pytest.raises(EidoInError, match="device or pipe"):
        load_eido("/dev/zero")
    with pytest.raises(EidoInError, match="incident id is over 256"):
        load_eido(_write(tmp_path, {"$id": "u" * 300}))


def _write(folder, document) -> str:
    path = folder / "doc.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_a_pidf_with_a_dtd_is_not_expanded(boston):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf"><civicAddress xmlns="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
        "<RD>&lol2;</RD></civicAddress></presence>"
    )
    document = {"$id": "urn:emergency:uid:incidentid:1:x.example", "locationComponent": [{"locationByValue": laughs}]}
    assert read_transfer(document, boston).location is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=15,
)
_NAMES = st.sampled_from(
    ["personComponent", "ncPersonComponent", "name", "personFullName", "value", "primaryLanguage", "languageCode",
     "simpleType", "callbackComponent", "callBackReference", "$ref", "$id", "callBackInformationUri",
     "locationComponent", "locationDescriptionText", "locationByValue", "locationTypeDescriptionRegistryText",
     "notesComponent", "notesActionComments", "issuingElementIdentification", "updatedByAgencyReference",
     "personIncidentRoleRegistryText", "callComponent"]
)  # fmt: skip
_EIDO_LIKE = st.recursive(
    _JSON,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=4),
    max_leaves=25,
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],  # read-only fixtures
)
@given(body=st.dictionaries(_NAMES, _EIDO_LIKE, max_size=6))
def test_any_eido_shaped_json_reads_in_or_says_why(boston, noon, body):
    document = {**body, "$id": "urn:emergency:uid:incidentid:1:x.example"}
    transfer = read_transfer(document, boston)
    events = opening_events(boston, transfer, noon)
    CallSession.replay(boston, events)
