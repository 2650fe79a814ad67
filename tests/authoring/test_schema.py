"""The committed JSON Schemas match the models, carry hover help, and accept every shipped file."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

from crisis_triage.authoring.schema import json_schema, schema_text
from crisis_triage.cli import cli
from crisis_triage.protocol.yaml_source import load_yaml
from tests.authoring.conftest import ROOT

SCHEMA_DIR = ROOT / "schema"
CENTRE_FILES = [ROOT / "protocols" / "boston-centre.yaml", ROOT / "tests" / "fixtures" / "centre.yaml"]
PROTOCOL_FILES = [
    p
    for p in sorted((ROOT / "protocols").glob("*.yaml"))
    if not p.name.endswith("-directory.yaml") and p not in CENTRE_FILES
] + sorted((ROOT / "protocols" / "history").glob("*.yaml"))
DIRECTORY_FILES = sorted((ROOT / "protocols").glob("*-directory.yaml"))
SCENARIO_FILES = sorted((ROOT / "protocols" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("kind", ["protocol", "scenario", "directory", "centre"])
def test_committed_schema_matches_the_models(kind):
    committed = (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), (
        f"schema/{kind}.schema.json is out of date: run `crisis-triage schema --kind {kind} -o schema/{kind}.schema.json`"
    )


def test_fields_carry_descriptions_for_editor_hover():
    schema = json_schema("protocol")
    question = schema["$defs"]["Question"]["properties"]
    assert "read aloud" in question["ask"]["description"]
    assert "Risk points" in question["risk"]["description"]
    assert schema["$defs"]["Interrupt"]["properties"]["key"]["description"]


def _validator(kind: str):
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", PROTOCOL_FILES, ids=lambda p: p.name)
def test_every_shipped_protocol_validates(path):
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    errors = sorted(_validator("protocol").iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=") and first_line.endswith(
        "schema/protocol.schema.json"
    )


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_shipped_scenario_validates(path):
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    errors = sorted(_validator("scenario").iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("path", CENTRE_FILES, ids=lambda p: p.name)
def test_every_shipped_centre_file_validates(path):
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    errors = sorted(_validator("centre").iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert path.read_text(encoding="utf-8").splitlines()[0].endswith("schema/centre.schema.json")


def test_the_schema_rejects_what_the_loader_rejects():
    data, _ = load_yaml((ROOT / "protocols" / "boston-mh-crisis.yaml").read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["typo_field"] = 1
    data["sections"][1]["questions"][0]["type"] = "yesno"
    messages = [e.message for e in _validator("protocol").iter_errors(data)]
    assert any("typo_field" in m for m in messages)
    assert any("yesno" in m for m in messages)


def test_cli_prints_and_writes(tmp_path):
    out = tmp_path / "p.json"
    result = CliRunner().invoke(cli, ["schema", "-o", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["title"] == "crisis-triage protocol"
    result = CliRunner().invoke(cli, ["schema", "--kind", "scenario"])
    assert result.exit_code == 0 and json.loads(result.output)["type"] == "object"


@pytest.mark.parametrize("path", DIRECTORY_FILES, ids=lambda p: p.name)
def test_every_shipped_directory_validates(path):
    data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
    errors = sorted(_validator("directory").iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    assert path.read_text(encoding="utf-8").splitlines()[0].endswith("schema/directory.schema.json")


def test_the_directory_schema_rejects_bad_hours_and_kinds():
    data, _ = load_yaml(DIRECTORY_FILES[0].read_text(encoding="utf-8"))
    data["services"][0]["hours"] = ["weekdays 9-5"]
    data["services"][1]["kind"] = "hospital"
    messages = [e.message for e in _validator("directory").iter_errors(data)]
    assert any("weekdays 9-5" in m for m in messages)
    assert any("hospital" in m for m in messages)
    assert json_schema("directory")["$defs"]["Service"]["properties"]["last_verified"]["description"]
