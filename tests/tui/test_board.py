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
        assert {c.call_id for c in app.picture.calls} == {"101", "102", "103"}
        assert _alert_kinds(app) == {
            ("imminent", "101"),
            ("time", "101"),
            ("departure", "102"),
            ("contact", "103"),
            ("out_of_service", "alt_2"),
        }
        states = {u.unit_id: u.state for u in app.picture.units}
        assert states == {"a1_car": "dispatched", "alt_1": "free", "alt_2": "out of service", "call_line": "free"}
        assert [c.call_id for c in app._visible_calls()] == ["101", "103", "102"]  # highest risk first


@run_async
async def test_sort_and_filter_by_key(tmp_path):
    app = make_board(tmp_path)
    async with app.run_test(size=(140, 36)) as pilot:
        await pilot.press("s")
        assert app.sort == "time" and [c.call_id for c in app._visible_calls()] == ["103", "101", "102"]
        await pilot.press("f")
        assert app.filter == "alerts"
        await pilot.press("f")
        assert [c.call_id for c in app._visible_calls()] == ["101"]  # questioning only


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
        await pilot.press("up", "e")  # the A1 car reports on scene: contact confirmed
        await pilot.pause()
        assert ("contact", "103") not in _alert_kinds(app)
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


def test_board_snapshot(tmp_path, snap_compare):
    assert snap_compare(make_board(tmp_path), terminal_size=(140, 30))


def test_wall_snapshot(tmp_path, snap_compare):
    assert snap_compare(make_board(tmp_path, wall=True), terminal_size=(140, 30))
