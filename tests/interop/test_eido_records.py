"""``crisis-triage records export --format eido [CALL...]`` on a real SQLite store."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.engine import Answered, CallStarted, RecommendationAccepted
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import sqlite_path
from crisis_triage.store.sqlite import SqliteJournal
from tests.interop.test_eido import check_against_the_standard


def _store(boston, noon, count=3):
    journal = SqliteJournal(sqlite_path())
    for n in range(count):
        call_id = f"call-{n}"
        at = noon + timedelta(minutes=n)
        meta = CallMeta(call_id, "console-1", "taker", boston.id, boston.version, boston.sha256, boston.file)
        journal.start_call(meta, CallStarted(at=at, door="self", line="e911", district="B2"))
        journal.append(call_id, Answered(at=at, question="location", value=f"{n} Main St"))
        journal.append(call_id, Answered(at=at, question="weapon", value="yes" if n == 1 else "no"))
    if count > 1:
        journal.append(
            "call-1",
            RecommendationAccepted(at=noon + timedelta(minutes=2), model="co_response", recommended="co_response"),
        )
    journal.close()


def test_every_call_or_the_ones_named(boston, noon):
    _store(boston, noon)
    runner = CliRunner()
    result = runner.invoke(cli, ["records", "export", "--format", "eido"])
    assert result.exit_code == 0, result.output
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(documents) == 3 and "exported 3 EIDOs" in result.stderr
    for document in documents:
        check_against_the_standard(document)
    assert [d["$id"] for d in documents] == [
        f"urn:emergency:uid:incidentid:call-{n}:ecc.boston.example" for n in range(3)
    ]
    result = runner.invoke(cli, ["records", "export", "--format", "eido", "call-1"])
    (only,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert only["incidentComponent"]["incidentTypeCommonRegistryText"] == "WEAPON"
    assert only["dispatchComponent"] and only["incidentComponent"]["incidentStatusCommonRegistryText"] == [
        "Active",
        "ResourcesAssigned",
    ]


def test_bad_requests_are_one_line(boston, noon):
    _store(boston, noon, count=1)
    runner = CliRunner()
    result = runner.invoke(cli, ["records", "export", "--format", "eido", "nope"])
    assert result.exit_code == 1 and 'no call "nope"' in result.stderr
    result = runner.invoke(cli, ["records", "export", "--format", "eido", "--deidentify"])
    assert result.exit_code == 2 and "de-identified" in result.output
    result = runner.invoke(cli, ["records", "export", "call-0"])
    assert result.exit_code == 2 and "--format eido only" in result.output
    assert "Traceback" not in result.output
