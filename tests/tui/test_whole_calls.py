"""Whole calls driven by keys alone, asserting what the screen shows and what the journal holds."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.confirm import AcceptAnywayModal
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.ended import CallEndedScreen
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.screens.setup import CallSetupScreen
from crisis_triage.tui.widgets.so_far import CallSoFar
from tests.tui.helpers import (
    FixedClock,
    boston,
    boston_2026_11,
    make_app as _make_app,
    panel,
    question_line,
    run_async,
    screen_text,
)


def make_app(**kwargs):
    """These tests drive exact question orders: the frozen 2026.11.1 protocol."""
    return _make_app(protocol=boston_2026_11(), **kwargs)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def wait_for(pilot, kind) -> None:
    for _ in range(50):
        if isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted:
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"expected {kind.__name__}, on {type(pilot.app.screen).__name__}")


async def revise(pilot, question_id: str, key: str) -> None:
    """F4 to the call-so-far list, up to the question, Enter, then the new answer's key."""
    await pilot.press("f4")
    so_far = pilot.app.screen.query_one(CallSoFar)
    ids = [so_far.get_option_at_index(i).id for i in range(so_far.option_count)]
    target = ids.index(question_id)
    while so_far.highlighted != target:
        await pilot.press("up" if so_far.highlighted > target else "down")
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(key)
    await pilot.pause()


@run_async
async def test_door_to_dispatch_with_an_interrupt_and_a_revision():
    journal = MemoryJournal()
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallSetupScreen)
        assert "Who is calling?" in screen_text(app)
        await pilot.press("f", "enter")
        await wait_for(pilot, CallScreen)
        text = screen_text(app)
        assert "What is the address where the person is right now?" in text  # ask_other: a family member calls
        assert "00:00" in text and "console-7/ct-042" in text and "B2 Roxbury" in text

        await type_text(pilot, "12 Dudley St")
        await pilot.press("enter")
        await pilot.press("enter")  # the name is optional: Enter starts typing it
        await type_text(pilot, "Ana")
        await pilot.press("enter")
        assert "Are you with the person right now?" in screen_text(app)
        await pilot.press("y", "n", "n", "n", "n")  # with_person, hurt, substance (overdose skipped), attempt, weapon
        text = screen_text(app)
        assert "Is anyone being hurt or attacked right now?" in text
        assert "MENTAL-HEALTH CALL LINE" in text

        # The caller blurts out "he has a knife": F2 then W, out of order.
        clock.at += timedelta(seconds=40)
        await pilot.press("f2")
        await pilot.pause()
        assert "INTERRUPT" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        text = screen_text(app)
        assert "! Weapon seen or mentioned" in text
        assert "HIGH" in text and "Any weapon means at least high risk" in panel(app, "#risk")
        assert "CO-RESPONSE (POLICE + CLINICIAN)" in text
        assert app.screen.query_one("#recommendation").has_class("-flash")
        assert "00:40" in text
        # The question in hand did not move: the interrupt was out of order.
        assert "Is anyone being hurt or attacked right now?" in text

        # Revise "weapon" from no to yes: the follow-up question now applies.
        await revise(pilot, "weapon", "y")
        text = screen_text(app)
        assert "Weapon  Yes  +6  revised" in text
        assert question_line(app) == "Is anyone holding it or pointing it at someone right now?"
        await pilot.press("n")  # weapon_use
        await pilot.press("n", "n", "n", "n")  # violence, threats, crime, children
        assert "Suicide screen" in screen_text(app)

        # The suicide screen is not asked yet: accepting now takes a deliberate second key.
        await pilot.press("f9")
        await wait_for(pilot, AcceptAnywayModal)
        assert "Safety questions NOT ASKED: Wished dead" in screen_text(app)
        await pilot.press("enter", "f9")  # neither Enter nor F9 again accepts
        assert isinstance(app.screen, AcceptAnywayModal)
        await pilot.press("a")
        await wait_for(pilot, DispatchScreen)
        assert "NOT ASKED (no risk ruled out): Wished dead" in app.screen.summary()
        text = screen_text(app)
        assert "DISPATCH: CO-RESPONSE (POLICE + CLINICIAN)" in text
        summary = app.screen.summary()
        assert "Send: Police officer (BPD), BEST clinician" in summary
        assert "Location: 12 Dudley St; district B2 (Roxbury)" in summary
        assert "Dedicated co-response car in this district" in summary
        assert "SAFETY/MEDICAL: " in summary and "Weapon present" in summary

        await pilot.press("f10")
        await pilot.pause()
        assert "End the call: outcome?" in screen_text(app)
        await pilot.press("d")
        await wait_for(pilot, CallEndedScreen)
        assert "outcome: dispatched" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, CallSetupScreen)

    kinds = [e.kind for e in journal.events("call-1")]
    assert kinds[0] == "call_started" and kinds[-1] == "call_ended"
    assert "interrupt" in kinds and "revised" in kinds and "accepted" in kinds
    accepted = next(e for e in journal.events("call-1") if e.kind == "accepted")
    assert accepted.model == "co_response" and accepted.recommended == "co_response"
    assert journal.meta("call-1").console_id == "console-7"


