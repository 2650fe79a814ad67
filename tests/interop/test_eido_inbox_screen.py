"""The console's EIDO inbox (Pilot): from home, the inbox key lists the incidents transferred by
subscription; Enter takes one as a call filled in from the sender's EIDO, and it leaves the inbox."""

from __future__ import annotations

from crisis_triage.config import data_dir
from crisis_triage.interop.eido import eido_document
from crisis_triage.interop.eido_inbox import keep
from crisis_triage.keymap import key_for
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.eido_inbox import EidoInboxScreen
from crisis_triage.tui.screens.home import HomeScreen
from tests.interop.test_eido_inbox import INCIDENT, sample
from tests.tui.helpers import make_app, run_async, screen_text
from tests.tui.test_whole_calls import wait_for

OTHER = "urn:emergency:uid:incidentid:b-77:psap.cambridge.example"


@run_async
async def test_the_inbox_lists_transfers_and_enter_takes_one_as_a_call():
    folder = data_dir() / "eido" / "inbox"
    keep(sample(), folder)
    journal = MemoryJournal()
    app = make_app(journal=journal, home=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        assert "EIDO inbox" in screen_text(app)
        for _ in range(100):  # counted after the first paint (filled by `eido subscribe --inbox` here)
            if "EIDO inbox: 1 transfer waiting" in screen_text(app):
                break
            await pilot.pause(0.02)
        assert "EIDO inbox: 1 transfer waiting" in screen_text(app)
        await pilot.press(key_for("home_eido_inbox"))
        await wait_for(pilot, EidoInboxScreen)
        text = screen_text(app)
        assert "1 waiting" in text and "cad.crisis988.ma.example" in text and "45 Warren St Boston MA" in text
        assert "Rosa Diaz" in text and "tel:+16175550188" in text and "hearing voices" in text
        # A transfer that arrives while the screen is open shows up at the next look.
        other = sample(OTHER, code="SUICTHRT")
        other["issuingElementIdentification"] = "cad.cambridge.example"
        keep(other, folder)
        app.screen.look()
        await pilot.pause()
        assert "2 waiting" in screen_text(app) and "cad.cambridge.example" in screen_text(app)
        # The newcomer is listed first, and the highlight stays on the incident being read: Enter takes it.
        assert app.screen.query_one("#inbox-list").highlighted == 1
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)
        session = app.screen.session
        assert session.state.answers["location"] == "45 Warren St Boston MA" and session.state.language == "es"
        call_id = app.screen.meta.call_id
        assert eido_document(app.protocol, session, call_id)["$id"] == INCIDENT
        app.show_home()  # (the home key is refused while a call is open; the call stays in the journal)
        await wait_for(pilot, HomeScreen)
        await pilot.press(key_for("home_eido_inbox"))
        await wait_for(pilot, EidoInboxScreen)
        text = screen_text(app)
        assert "1 waiting" in text and "cad.crisis988" not in text, "the taken incident left the inbox"
        await pilot.press(key_for("eido_inbox_back"))
        await wait_for(pilot, HomeScreen)
    assert journal.meta(call_id).console_id == "console-7"


@run_async
async def test_an_empty_inbox_says_where_transfers_come_from():
    app = make_app(home=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        await pilot.press(key_for("home_eido_inbox"))
        await wait_for(pilot, EidoInboxScreen)
        assert "Nothing waiting" in screen_text(app) and "eido subscribe URL --inbox" in screen_text(app)
