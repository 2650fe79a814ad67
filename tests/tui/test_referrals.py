"""Giving a referral from the console: the panel, the key, the event, and the summaries that carry it."""

from __future__ import annotations

from textual.widgets import TextArea

from crisis_triage.engine import Answered
from crisis_triage.engine.events_referrals import ReferralGiven
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.screens.referrals import ReferralPicker
from tests.tui.helpers import NOON, ROOT, make_app, panel, run_async
from tests.tui.test_whole_calls import wait_for

#: A family member calls about someone who has been drinking: no safety or medical risk.
DRINKING = {
    "location": "12 Warren St",
    "caller_name": "Ana",
    "with_person": "yes",
    "hurt_or_unresponsive": "no",
    "took_substance": "yes",
    "overdose_signs": "no",
    "attempt_now": "no",
}


async def _answer(pilot, answers: dict) -> CallScreen:
    screen = pilot.app.screen
    assert isinstance(screen, CallScreen)
    for question, value in answers.items():
        assert screen.record(Answered(at=NOON, question=question, value=value))
    await pilot.pause()
    return screen


@run_async
async def test_the_panel_offers_referrals_and_one_key_gives_one_to_the_family():
    journal = MemoryJournal()
    app = make_app(journal=journal, door="family", district="B2")
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        await _answer(pilot, DRINKING)
        text = panel(app, "#referrals")
        assert "EXAMPLE DIRECTORY" in text
        assert "Recovery Access Center" in text and "open now" in text  # Tuesday noon
        assert "Parental Stress Line" in text and "for family" in text
        await pilot.press("f12")
        await wait_for(pilot, ReferralPicker)
        picker = app.screen
        family_row = next(i for i, v in enumerate(picker.offered) if v.to == "family")
        picker.query_one("#referral-list").highlighted = family_row
        await pilot.press("f")
        await wait_for(pilot, CallScreen)
        given = [e for e in journal.events("call-1") if isinstance(e, ReferralGiven)]
        assert len(given) == 1
        assert given[0].to == "family" and given[0].service_kind == "family_support"
        assert given[0].directory == "boston_example" and given[0].rule == "family_caller"
        assert "Given: " in panel(app, "#referrals") and "to the family" in panel(app, "#referrals")
        # Enter on the first row gives it to the caller.
        await pilot.press("f12")
        await wait_for(pilot, ReferralPicker)
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)
        given = [e for e in journal.events("call-1") if isinstance(e, ReferralGiven)]
        assert [g.to for g in given] == ["family", "caller"]


@run_async
async def test_a_referral_given_is_in_the_dispatch_summary():
    app = make_app(door="family", district="B2")
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        screen = await _answer(pilot, dict(DRINKING, hurt_or_unresponsive="yes"))  # EMS goes: a dispatch
        assert screen.assessment.recommendation.model == "emergency_medical"
        await pilot.press("f12")
        await wait_for(pilot, ReferralPicker)
        await pilot.press("c")
        await wait_for(pilot, CallScreen)
        await pilot.press("f9")
        if not isinstance(app.screen, DispatchScreen):  # safety questions left: accept anyway (EMS first)
            await pilot.press("a")
        await wait_for(pilot, DispatchScreen)
        summary = app.screen.query_one("#dispatch-text", TextArea).text
        line = next(x for x in summary.splitlines() if x.startswith("Referral: "))
        assert ("to the caller" in line and "phone" in line) or "walk in" in line


@run_async
async def test_a_referral_given_is_in_the_counsellor_summary_of_the_handoff():
    app = make_app(door="self", district="C11")
    low_risk = {
        "location": "3 Bowdoin St",
        "caller_name": "Carmen",
        "hurt_or_unresponsive": "no",
        "took_substance": "no",
        "attempt_now": "no",
        "weapon": "no",
        "violence": "no",
        "threats": "no",
        "crime": "no",
        "children": "no",
    }
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        screen = await _answer(pilot, low_risk)
        for _ in range(len(screen.protocol.question_by_id)):
            view = screen.assessment.next_question
            if view is None:
                break
            if view.type == "yes_no":
                screen.record(Answered(at=NOON, question=view.id, value="no"))
            elif view.id == "support_choice":
                screen.record(Answered(at=NOON, question=view.id, value="phone"))
            elif view.type == "multi":
                screen.record(Answered(at=NOON, question=view.id, value=["distressed"]))
            else:
                screen.record(Answered(at=NOON, question=view.id, value="no"))
        await pilot.pause()
        assert screen.assessment.recommendation.model == "call_line"
        assert "Peer" in panel(app, "#referrals") or "Urgent" in panel(app, "#referrals")
        await pilot.press("f12")
        await wait_for(pilot, ReferralPicker)
        await pilot.press("c")
        await wait_for(pilot, CallScreen)
        await pilot.press("f9")
        if not isinstance(app.screen, HandoffScreen):  # a question left: accept anyway
            await pilot.press("a")
        await wait_for(pilot, HandoffScreen)
        summary = panel(app, "#handoff-summary")
        assert "Referrals given: " in summary and "to the caller" in summary


@run_async
async def test_no_directory_no_panel(tmp_path):
    text = (ROOT / "protocols" / "boston-mh-crisis.yaml").read_text(encoding="utf-8").split("# --- referrals ---")[0]
    bare = tmp_path / "bare.yaml"
    bare.write_text(text, encoding="utf-8")
    from crisis_triage.protocol.loader import load_protocol
    from tests.tui import helpers

    app = make_app(door="self")
    app.protocol = load_protocol(bare)
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        assert not app.screen.query("#referrals")
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen)
    assert helpers.boston().document.referrals is not None  # the shared protocol is untouched
