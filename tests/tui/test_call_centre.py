"""The call screen with a centre: busy units mark the call with the reason, a lost race shows the fallback."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

from crisis_triage.engine import RecommendationAccepted
from crisis_triage.engine.events import AvailabilityChanged
from crisis_triage.engine.events_centre import UnitAssigned
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_sqlite import SqliteAvailability
from crisis_triage.store.centre_link import CentreLink
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.centre_hook import attach, parse_reason
from tests.tui.board_helpers import FIXTURE_CENTRE
from tests.tui.helpers import NOON, FixedClock, boston, make_app, message_line, run_async


def _console(tmp_path, district="A1", journal=None):
    centre = load_centre(FIXTURE_CENTRE, boston())
    path = tmp_path / "centre.sqlite3"
    other = SqliteAvailability(path)  # another console on the same store
    other.register_units(centre)
    journal = journal if journal is not None else MemoryJournal()
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="family", district=district)
    link = CentreLink(lambda: SqliteAvailability(path), centre, console_id="console-7", clock=clock)
    attach(app, link)
    return app, link, other, journal


@run_async
async def test_a_busy_car_marks_the_call_with_why_and_lifts_when_it_clears(tmp_path):
    app, link, other, journal = _console(tmp_path)
    other.claim("1234", [("a1_car", NOON + timedelta(minutes=38))], at=NOON - timedelta(minutes=20))
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        screen = app.screen
        assert screen.session.state.unavailable["co_response"] == (
            "A1 car busy on call 1234 since 11:40 (expected clear 12:38)"
        )
        other.set_status("1234", "a1_car", "cleared", at=NOON)
        link.refresh()
        await pilot.pause()
        assert "co_response" not in screen.session.state.unavailable
        marks = [e for e in journal.events(screen.meta.call_id) if isinstance(e, AvailabilityChanged)]
        assert [(e.model, e.available, e.source) for e in marks] == [
            ("co_response", False, "centre"),
            ("co_response", True, "centre"),
        ]


@run_async
async def test_the_console_that_loses_the_race_is_told_and_shown_the_fallback(tmp_path):
    app, link, other, journal = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        screen = app.screen
        assert screen.assessment.recommendation.model == "call_line"
        # Between this console's last look and its F9, two other calls take both counsellors.
        other.claim("801", [("call_line", None)], at=NOON)
        other.claim("802", [("call_line", None)], at=NOON)
        await pilot.press("f9", "a")  # accept (anyway: no safety question asked yet)
        await pilot.pause()
        events = journal.events(screen.meta.call_id)
        assert not any(isinstance(e, RecommendationAccepted) for e in events)  # not dispatched
        assert screen.session.state.unavailable["call_line"] == "Call line: all 2 busy"
        assert "Another console got there first" in message_line(app)  # the loser's screen says so


@run_async
async def test_the_winner_holds_the_unit_and_accepting_twice_is_one_assignment(tmp_path):
    app, link, other, journal = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call_id = app.screen.meta.call_id
        await pilot.press("f9", "a")
        await pilot.pause()
        assert app.screen_stack[-2].centre.claim("call_line")  # F9 again from the call: the same unit
    kinds = [type(e) for e in journal.events(call_id)]
    assert kinds.count(UnitAssigned) == 1 and kinds.count(RecommendationAccepted) == 1
    assignments = other.snapshot().assignments
    assert [(a.call_id, a.unit_id, a.console_id) for a in assignments] == [(call_id, "call_line", "console-7")]


@run_async
async def test_the_call_line_seat_is_freed_when_the_handoff_ends(tmp_path):
    app, link, other, _ = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        await pilot.press("f9", "a")  # the call line (accepted anyway): the warm handoff opens
        await pilot.pause()
        assert [a.unit_id for a in other.snapshot().assignments] == ["call_line"]
        await pilot.press("a")  # the counsellor accepted the caller
        await pilot.pause()
        assert other.snapshot().assignments == ()


@run_async
async def test_response_statuses_move_the_unit_for_every_console(tmp_path):
    from crisis_triage.engine.events_response import ResponseStatusChanged

    app, link, other, _ = _console(tmp_path, district="C6")
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call = app.screen
        assert call.centre.claim("alternative_response")
        assert call.record(
            RecommendationAccepted(at=NOON, model="alternative_response", recommended="alternative_response")
        )
        assert call.record(ResponseStatusChanged(at=NOON, status="en_route"))
        assert [a.status for a in other.snapshot().assignments] == ["en_route"]
        call.record(ResponseStatusChanged(at=NOON, status="contact_made"))
        assert [a.status for a in other.snapshot().assignments] == ["on_scene"]
        call.record(ResponseStatusChanged(at=NOON, status="cleared"))
        assert other.snapshot().assignments == ()


def test_a_reason_can_end_with_the_minutes_until_back():
    assert parse_reason("flat tyre 45") == ("flat tyre", 45)
    assert parse_reason("crew break, 30 min") == ("crew break", 30)
    assert parse_reason("radio fault") == ("radio fault", None)


@run_async
async def test_the_centre_going_offline_and_back_is_app_wide_state_with_its_words(tmp_path):
    from crisis_triage.tui.centre_hook import centre_watch

    from .test_after_response import strip_text

    centre = load_centre(FIXTURE_CENTRE, boston())
    path = tmp_path / "centre.sqlite3"
    SqliteAvailability(path).register_units(centre)
    down = [True]

    def opener():
        if down[0]:
            raise OSError("connection refused")
        return SqliteAvailability(path)

    clock = FixedClock()
    app = make_app(journal=MemoryJournal(), clock=clock, door="family", district="A1")
    link = CentreLink(opener, centre, console_id="console-7", clock=clock)
    watch = attach(app, link)
    assert centre_watch(app) is watch and watch.status.online and watch.words is None
    seen = []
    watch.subscribe(lambda status: seen.append((status.online, status.pending)))
    async with app.run_test(size=(100, 30)) as pilot:
        link.set_out_of_service("alt_1", "flat tyre", at=NOON)  # the store is down: kept locally, queued
        await pilot.pause()
        assert watch.words == (
            "Centre store offline since 12:00 — availability may be stale; calls are kept locally "
            "(1 availability change to send)"
        )
        # The call screen says it once, in the app-wide strip (no banner of its own).
        assert strip_text(app) == watch.words
        assert not app.screen.query("#centre-banner")  # said once, by the strip
        down[0] = False
        link.refresh()  # the store is back: the queue is sent
        await pilot.pause()
        assert watch.status.online and watch.words is None
        assert strip_text(app) == ""
        assert "Centre store reachable again (offline since 12:00)" in message_line(app)
    assert seen == [(False, 1), (True, 0)]
    assert centre_watch(make_app()) is None  # no centre file: nothing to show
    with closing(SqliteAvailability(path)) as store:
        assert store.snapshot().out_of_service["alt_1"].reason == "flat tyre"


@run_async
async def test_the_app_is_sent_a_message_when_the_centre_goes_offline(tmp_path):
    from zoneinfo import ZoneInfo

    from textual.app import App

    from crisis_triage.tui.centre_hook import CentreStatusChanged

    class Probe(App):
        """Any app of the console's: what an app-wide alert strip would hear."""

        heard: list[str | None] = []

        def on_centre_status_changed(self, message: CentreStatusChanged) -> None:
            self.heard.append(message.words)

    centre = load_centre(FIXTURE_CENTRE, boston())

    def unreachable():
        raise OSError("connection refused")

    clock = FixedClock()
    app = Probe()
    link = CentreLink(unreachable, centre, console_id="console-7", clock=clock)
    attach(app, link, ZoneInfo("America/New_York"))
    async with app.run_test() as pilot:
        link.claim("1", [("a1_car", None)], at=NOON)
        await pilot.pause()
    assert Probe.heard == [
        "Centre store offline since 12:00 — availability may be stale; calls are kept locally "
        "(1 availability change to send)"
    ]


