"""FHIR and EIDO export from the command line, checked against fhir.resources' models and our EIDO models."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.engine import CallStarted, RecommendationAccepted, session_from_answers
from crisis_triage.engine.events_response import DispositionRecorded
from crisis_triage.interop.eido_models import Eido
from crisis_triage.interop.fhir import check, questionnaire, questionnaire_response
from tests.authoring.conftest import ROOT

BOSTON = str(ROOT / "protocols" / "boston-mh-crisis.yaml")
fhir_r4b = pytest.importorskip("fhir.resources.R4B", reason="the export extra (fhir.resources) is not installed")


def _items(document):
    for group in document["item"]:
        yield from group["item"]


def test_questionnaire_validates_and_maps_questions(boston):
    document = questionnaire(boston)
    fhir_r4b.get_fhir_model_class("Questionnaire").model_validate(document)
    items = {item["linkId"]: item for item in _items(document)}
    assert set(items) == {q.id for q in boston.questions}
    weapon = items["weapon"]
    assert weapon["type"] == "choice" and [o["valueCoding"]["code"] for o in weapon["answerOption"]] == [
        "yes",
        "no",
        "unknown",
    ]
    weights = {
        o["valueCoding"]["code"]: o["valueCoding"].get("extension", [{}])[0].get("valueDecimal")
        for o in weapon["answerOption"]
    }
    assert weights == {"yes": 6, "no": None, "unknown": 3}
    assert items["presentation"]["repeats"] is True and items["location"]["type"] == "string"
    # a simple comparison maps to enableWhen; a condition on facts and the band is carried, not dropped
    assert items["weapon_use"]["enableWhen"] == [
        {
            "question": "weapon",
            "operator": "=",
            "answerCoding": {"system": items["weapon_use"]["enableWhen"][0]["answerCoding"]["system"], "code": "yes"},
        }
    ]
    assert "enableWhen" not in items["support_choice"]
    assert items["support_choice"]["extension"][0]["valueString"].startswith('band in ["none", "low"]')
    assert items["with_person"]["extension"][0]["valueString"] == "bystander, family, professional"
    assert items["weapon"]["_text"]["extension"][0]["extension"][0]["valueCode"] == "es"


def test_an_invalid_resource_is_caught():
    with pytest.raises(ValueError, match="does not validate as FHIR R4"):
        check({"resourceType": "Questionnaire", "status": "active", "item": [{"type": "group", "text": "no linkId"}]})
    with pytest.raises(ValueError, match="does not validate as FHIR R4"):
        check({"resourceType": "QuestionnaireResponse", "status": "completed", "answers": []})


def test_questionnaire_response_of_a_call(boston, noon):
    session = session_from_answers(
        boston,
        {"location": "12 Dudley St", "weapon": "yes", "weapon_use": "no", "presentation": ["voices", "agitated"]},
        at=noon,
        door="family",
        district="B2",
    )
    document = questionnaire_response(boston, session, "call-1")
    fhir_r4b.get_fhir_model_class("QuestionnaireResponse").model_validate(document)
    assert document["status"] == "in-progress"
    answers = {item["linkId"]: item["answer"] for group in document["item"] for item in group["item"]}
    assert answers["weapon"][0]["valueCoding"]["code"] == "yes"
    assert [a["valueCoding"]["code"] for a in answers["presentation"]] == ["voices", "agitated"]
    assert answers["location"] == [{"valueString": "12 Dudley St"}]
    outcome = {
        e["url"]: next(iter(v for k, v in e.items() if k.startswith("value")))
        for e in document["extension"][0]["extension"]
    }
    assert outcome["band"] == "high" and outcome["recommendation"] == "co_response"


def test_cli_exports_from_events_and_calls_files(boston, noon, tmp_path):
    events = tmp_path / "call.jsonl"
    start = CallStarted(at=noon, door="self", line="e911", district="C11")
    from crisis_triage.engine import Answered

    lines = [start, Answered(at=noon, question="weapon", value="unknown")]
    events.write_text("".join(e.model_dump_json() + "\n" for e in lines), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["export", BOSTON, "--format", "eido", "--call", str(events)])
    assert result.exit_code == 0, result.output
    Eido.model_validate(json.loads(result.output))
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        json.dumps({"id": "c1", "door": "self", "answers": {"weapon": "no"}})
        + "\n"
        + json.dumps({"id": "c2", "door": "family", "answers": {"weapon": "yes"}})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["export", BOSTON, "--format", "fhir", "--call", str(calls), "--call-id", "c2"])
    assert result.exit_code == 0 and json.loads(result.output)["id"] == "c2"
    result = runner.invoke(cli, ["export", BOSTON, "--format", "fhir"])
    assert json.loads(result.output)["resourceType"] == "Questionnaire"
    result = runner.invoke(cli, ["export", BOSTON, "--format", "eido"])
    assert result.exit_code == 2 and "--call" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "answers": {"weapon": "maybe"}}\n', encoding="utf-8")
    result = runner.invoke(cli, ["export", BOSTON, "--format", "eido", "--call", str(bad)])
    assert result.exit_code == 1 and "does not fit the protocol" in result.output and "Traceback" not in result.output


def test_questionnaire_response_carries_the_dispatch_and_the_disposition(boston, noon):
    session = session_from_answers(boston, {"location": "1 Main St", "weapon": "yes", "weapon_use": "no"}, at=noon)
    document = questionnaire_response(boston, session, "c1")
    names = [e["url"] for e in document["extension"][0]["extension"]]
    assert "dispatched" not in names and "disposition" not in names
    session.apply(RecommendationAccepted(at=noon, model="co_response", recommended="co_response"))
    session.apply(DispositionRecorded(at=noon, code="resolved_on_scene"))
    document = questionnaire_response(boston, session, "c1")
    fhir_r4b.get_fhir_model_class("QuestionnaireResponse").model_validate(document)
    outcome = {e["url"]: e.get("valueCode") for e in document["extension"][0]["extension"]}
    assert outcome["dispatched"] == "co_response" and outcome["disposition"] == "resolved_on_scene"