@run_async
async def test_door_to_completed_handoff_with_an_interrupt_withdrawn_and_a_revision():
    journal = MemoryJournal()
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallSetupScreen)
        await pilot.press("s", "a", "enter")  # the person in crisis, on the alternative number
        await wait_for(pilot, CallScreen)
        assert "What is the address where you are right now?" in screen_text(app)
        await type_text(pilot, "40 Blue Hill Ave")
        await pilot.press("enter", "f5")  # address, then no name (optional: F5 skips)
        await pilot.press("n", "n", "n")  # hurt, substance, attempt
        # A child interrupt recorded by mistake, then withdrawn: F2, minus, C.
        await pilot.press("f2", "c")
        await pilot.pause()
        assert "! Child at risk" in screen_text(app)
        await pilot.press("f2", "minus", "c")
        await pilot.pause()
        assert "! Child at risk" not in screen_text(app)
        await pilot.press("n", "n", "n", "n", "n")  # weapon, violence, threats, crime, children
        await pilot.press("y", "n")  # wish_dead, suicidal_thoughts
        await pilot.press("n")  # past_behaviour (choice, key n)
        text = screen_text(app)
        assert "Can you tell me what is happening right now?" in text
        await pilot.press("1", "5", "enter")  # multi: distressed, withdrawn
        await pilot.press("y", "y")  # provider, police_concern
        assert "talk with a counsellor on the phone" in screen_text(app)
        await pilot.press("p")  # support_choice: phone
        text = screen_text(app)
        assert "All questions asked" in text
        assert "MENTAL-HEALTH CALL LINE (WARM HANDOFF)" in panel(app, "#recommendation")

        await revise(pilot, "police_concern", "n")
        assert "Fears police  No  revised" in screen_text(app)

        await pilot.press("f9")
        await wait_for(pilot, HandoffScreen)
        text = screen_text(app)
        assert "WARM HANDOFF to the Boston mental-health call line" in text
        assert "[>] 1. Tell the caller what happens next" in text
        assert "I'm going to bring in a counsellor" in panel(app, "#handoff-stepper")
        assert "Location: 40 Blue Hill Ave" in panel(app, "#handoff-summary")
        for _step in range(5):
            clock.at += timedelta(seconds=15)
            await pilot.press("space")
        text = screen_text(app)
        assert "[x] 5. Stay until they have the caller" in text
        assert "12:01:15" in text  # each step carries its time
        await pilot.press("a")
        assert "outcome: ACCEPTED" in screen_text(app)
        await pilot.press("f10")
        await pilot.pause()
        assert "Warm handoff completed  (suggested)" in screen_text(app)
        await pilot.press("h")
        await wait_for(pilot, CallEndedScreen)
        assert "Handoff: accepted" in screen_text(app)

    events = journal.events("call-1")
    kinds = [e.kind for e in events]
    assert kinds.count("handoff_step") == 5
    assert "interrupt_withdrawn" in kinds and "revised" in kinds
    assert [e.outcome for e in events if e.kind == "handoff_ended"] == ["accepted"]
    assert events[-1].kind == "call_ended" and events[-1].outcome == "handoff_completed"


@run_async
async def test_every_answer_of_a_long_call_on_the_shipped_protocol_shows_at_100x30_without_scrolling():
    """The README promises no scrolling at 100x30: every answer of a whole call on the shipped
    protocol is in view in the call-so-far panel (rows flow into columns), answered as it comes."""
    app = _make_app(protocol=boston(), door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        for _ in range(80):
            question = app.screen.session.assessment.next_question
            if question is None:
                break
            if question.type in ("text", "number"):
                if question.spec.required:
                    await pilot.press("1", "enter")
                else:
                    await pilot.press("f5")
            elif question.type == "multi":
                await pilot.press("enter")
            else:
                keys = {o.id: o.key for o in question.options}
                await pilot.press(keys.get("no") or keys.get("phone") or question.options[0].key)
            await pilot.pause()
        assert app.screen.session.assessment.next_question is None
        so_far = app.screen.query_one(CallSoFar)
        answered = [a for a in app.screen.session.assessment.asked if a.status != "pending"]
        assert so_far.option_count == len(answered) > 20
        shown = so_far.render().plain
        for row in so_far.rows:
            assert row.answer.plain[:8] in shown, row.id  # each answer in view, none scrolled away
        assert not so_far.allow_vertical_scroll
