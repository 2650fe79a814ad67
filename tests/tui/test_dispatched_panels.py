"""A dispatched call says what was dispatched (issue 12): the question panel shows the dispatch in
place of "All questions asked / Press F9 to accept", and the recommendation card stops reading
"provisional"; both say the same after the console is killed and the call resumed."""

from __future__ import annotations

from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.screens.setup import CallSetupScreen

from .helpers import FixedClock, panel, run_async
from .test_whole_calls import make_app, type_text, wait_for


async def _to_the_end_of_the_questions(pilot) -> None:
    """The call-line call of test_whole_calls, every question answered (the 2026.11.1 protocol)."""
    await wait_for(pilot, CallSetupScreen)
    await pilot.press("s", "a", "enter")
    await wait_for(pilot, CallScreen)
    await type_text(pilot, "40 Blue Hill Ave")
    await pilot.press("enter", "f5", "n", "n", "n", "n", "n", "n", "n", "n", "y", "n", "n")
    await pilot.press("1", "5", "enter", "y", "y", "p")
    await pilot.pause()


@run_async
async def test_a_dispatched_call_shows_the_dispatch_and_after_a_resume_too(tmp_path):
    path = tmp_path / "calls.sqlite3"
    journal = SqliteJournal(path)
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_end_of_the_questions(pilot)
        assert "All questions asked" in panel(app, "#q-body")
        assert "F9 accepts" in panel(app, "#recommendation")
        await pilot.press("f9")
        await wait_for(pilot, HandoffScreen)
        await pilot.press("a", "b")  # the counsellor accepted; back to the call
        await wait_for(pilot, CallScreen)
        question = panel(app, "#q-body")
        assert "All questions asked" not in question and "to accept" not in question
        assert "Dispatched Mental-health call line" in question and "at 12:00" in question
        assert "Handoff: accepted" in question
        assert "Response: no status reported yet" in question
        assert "Press F9 to see the dispatch" in question
        card = panel(app, "#recommendation")
        assert "provisional" not in card and "dispatched mental-health call line" in card
        assert "F9 shows the dispatch" in card and "F9 accepts" not in card
        shown = (panel(app, "#q-body"), panel(app, "#recommendation"))
    journal.close()  # killed mid-call, after the dispatch

    journal = SqliteJournal(path)
    app = make_app(journal=journal, clock=clock, resume="call-1")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, CallScreen)
        assert (panel(app, "#q-body"), panel(app, "#recommendation")) == shown
        await pilot.press("f9")
        await wait_for(pilot, HandoffScreen)  # F9 shows the dispatch made; it records nothing
    assert [e.kind for e in journal.events("call-1")].count("accepted") == 1
    journal.close()


@run_async
async def test_the_call_ended_screen_points_to_the_active_calls_while_the_response_is_open():
    from crisis_triage.engine.events import CallEnded, RecommendationAccepted
    from crisis_triage.tui.screens.ended import CallEndedScreen

    from .helpers import make_app as plain_app, screen_text

    clock = FixedClock()
    app = plain_app(clock=clock, door="self")
    async with app.run_test(size=(120, 40)) as pilot:
        call = app.call_screen()
        assert call.record(RecommendationAccepted(at=clock.at, model="co_response", recommended="co_response"))
        assert call.record(CallEnded(at=clock.at, outcome="dispatched"))
        await wait_for(pilot, CallEndedScreen)
        text = screen_text(app)
        assert "Dispatched Co-response" in text and "Response: no status reported yet" in text
        assert "The response is still open:  Ctrl+A  active calls" in text


@run_async
async def test_the_call_ended_screen_says_nothing_is_open_after_a_completed_handoff():
    from crisis_triage.tui.screens.ended import CallEndedScreen

    from .helpers import screen_text

    app = make_app(clock=FixedClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await _to_the_end_of_the_questions(pilot)
        await pilot.press("f9")
        await wait_for(pilot, HandoffScreen)
        await pilot.press("a", "f10")
        await pilot.pause()
        await pilot.press("h")
        await wait_for(pilot, CallEndedScreen)
        text = screen_text(app)
        assert "Handoff: accepted" in text and "still open" not in text
