"""After the dispatch on the console (issue 12): the response tracked to its disposition by keyboard,
the overdue-contact alert on every screen until someone acts, the active-calls list with a status
recorded from outside."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.engine.events import RecommendationAccepted
from crisis_triage.engine.events_response import (
    ContactAlertAcknowledged,
    DispositionRecorded,
    FollowUpScheduled,
    ResponseStatusChanged,
)
from crisis_triage.store.outside import record_outside
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.tui.screens.active_calls import ActiveCallsScreen
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.disposition import DispositionModal
from crisis_triage.tui.screens.modals import EndCallModal, NoteModal
from crisis_triage.tui.screens.receiving_service import ReceivingServicePicker
from crisis_triage.tui.screens.response_status import ResponseStatusModal
from crisis_triage.tui.widgets.alert_strip import AlertStrip

from .helpers import FixedClock, make_app, run_async, screen_text


def strip_text(app) -> str:
    """What the alert strip of the screen showing says ("" when it has none or it is hidden)."""
    from textual.screen import ModalScreen

    for screen in reversed(app.screen_stack):
        if not isinstance(screen, ModalScreen):
            strips = screen.query(AlertStrip)
            return strips.first().plain if strips and strips.first().display else ""
    return ""


async def until(pilot, condition, timeout_s: float = 5.0) -> bool:
    """Wait (bounded) for the console to show something: a new screen mounts a moment after it is
    pushed, and the strip follows it there."""
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def opens(pilot, key: str, screen_type) -> None:
    """Press ``key`` and wait (bounded) until it has opened a ``screen_type`` (a dialog mounts a
    moment after its key), so the next key goes to it."""
    await pilot.press(key)
    assert await until(pilot, lambda: isinstance(pilot.app.screen, screen_type)), f"{key} did not open {screen_type}"


def dispatch(app, model: str = "co_response") -> CallScreen:
    call = app.call_screen()
    assert call.record(RecommendationAccepted(at=app.clock(), model=model, recommended=model))
    return call


def kinds(journal, call_id: str) -> list[str]:
    return [e.kind for e in journal.events(call_id)]


@run_async
async def test_a_response_is_tracked_to_its_disposition_by_keyboard_on_the_call(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app)
        await pilot.pause()
        for key, status in (("r", "en_route"), ("s", "on_scene"), ("m", "contact_made")):
            clock.at += timedelta(minutes=4)
            await opens(pilot, "f11", ResponseStatusModal)
            await pilot.press(key)
            await pilot.pause()
            assert call.session.state.after.status == status
        line = screen_text(app)
        assert "Dispatched Co-response" in line and "on scene" in line and "contact made" in line
        # The disposition: its key, then the receiving service from the referral directory.
        await opens(pilot, "f11", ResponseStatusModal)
        await opens(pilot, "d", DispositionModal)
        await opens(pilot, "c", ReceivingServicePicker)  # connected to care (the protocol's key): which service?
        await pilot.press("enter")  # the first service offered for this call
        await pilot.pause()
        disposition = call.session.state.after.disposition
        assert disposition is not None and disposition.code == "connected_to_care"
        # the record holds the directory's id, which the engine checks (engine/receiving_services.py)
        assert disposition.details["service"] in app.directory.by_id
    stored = kinds(journal, "call-1")
    assert stored[-4:] == ["response_status", "response_status", "response_status", "disposition"]
    journal.close()


@run_async
async def test_the_dispatch_summary_takes_the_status_keys_directly():
    app = make_app(door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app)
        app.push_screen(DispatchScreen(call.link()))
        await pilot.pause()
        assert isinstance(app.screen, DispatchScreen)
        assert "S on scene" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert call.session.state.after.status == "on_scene"
        assert isinstance(app.screen, DispatchScreen)  # the summary stays open


@run_async
async def test_the_overdue_contact_alert_shows_on_every_screen_until_acknowledged(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app, "co_response")  # contact within 20 minutes
        alerts = app.response_alerts
        alerts.refresh()
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
        clock.at += timedelta(minutes=21)
        alerts.refresh()
        await pilot.pause()
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED: call call-1" in strip_text(app))
        # The dispatch summary, the active list, a dialog above the call: the alert is there on each.
        app.push_screen(DispatchScreen(call.link()))
        await pilot.pause()
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED" in strip_text(app))
        await pilot.press("b")
        await opens(pilot, "f3", NoteModal)  # a dialog above the call: the call's strip stays in view
        await pilot.pause()
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED" in strip_text(app))
        await pilot.press("escape")
        await opens(pilot, "ctrl+a", ActiveCallsScreen)
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED" in strip_text(app))
        assert "CONTACT OVERDUE" in screen_text(app)
        await pilot.press("k")  # acknowledge, from the active list
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
        acknowledged = [e for e in call.session.events if isinstance(e, ContactAlertAcknowledged)]
        assert len(acknowledged) == 1 and acknowledged[0].by == "ct-042"
        await pilot.press("escape")
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
    assert "contact_acknowledged" in kinds(journal, "call-1")
    journal.close()


@run_async
async def test_contact_made_clears_the_alert_and_it_shows_on_home_after_the_call_ended(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        dispatch(app, "co_response")
        await opens(pilot, "f10", EndCallModal)
        await pilot.press("d")  # the call ends (dispatched); the response goes on
        await pilot.pause()
        app.show_home()
        await pilot.pause()
        clock.at += timedelta(minutes=25)
        app.response_alerts.refresh()
        await pilot.pause()
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED: call call-1" in strip_text(app))
        await opens(pilot, "a", ActiveCallsScreen)  # home: active calls
        await pilot.press("m")  # contact made, on the highlighted call (no call screen holds it)
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
        assert "Contact made" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
    assert kinds(journal, "call-1")[-1] == "response_status"
    journal.close()


@run_async
async def test_a_status_recorded_from_outside_shows_on_the_active_list_and_the_call(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app, "co_response")
        clock.at += timedelta(minutes=3)
        # A dispatcher's system (records update) writes into the same store, numbered from outside.
        record_outside(
            journal,
            app.protocol,
            "call-1",
            [ResponseStatusChanged(at=clock.at, status="on_scene", source="dispatcher")],
        )
        app.response_alerts.refresh()
        await pilot.pause()
        assert call.session.state.after.status == "on_scene"
        assert "on scene" in screen_text(app) and "(dispatcher)" in screen_text(app)
        await opens(pilot, "ctrl+a", ActiveCallsScreen)
        assert "On scene" in screen_text(app)
        # Another status from outside while the list is open: it repaints at the next tick.
        record_outside(
            journal, app.protocol, "call-1", [ResponseStatusChanged(at=clock.at, status="contact_made", source="cad")]
        )
        app.response_alerts.refresh()
        await pilot.pause()
        assert "Contact made" in screen_text(app)
    # The console applied them without journalling them again.
    assert kinds(journal, "call-1").count("response_status") == 2
    journal.close()


@run_async
async def test_a_disposition_resolves_the_response_and_the_follow_up_it_owes_is_journalled(tmp_path):
    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app, "co_response")
        assert [r.call_id for r in app.response_alerts.watch.refresh()] == ["call-1"]
        await opens(pilot, "f11", ResponseStatusModal)
        await opens(pilot, "d", DispositionModal)
        await pilot.press("n")  # person not found: a re-check is owed
        await pilot.pause()
        events = call.session.events
        assert isinstance(events[-2], DispositionRecorded) and isinstance(events[-1], FollowUpScheduled)
        assert events[-1].rule == "not_found_recheck"
        assert app.response_alerts.watch.refresh() == []
    assert kinds(journal, "call-1")[-2:] == ["disposition", "follow_up_scheduled"]
    journal.close()


@run_async
async def test_the_alert_follows_the_call_taker_to_setup_the_next_call_and_its_handoff(tmp_path):
    from crisis_triage.tui.screens.handoff import HandoffScreen
    from crisis_triage.tui.screens.setup import CallContext, CallSetupScreen

    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        dispatch(app, "co_response")
        await opens(pilot, "f10", EndCallModal)
        await pilot.press("d")
        await pilot.pause()
        clock.at += timedelta(minutes=22)
        app.new_call(None)
        await pilot.pause()
        app.response_alerts.refresh()
        await pilot.pause()
        assert isinstance(app.screen, CallSetupScreen)
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED: call call-1" in strip_text(app))
        app.begin_call(CallContext(door="self", line="e911", district="B2", language="en"))
        await pilot.pause()
        assert app.call_screen().meta.call_id == "call-2"
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED: call call-1" in strip_text(app))
        call = dispatch(app, "call_line")
        call.show_dispatch()
        await pilot.pause()
        assert isinstance(app.screen, HandoffScreen)
        assert await until(pilot, lambda: "CONTACT NOT CONFIRMED: call call-1" in strip_text(app))
        # The other call's contact is recorded from the active list, over the handoff: the alert goes.
        await opens(pilot, "ctrl+a", ActiveCallsScreen)
        assert [r.call_id for r in app.response_alerts.active] == ["call-1", "call-2"]
        await pilot.press("m")
        await pilot.pause()
        assert await until(pilot, lambda: strip_text(app) == "")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HandoffScreen) and strip_text(app) == ""
    journal.close()


@run_async
async def test_f11_on_a_call_line_call_records_where_the_handoff_landed(tmp_path):
    from crisis_triage.engine.events_response import HandoffOutcomeRecorded
    from crisis_triage.tui.screens.response_status import LandedModal

    journal = SqliteJournal(tmp_path / "calls.sqlite3")
    app = make_app(journal=journal, door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app, "call_line")
        await pilot.pause()
        await opens(pilot, "f11", LandedModal)
        assert "Counsellor asked for a team" in screen_text(app)
        await pilot.press("t")  # the counsellor asked for a team: a check on it is owed
        await pilot.pause()
        landed = [e for e in call.session.events if isinstance(e, HandoffOutcomeRecorded)]
        assert [e.outcome for e in landed] == ["team_requested"]
        assert "team_requested_check" in call.session.state.after.scheduled
    assert kinds(journal, "call-1")[-2:] == ["handoff_landed", "follow_up_scheduled"]
    journal.close()
