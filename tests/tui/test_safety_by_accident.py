"""Nothing unsafe by accident: each finding of the console walk-through, driven by keys alone."""

from __future__ import annotations

from crisis_triage.config import Settings
from crisis_triage.engine import AvailabilityChanged
from crisis_triage.engine.views import dispatch_summary
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.confirm import AcceptAnywayModal, QuitWithCallModal
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.widgets.keybar import KeyBar
from crisis_triage.tui.widgets.question import QuestionPanel
from tests.tui.helpers import NOON, boston, make_app, message_line, panel, question_line, run_async, screen_text
from tests.tui.test_whole_calls import type_text, wait_for


async def answer_no_until(pilot, question_id: str) -> None:
    """Answer No to each question asked until the wanted one is next."""
    for _ in range(30):
        question = pilot.app.screen.session.assessment.next_question
        if question is not None and question.id == question_id:
            return
        await pilot.press("n")
        await pilot.pause()
    raise AssertionError(f"never asked {question_id}")


@run_async
async def test_f9_before_the_safety_questions_names_them_and_needs_a_deliberate_key():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        card = panel(app, "#recommendation")
        assert "No safety or medical risk" not in card
        # The open safety questions are listed in their own panel under the question.
        open_safety = app.screen.query_one("#open-safety").text().plain
        assert "Safety questions open: " in open_safety and "Weapon" in open_safety
        await pilot.press("f9")
        await wait_for(pilot, AcceptAnywayModal)
        assert "Safety questions NOT ASKED: " in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, CallScreen)
        assert app.screen.session.state.accepted is None  # nothing was accepted
        await pilot.press("f9", "a")
        await wait_for(pilot, HandoffScreen)
        summary = panel(app, "#handoff-summary")
        assert "NOT ASKED (no risk ruled out):" in summary
        assert "No safety or medical risk found" not in summary and "No risk found" not in summary


@run_async
async def test_ctrl_q_during_a_call_asks_first():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("ctrl+q")
        await wait_for(pilot, QuitWithCallModal)
        await pilot.press("escape")
        await wait_for(pilot, CallScreen)
        assert app.is_running
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    assert app.return_code == 0
    assert app.journal.events("call-1")[-1].kind == "call_started"  # left unfinished, offered next start


@run_async
async def test_an_interrupt_answers_its_question_confirmed_with_one_key():
    app = make_app(door="self")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2", "w", "enter")  # "I've got a knife here"; Enter starts typing the (optional) location
        await type_text(pilot, "1 Main St")
        await pilot.press("enter", "f5")  # location, no name
        await answer_no_until(pilot, "weapon")  # the medical and suicide questions asked first: all no
        assert question_line(app).startswith("Is there a weapon")
        question = panel(app, "#q-body")
        assert "FROM INTERRUPT (Weapon seen or mentioned): YES" in question
        await pilot.press("enter")  # one key confirms
        await pilot.pause()
        assert app.screen.session.state.answers["weapon"] == "yes"
        assert "Weapon  Yes  +6  from interrupt" in screen_text(app)
        assert question_line(app).startswith("Is anyone holding it")


@run_async
async def test_an_unknown_district_is_confirmed_before_a_team_is_sent():
    app = make_app(door="family", district=None, settings=Settings(console_id="console-7", call_taker_id="ct-042"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2", "w", "f9")
        await wait_for(pilot, AcceptAnywayModal)
        assert "District unknown: the team is sent without one (F7 sets it)" in screen_text(app)


def test_the_dispatch_summary_says_when_the_fallback_was_unavailable_too():
    from crisis_triage.engine import CallSession, CallStarted

    protocol = boston()
    session = CallSession(protocol, CallStarted(at=NOON, door="family", line="e911", district="B2"))
    for model in protocol.models:
        session.apply(AvailabilityChanged(at=NOON, model=model, available=False, reason="no team free"))
    summary = dispatch_summary(protocol, session.state, session.assessment)
    assert "ALSO UNAVAILABLE:" in summary


@run_async
async def test_keys_meant_as_answers_never_become_an_optional_name():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("enter")  # the location is optional: Enter starts typing it
        await type_text(pilot, "1 Main St")
        await pilot.press("enter")
        assert question_line(app) == "What is your first name?"
        assert not app.screen.query_one(QuestionPanel).has_class("-typing")
        await pilot.press("n", "u", "u", "u")  # meant as answers to the next questions
        await pilot.pause()
        assert "Not typed" in message_line(app) and app.screen.session.state.answers.get("caller_name") is None
        await pilot.press("enter")  # now typing, and it shows
        await pilot.pause()
        assert app.screen.query_one(QuestionPanel).has_class("-typing")
        assert "TYPING" in str(app.screen.query_one(KeyBar).content)
        await type_text(pilot, "Ana")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.session.state.answers["caller_name"] == "Ana"
        assert not app.screen.query_one(QuestionPanel).has_class("-typing")
