"""The console's EIDO hooks: a call transferred in as an EIDO opens filled in, and the dispatch
screen's EIDO key writes the call's EIDO (same incident id) for the CAD."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.config import Settings, data_dir
from crisis_triage.interop.eido_console import start_transferred_call
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.confirm import AcceptAnywayModal
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.modals import InterruptModal
from crisis_triage.tui.screens.setup import CallContext
from tests.tui.helpers import NOON, boston, make_app, run_async, screen_text
from tests.tui.test_whole_calls import wait_for

SAMPLE = Path(__file__).with_name("transfer_eido.json")
INCIDENT = "urn:emergency:uid:incidentid:7f3a9c21:crisis988.ma.example"


@run_async
async def test_a_transferred_call_opens_filled_in_and_its_eido_keeps_the_incident():
    journal = MemoryJournal()
    settings = Settings(district="B2", console_id="console-7", call_taker_id="ct-042")
    context = CallContext(door="family", line="e911", district="B2", language="en")
    call_id = start_transferred_call(str(SAMPLE), settings, boston(), journal, context, NOON)
    app = make_app(journal=journal, door="family", resume=call_id)
    async with app.run_test(size=(110, 34)) as pilot:
        await wait_for(pilot, CallScreen)
        text = screen_text(app)
        assert "From cad.crisis988.ma.example: Caller says her brother" in text and "hearing voices" in text
        assert (
            "Callback: tel:+16175550188" in text and "Ubicación  45 Warren St Boston MA" in text
        )  # a Spanish call: Spanish labels
        assert app.screen.session.state.answers["location"] == "45 Warren St Boston MA"
        assert app.screen.session.state.language == "es"
        await pilot.press("f2")
        await wait_for(pilot, InterruptModal)
        await pilot.press("w")
        await wait_for(pilot, CallScreen)
        await pilot.press("f9")
        # Most safety questions are still unasked: accepting takes the deliberate second key.
        await wait_for(pilot, AcceptAnywayModal)
        await pilot.press("a")
        await wait_for(pilot, DispatchScreen)
        await pilot.press("e")
        await pilot.pause()
    written = json.loads((data_dir() / "eido" / f"{call_id}.json").read_text(encoding="utf-8"))
    assert written["$id"] == INCIDENT
    assert written["incidentComponent"]["incidentTypeCommonRegistryText"] == "WEAPON"
    assert written["callbackComponent"][0]["callBackInformationUri"] == ["tel:+16175550188"]
    assert (data_dir() / "eido" / f"{call_id}.json").stat().st_mode & 0o077 == 0, "health information: owner only"


def test_from_eido_with_a_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    result = CliRunner().invoke(cli, ["call", "--from-eido", str(bad)])
    assert result.exit_code == 1 and "--from-eido:" in result.output and "bad.json:1:" in result.output
    assert "Traceback" not in result.output


def test_the_console_serves_eidos_only_when_configured(caplog):
    from crisis_triage.interop.eido_console import with_eido_server
    from crisis_triage.interop.eido_feed import FeedingJournal

    journal = MemoryJournal()
    assert with_eido_server(Settings(), journal, boston()) == (journal, None)
    assert with_eido_server(Settings(eido_listen="127.0.0.1:0"), journal, boston()) == (journal, None)
    assert "needs an access token" in caplog.text, "a console without a token serves nothing, and says why"
    wrapped, server = with_eido_server(Settings(eido_listen="127.0.0.1:0", eido_token="t"), journal, boston())
    try:
        assert isinstance(wrapped, FeedingJournal) and server.port > 0
    finally:
        wrapped.close()
        server.stop()