async def _pick(pilot, app, value: str) -> None:
    """In the open picker, move to ``value`` and take it."""
    ids = [v for v, _ in app.screen.choices]
    await pilot.press(*["down"] * ids.index(value), "enter")
    await pilot.pause()


@run_async
async def test_f8_with_a_centre_marks_a_team_for_this_call_only(tmp_path):
    app, link, other, journal = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call = app.screen
        await pilot.press("f8")
        await pilot.pause()
        lines = dict(app.screen.choices)
        assert lines["call:co_response"] == "this call: Co-response (police + clinician)"
        assert lines["unit:a1_car"] == "centre-wide: A1 car free"
        await _pick(pilot, app, "call:co_response")
        assert call.session.state.unavailable["co_response"] == "no team free (marked by the call-taker)"
        assert other.snapshot().out_of_service == {}  # nothing changed for the other consoles
        await pilot.press("f8")
        await pilot.pause()
        assert dict(app.screen.choices)["call:co_response"].startswith("this call: [unavailable] ")
        await _pick(pilot, app, "call:co_response")  # again: restored
        assert "co_response" not in call.session.state.unavailable
    marks = [e for e in journal.events(call.meta.call_id) if isinstance(e, AvailabilityChanged)]
    assert [(e.model, e.available, e.source) for e in marks] == [
        ("co_response", False, "call_taker"),
        ("co_response", True, "call_taker"),
    ]


