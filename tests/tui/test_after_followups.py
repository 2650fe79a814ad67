"""The follow-up queue on the console (issue 12): attempts recorded with one key each, the call's
referrals offered again, "referred" naming the service; and a resumed call showing its response."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.engine.events import CallEnded, HandoffEnded, RecommendationAccepted
from crisis_triage.engine.events_response import FollowUpAttempted, ResponseStatusChanged
from crisis_triage.engine.referral_views import referral_event
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.followup_queue import FollowUpQueueScreen
from crisis_triage.tui.screens.receiving_service import ReceivingServicePicker

from .helpers import FixedClock, make_app, run_async, screen_text
from .test_after_response import opens


@run_async
async def test_the_queue_records_attempts_and_offers_the_calls_referrals_again(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(150, 50)) as pilot:
        call = app.call_screen()
        service = app.directory.services[0].spec
        assert call.record(referral_event(app.directory, service.id, "caller", clock.at))
        assert call.record(RecommendationAccepted(at=clock.at, model="call_line", recommended="call_line"))
        clock.at += timedelta(minutes=5)
        assert call.record(HandoffEnded(at=clock.at, outcome="accepted"))  # a caring contact is now owed
        assert call.record(CallEnded(at=clock.at, outcome="handoff_completed"))
        await pilot.pause()
        app.show_home()
        await pilot.pause()
        await opens(pilot, "f", FollowUpQueueScreen)
        text = screen_text(app)
        assert "1 overdue, 0 due" not in text and "0 overdue, 1 due, 0 done" in text
        assert "Caring contact" in text and "call call-1" in text
        assert "Referrals given on the call" in text and service.name["en"] in text
        assert "Offered for this call's facts" in text
        # No answer: recorded, the follow-up stays open.
        clock.at += timedelta(hours=2)
        await pilot.press("n")
        await pilot.pause()
        assert "0 overdue, 1 due, 0 done" in screen_text(app) and "last: no answer" in screen_text(app)
        # Referred: the service is picked (the one given on the call first), named in the attempt, and closes it.
        clock.at += timedelta(hours=1)
        await opens(pilot, "r", ReceivingServicePicker)
        await pilot.press("enter")
        await pilot.pause()
        assert "0 overdue, 0 due, 1 done" in screen_text(app)
        await pilot.press("s")  # a done follow-up takes no more attempts
        await pilot.pause()
    attempts = [e for e in journal.events("call-1") if isinstance(e, FollowUpAttempted)]
    assert [(a.rule, a.outcome, a.by) for a in attempts] == [
        ("caring_contact", "no_answer", "ct-042"),
        ("caring_contact", "referred", "ct-042"),
    ]
    assert attempts[1].note == f"referred to {service.name['en']} ({service.id})"
    journal.close()


@run_async
async def test_an_overdue_follow_up_is_listed_first_and_the_palette_opens_the_queue(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(150, 50)) as pilot:
        call = app.call_screen()
        assert call.record(RecommendationAccepted(at=clock.at, model="call_line", recommended="call_line"))
        assert call.record(HandoffEnded(at=clock.at, outcome="accepted"))
        assert call.record(CallEnded(at=clock.at, outcome="handoff_completed"))
        await pilot.pause()
        clock.at += timedelta(hours=25)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Follow-up queue"].callback()
        await pilot.pause()
        assert "1 overdue, 0 due, 0 done" in screen_text(app) and "OVERDUE" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "0 overdue, 0 due, 1 done" in screen_text(app)
    journal.close()


@run_async
async def test_a_resumed_call_shows_its_dispatch_and_response_and_f9_never_dispatches_twice(tmp_path):
    path = tmp_path / "calls.sqlite3"
    journal = SqliteJournal(path)
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = app.call_screen()
        assert call.record(RecommendationAccepted(at=clock.at, model="co_response", recommended="co_response"))
        clock.at += timedelta(minutes=18)
        assert call.record(ResponseStatusChanged(at=clock.at, status="on_scene"))
        await pilot.pause()
    journal.close()  # the console stopped mid-call

    journal = SqliteJournal(path)
    app = make_app(journal=journal, clock=clock, resume="call-1")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Dispatched Co-response" in text and "12:00" in text and "on scene 12:18" in text
        await opens(pilot, "f9", DispatchScreen)
    assert [e.kind for e in journal.events("call-1")].count("accepted") == 1
    journal.close()


@run_async
async def test_the_resume_list_says_what_each_unfinished_call_dispatched(tmp_path):
    from crisis_triage.tui.screens.resume import ResumeScreen

    path = tmp_path / "calls.sqlite3"
    journal = SqliteJournal(path)
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = app.call_screen()
        assert call.record(RecommendationAccepted(at=clock.at, model="co_response", recommended="co_response"))
        assert call.record(ResponseStatusChanged(at=clock.at, status="en_route"))
        await pilot.pause()
    journal.close()

    journal = SqliteJournal(path)
    app = make_app(journal=journal, clock=clock)  # starts by offering the unfinished call
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "dispatched Co-response (police + clinician), en route" in screen_text(app)
    journal.close()


@run_async
async def test_the_centre_offline_state_shows_in_the_strip_on_home_and_the_lists():
    from zoneinfo import ZoneInfo

    from crisis_triage.tui.centre_status import CentreStatus, CentreWatch
    from crisis_triage.tui.screens.active_calls import ActiveCallsScreen

    from .test_after_response import strip_text, until

    clock = FixedClock()
    app = make_app(clock=clock, home=True)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        app.centre_watch = watch = CentreWatch(ZoneInfo("America/New_York"))
        app.response_alerts.refresh()
        await pilot.pause()
        assert strip_text(app) == ""
        watch.update(CentreStatus(offline_since=clock.at - timedelta(minutes=3), pending=2))
        await pilot.pause()
        said = (
            "Centre store offline since 11:57 — availability may be stale; calls are kept locally "
            "(2 availability changes to send)"
        )
        assert watch.words == said and strip_text(app) == said  # at once: the strip follows the watch
        await opens(pilot, "a", ActiveCallsScreen)
        assert await until(pilot, lambda: strip_text(app) == said)
        watch.update(CentreStatus())
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
