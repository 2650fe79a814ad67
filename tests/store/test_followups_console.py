"""A console with a centre store on PostgreSQL (issue 12): a status another console records reaches
this console's open call; the follow-up queue screen reads and records in the centre store."""

from __future__ import annotations

from datetime import timedelta

from crisis_triage.config import Settings
from crisis_triage.engine.events import CallEnded, HandoffEnded, RecommendationAccepted
from crisis_triage.engine.events_response import FollowUpAttempted, ResponseStatusChanged
from crisis_triage.store.followups import load_queue
from crisis_triage.store.opening import open_journal
from crisis_triage.store.outside import record_outside
from crisis_triage.store.postgres import PostgresStore
from tests.tui.helpers import FixedClock, make_app, run_async, screen_text


def _settings(pg_url: str) -> Settings:
    return Settings(district="B2", console_id="console-7", call_taker_id="ct-042", store=pg_url)


@run_async
async def test_a_status_from_another_console_reaches_the_open_call_through_the_centre(tmp_path, pg_url):
    journal = open_journal(_settings(pg_url), folder=tmp_path / "console", idle_poll_s=0.01)
    centre = PostgresStore(pg_url)
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self", settings=_settings(pg_url))
    try:
        async with app.run_test(size=(140, 45)) as pilot:
            call = app.call_screen()
            assert call.record(RecommendationAccepted(at=clock.at, model="co_response", recommended="co_response"))
            assert journal.shipper.wait_until_shipped(20)
            clock.at += timedelta(minutes=9)
            # Another console of the centre records the team on scene, in the centre store.
            record_outside(
                centre,
                app.protocol,
                "call-1",
                [ResponseStatusChanged(at=clock.at, status="on_scene", source="console-b")],
            )
            alerts = app.response_alerts
            alerts.refresh()
            assert alerts.pull_centre() == 1
            assert alerts.pull_centre() == 0  # idempotent by event id
            alerts.refresh()
            await pilot.pause()
            assert call.session.state.after.status == "on_scene"
            assert "on scene 12:09 (console-b)" in screen_text(app)
        # The console's own record holds it too (a resume sees it), once.
        assert [e.kind for e in journal.events("call-1")].count("response_status") == 1
    finally:
        journal.close()
        centre.close()


@run_async
async def test_the_queue_screen_reads_and_records_in_the_centre_store(tmp_path, pg_url):
    journal = open_journal(_settings(pg_url), folder=tmp_path / "console", idle_poll_s=0.01)
    centre = PostgresStore(pg_url)
    clock = FixedClock()
    app = make_app(journal=journal, clock=clock, door="self", settings=_settings(pg_url))
    try:
        async with app.run_test(size=(150, 50)) as pilot:
            call = app.call_screen()
            assert call.record(RecommendationAccepted(at=clock.at, model="call_line", recommended="call_line"))
            assert call.record(HandoffEnded(at=clock.at, outcome="accepted"))
            assert call.record(CallEnded(at=clock.at, outcome="handoff_completed"))
            assert journal.shipper.wait_until_shipped(20)
            await pilot.pause()
            app.show_home()
            await pilot.pause()
            await pilot.press("f")
            await pilot.pause()
            assert "0 overdue, 1 due, 0 done" in screen_text(app)
            clock.at += timedelta(hours=3)
            await pilot.press("s")
            await pilot.pause()
            assert "0 overdue, 0 due, 1 done" in screen_text(app)
        # Recorded in the centre store, where every console's queue reads it.
        (item,) = load_queue(centre, clock.at)
        assert item.status(clock.at) == "done" and item.last_outcome == "reached_safe"
        attempts = [e for e in centre.events("call-1") if isinstance(e, FollowUpAttempted)]
        assert [a.by for a in attempts] == ["ct-042"]
    finally:
        journal.close()
        centre.close()
