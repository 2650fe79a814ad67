"""The supervisor's board against a fixture centre: live calls, units, alerts, and acting on them by key."""

from __future__ import annotations

from crisis_triage.store.availability_sqlite import SqliteAvailability
from tests.tui.board_helpers import make_board
from tests.tui.helpers import run_async


def _alert_kinds(app) -> set[tuple[str, str]]:
    return {(a.kind, a.subject) for a in app.picture.alerts}


@run_async
async def test_the_board_shows_every_live_call_unit_and_alert(tmp_path):
    app = make_board(tmp_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        # 106 ended with nothing owed: not on the board; 104 and 105 ended but still owe a follow-up.
        calls = {c.call_id: c.state for c in app.picture.calls}
        assert calls == {
            "101": "questioning",
            "102": "en route",  # the dispatcher's system reported it: the call's own status
            "103": "dispatched",
            "104": "follow-up due",
            "105": "follow-up due",
        }
        assert [(a.kind, a.subject) for a in app.picture.alerts] == [  # most pressing first
            ("imminent", "101"),
            ("contact", "103"),  # co-response's 20-minute window (the protocol's), dispatched 24 min ago
            ("follow_up", "105"),
            ("time", "101"),
            ("departure", "102"),
            ("out_of_service", "alt_2"),
        ]
        assert "contact not confirmed, 4 min past its window (due 11:56" in app.picture.alerts[1].text
        states = {u.unit_id: u.state for u in app.picture.units}
        # alt_1's own status is "dispatched"; its call's response is en route, so the unit is too.
        assert states == {"a1_car": "dispatched", "alt_1": "en route", "alt_2": "out of service", "call_line": "free"}
        # Highest risk first, then the longest-running.
        assert [c.call_id for c in app.visible_calls()] == ["101", "105", "104", "103", "102"]
        flagged = [c.call_id for c in app.picture.calls if c.needs_consultation]
        assert flagged == ["101"]  # imminent risk, no supervisor consulted yet: CONSULT on its row


@run_async
async def test_sort_and_filter_by_key(tmp_path):
    app = make_board(tmp_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.press("s")
        assert app.sort == "time" and [c.call_id for c in app.visible_calls()] == ["105", "104", "103", "101", "102"]
        await pilot.press("f")
        assert app.filter == "alerts"
        assert [c.call_id for c in app.visible_calls()] == ["105", "103", "101", "102"]
        await pilot.press("f")
        assert [c.call_id for c in app.visible_calls()] == ["101"]  # questioning only
        await pilot.press("f", "f")
        assert app.filter == "follow-up due"
        assert [c.call_id for c in app.visible_calls()] == ["105", "104"]


@run_async
async def test_consultation_and_out_of_service_by_key_reach_the_store(tmp_path):
    app = make_board(tmp_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await pilot.press("c")  # the selected call is the imminent one (sorted first)
        await pilot.pause()
        assert ("imminent", "101") not in _alert_kinds(app)
        await pilot.press("tab", "down")  # to the units table, second row: alt_1
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"crew break 30", "enter")
        await pilot.pause()
        assert ("out_of_service", "alt_1") in _alert_kinds(app)
        await pilot.press("up", "e")  # the A1 car reports on scene on the radio
        await pilot.pause()
        assert {u.unit_id: u.state for u in app.picture.units}["a1_car"] == "on scene"
    store = SqliteAvailability(tmp_path / "centre.sqlite3")
    try:
        assert [(c.call_id, c.supervisor) for c in store.consultations()] == [("101", "sam")]
        out = store.snapshot().out_of_service["alt_1"]
        assert (out.reason, out.by) == ("crew break", "sam") and out.expected_return is not None
    finally:
        store.close()


@run_async
async def test_the_wall_display_changes_nothing(tmp_path):
    app = make_board(tmp_path, wall=True)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        await pilot.press("c", "tab", "o")
        await pilot.pause()
        await pilot.press("s")
        assert app.sort == "time"  # the view still sorts
    store = SqliteAvailability(tmp_path / "centre.sqlite3")
    try:
        assert store.consultations() == [] and set(store.snapshot().out_of_service) == {"alt_2"}
    finally:
        store.close()


@run_async
async def test_contact_confirmed_on_the_call_clears_the_overdue_contact_alert(tmp_path):
    from datetime import timedelta

    from crisis_triage.engine.events_response import ResponseStatusChanged
    from crisis_triage.store.sqlite import SqliteJournal
    from tests.tui.helpers import NOON

    app = make_board(tmp_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        assert ("contact", "103") in _alert_kinds(app)
        console = SqliteJournal(tmp_path / "records.sqlite3")  # the console holding call 103 ships the status
        console.append("103", ResponseStatusChanged(at=NOON - timedelta(minutes=1), status="contact_made"))
        console.close()
        app.reload()
        await pilot.pause()
        assert ("contact", "103") not in _alert_kinds(app)
        assert {c.call_id: c.state for c in app.picture.calls}["103"] == "contact made"
        assert {u.unit_id: u.state for u in app.picture.units}["a1_car"] == "contact made"


def test_board_snapshot(tmp_path, snap_compare):
    assert snap_compare(make_board(tmp_path), terminal_size=(140, 30))


def test_wall_snapshot(tmp_path, snap_compare):
    assert snap_compare(make_board(tmp_path, wall=True), terminal_size=(140, 30))


@run_async
async def test_the_board_says_when_the_centre_store_is_offline_and_keeps_the_last_picture(tmp_path):
    from crisis_triage.protocol.centre import load_centre
    from crisis_triage.store.centre_link import CentreLink
    from crisis_triage.store.sqlite import SqliteJournal
    from crisis_triage.tui.board_app import BoardApp
    from tests.tui.board_helpers import FIXTURE_CENTRE, centre_in_progress
    from tests.tui.helpers import FixedClock, boston, panel

    records, _ = centre_in_progress(tmp_path)
    centre = load_centre(FIXTURE_CENTRE, boston())
    clock = FixedClock()

    def unreachable():
        raise OSError("connection refused")

    link = CentreLink(unreachable, centre, console_id="board", clock=clock)
    app = BoardApp(boston(), centre, link, lambda: SqliteJournal(records), supervisor="sam", clock=clock)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.pause()
        assert len(app.picture.calls) == 5  # the calls still read from the records
        await pilot.press("c")  # a consultation kept locally, sent when the store is back
        await pilot.pause()
        assert link.pending == 1
        assert panel(app, "#offline") == " Centre store offline since 12:00 — showing the last known picture"