@run_async
async def test_f8_with_a_centre_takes_a_unit_out_of_service_for_every_console(tmp_path):
    app, link, other, _ = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call = app.screen
        await pilot.press("f8")
        await pilot.pause()
        await _pick(pilot, app, "unit:a1_car")
        await pilot.press(*"flat tyre 45", "enter")
        await pilot.pause()
        out = other.snapshot().out_of_service["a1_car"]
        assert (out.reason, out.expected_return, out.by) == (
            "flat tyre",
            NOON + timedelta(minutes=45),
            "ct-042 at console-7",
        )
        # Every console's call in A1 now sees the co-response car gone, with why.
        assert call.session.state.unavailable["co_response"].startswith("A1 car out of service (flat tyre)")
        await pilot.press("f8")
        await pilot.pause()
        await _pick(pilot, app, "call:co_response")  # busy at the centre: not restorable for this call
        assert "The centre has no Co-response (police + clinician) free" in message_line(app)
        assert "co_response" in call.session.state.unavailable
        await pilot.press("f8")
        await pilot.pause()
        await _pick(pilot, app, "unit:a1_car")  # again: back in service
        assert other.snapshot().out_of_service == {}
        assert "co_response" not in call.session.state.unavailable


@run_async
async def test_sending_another_team_claims_a_unit_and_stands_the_earlier_one_down(tmp_path):
    app, link, other, journal = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call_id = app.screen.meta.call_id
        await pilot.press("f9", "a")  # the call line (accepted anyway): the warm handoff opens
        await pilot.pause()
        await pilot.press("o")  # the caller refuses the phone: send a team instead
        await pilot.pause()
        await _pick(pilot, app, "alternative_response")
        await pilot.press(*"caller asked for a visit", "enter")
        await pilot.pause()
        held = {a.unit_id for a in other.snapshot().of_call(call_id)}
        assert held == {"call_line", "alt_1"}  # the seat is freed when the handoff ends, not before
        await pilot.press("o")  # from the dispatch summary: the co-response car instead
        await pilot.pause()
        await _pick(pilot, app, "co_response")
        await pilot.press(*"supervisor decision", "enter")
        await pilot.pause()
        held = {a.unit_id for a in other.snapshot().of_call(call_id)}
        assert held == {"call_line", "a1_car"}  # alt_1 stood down: free for other calls
    sent = [e.model for e in journal.events(call_id) if isinstance(e, RecommendationAccepted)]
    assert sent == ["call_line", "alternative_response", "co_response"]
    assert [e.unit for e in journal.events(call_id) if isinstance(e, UnitAssigned)] == ["call_line", "alt_1", "a1_car"]


@run_async
async def test_another_team_lost_to_another_console_is_not_sent_and_its_fallback_is_offered(tmp_path):
    app, link, other, journal = _console(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        call_id = app.screen.meta.call_id
        await pilot.press("f9", "a")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        other.claim("900", [("a1_car", None)], at=NOON)  # meanwhile another console takes the car
        await _pick(pilot, app, "co_response")
        await pilot.press(*"supervisor decision", "enter")
        await pilot.pause()
        said = message_line(app)
        assert "Another console got there first: A1 car busy on call 900 since 12:00" in said
        assert "Nothing was sent: its fallback, Police emergency response" in said
        assert not [
            e for e in journal.events(call_id) if isinstance(e, RecommendationAccepted) and e.model != "call_line"
        ]
        picker = app.screen
        assert picker.current == "police_emergency"  # the picker is open again on the fallback
        await pilot.press("enter", *"car taken", "enter")
        await pilot.pause()
    sent = [e.model for e in journal.events(call_id) if isinstance(e, RecommendationAccepted)]
    assert sent == ["call_line", "police_emergency"]
    assert [a.call_id for a in other.snapshot().on_unit("a1_car")] == ["900"]


@run_async
async def test_a_dispatch_the_record_store_refuses_gives_its_unit_back(tmp_path):
    class RefusingJournal(MemoryJournal):
        def append(self, call_id, event):
            if isinstance(event, RecommendationAccepted):
                raise OSError("disk full")
            return super().append(call_id, event)

    app, link, other, _ = _console(tmp_path, journal=RefusingJournal())
    async with app.run_test(size=(100, 30)) as pilot:
        link.refresh()
        await pilot.pause()
        await pilot.press("f9", "a")
        await pilot.pause()
        assert app.screen.session.state.accepted is None  # not dispatched: the store refused it
        assert other.snapshot().assignments == ()  # and the call line's seat is free again
