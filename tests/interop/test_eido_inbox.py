"""EIDO in through a subscription: another system's notifier sends a transferred incident over a real
socket on 127.0.0.1, ``eido subscribe --inbox`` keeps it, the console takes it as a call filled in from the
sender's EIDO, and the EIDO this console sends about it describes the same incident."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.config import Settings, data_dir
from crisis_triage.engine.session import CallSession
from crisis_triage.interop.eido import eido_document
from crisis_triage.interop.eido_console import start_transferred_call
from crisis_triage.interop.eido_in import EidoInError
from crisis_triage.interop.eido_inbox import keep, mark_taken, waiting
from crisis_triage.interop.eido_server import EidoServer, ServerSettings
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.setup import CallContext

SAMPLE = Path(__file__).with_name("transfer_eido.json")
INCIDENT = "urn:emergency:uid:incidentid:7f3a9c21:crisis988.ma.example"
SENDER_TOKEN = "the-988-centres-token"


def sample(incident_id: str = INCIDENT, code: str = "EDP") -> dict:
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    document["$id"] = incident_id
    document["incidentComponent"]["incidentTypeCommonRegistryText"] = code
    return document


@pytest.fixture
def sender():
    """The other system's EIDO notifier (a 988 centre's), on a real socket."""
    running = EidoServer(ServerSettings(port=0, token=SENDER_TOKEN)).start()
    yield running
    running.stop()


def _subscribe(sender, *extra: str):
    url = f"ws://127.0.0.1:{sender.port}/"
    return CliRunner().invoke(
        cli, ["eido", "subscribe", url, "--token", SENDER_TOKEN, "--inbox", "--count", "1", *extra]
    )


def test_a_transfer_by_subscription_starts_a_call_with_the_same_incident(sender, boston, noon):
    sender.published(sample())
    result = _subscribe(sender)
    assert result.exit_code == 0, result.output
    assert f"kept in the inbox: {INCIDENT}" in result.output
    folder = data_dir() / "eido" / "inbox"
    (entry,), problems = waiting(folder, boston)
    assert problems == []
    assert entry.path.stat().st_mode & 0o077 == 0, "health information: owner only"
    transfer = entry.transfer
    assert (transfer.incident_id, transfer.sender, transfer.language) == (INCIDENT, "cad.crisis988.ma.example", "es")
    assert (transfer.location, transfer.caller_name, transfer.callback) == (
        "45 Warren St Boston MA",
        "Rosa Diaz",
        ("tel:+16175550188",),
    )
    assert (entry.incident_type, entry.status) == ("EDP", "Active")

    journal = MemoryJournal()
    settings = Settings(district="B2", console_id="console-7", call_taker_id="ct-042")
    context = CallContext(door=None, line="e911", district="B2", language="en")
    call_id = start_transferred_call(str(entry.path), settings, boston, journal, context, noon)
    mark_taken(entry, call_id)
    assert waiting(folder, boston) == ([], []), "a taken incident leaves the inbox"
    session = CallSession.replay(boston, journal.events(call_id))
    state = session.state
    assert state.language == "es" and state.answers["location"] == "45 Warren St Boston MA"
    assert state.answers["caller_name"] == "Rosa Diaz"
    assert any("hearing voices" in text for _at, text in state.notes)
    out = eido_document(boston, session, call_id)
    assert out["$id"] == INCIDENT, "the outgoing EIDO describes the same incident"
    assert out["callbackComponent"][0]["callBackInformationUri"] == ["tel:+16175550188"]


def test_the_latest_version_of_an_incident_wins_and_a_filter_narrows_the_feed(sender, boston):
    sender.published(sample("urn:emergency:uid:incidentid:od-1:other.example", code="OD"))
    sender.published(sample(code="EDP"))
    result = _subscribe(sender, "--filter", "$[?@.incidentTypeCommonRegistryText == 'EDP']")
    assert result.exit_code == 0, result.output
    folder = data_dir() / "eido" / "inbox"
    assert [e.transfer.incident_id for e in waiting(folder, boston)[0]] == [INCIDENT], "the OD incident is filtered out"
    update = sample(code="SUICTHRT")
    update["lastUpdateTimeStamp"] = "2026-03-10T12:05:00-04:00"
    keep(update, folder)
    (entry,), _ = waiting(folder, boston)
    assert entry.incident_type == "SUICTHRT", "one entry per incident, the latest version"
    result = CliRunner().invoke(
        cli, ["eido", "subscribe", "ws://x", "--token", "t", "--incident", "i", "--filter", "$.a"]
    )
    assert result.exit_code == 2 and "cannot go with --incident" in result.output


def test_what_is_not_an_eido_is_not_kept_and_a_spoiled_file_is_named(tmp_path, boston):
    for bad in ({"incidentComponent": {}}, ["not", "an", "object"], {"$id": "  "}, {"$id": "x" * 300}):
        with pytest.raises(EidoInError):
            keep(bad, tmp_path)
    keep(copy.deepcopy(sample()), tmp_path)
    (tmp_path / "spoiled.json").write_text('{"$id": "x", oops', encoding="utf-8")
    entries, problems = waiting(tmp_path, boston)
    assert [e.transfer.incident_id for e in entries] == [INCIDENT]
    assert len(problems) == 1 and "spoiled.json:1:" in problems[0]


def test_the_inbox_feed_subscribes_again_when_the_notifier_comes_back(boston):
    first = EidoServer(ServerSettings(port=0, token=SENDER_TOKEN)).start()
    port = first.port
    first.published(sample())
    url = f"ws://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "crisis_triage", "eido", "subscribe", url, "--token", SENDER_TOKEN]
    feed = subprocess.Popen(
        [*command, "--inbox", "--count", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    folder = data_dir() / "eido" / "inbox"
    second = None
    try:
        _until(lambda: len(waiting(folder, boston)[0]) == 1)
        first.stop()  # the other system restarts
        second = EidoServer(ServerSettings(port=port, token=SENDER_TOKEN)).start()
        second.published(sample("urn:emergency:uid:incidentid:after-restart:crisis988.ma.example"))
        _, errors = feed.communicate(timeout=30)
    finally:
        feed.kill()
        if second is not None:
            second.stop()
    assert feed.returncode == 0, errors
    assert "subscribing again in 1 s" in errors and "Traceback" not in errors
    ids = {e.transfer.incident_id for e in waiting(folder, boston)[0]}
    assert ids == {INCIDENT, "urn:emergency:uid:incidentid:after-restart:crisis988.ma.example"}


def _until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
