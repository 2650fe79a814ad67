"""A small centre in progress for the board's tests: calls in a local journal, units in a local store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crisis_triage.engine import CallStarted, InterruptRecorded, RecommendationAccepted
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_sqlite import SqliteAvailability
from crisis_triage.store.centre_link import CentreLink
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.tui.board_app import BoardApp
from tests.tui.helpers import NOON, ROOT, FixedClock, boston

FIXTURE_CENTRE = ROOT / "tests" / "fixtures" / "centre.yaml"


def _call(journal, call_id: str, console: str, minutes_ago: int, district: str, *events) -> None:
    protocol = boston()
    at = NOON - timedelta(minutes=minutes_ago)
    meta = CallMeta(call_id, console, f"taker-{console[-1]}", protocol.id, protocol.version, protocol.sha256)
    journal.start_call(meta, CallStarted(at=at, door="family", line="e911", district=district))
    for event in events:
        journal.append(call_id, event(at + timedelta(minutes=1)))


def centre_in_progress(folder: Path) -> tuple[Path, Path]:
    """Three live calls on two consoles, the A1 car dispatched 20 minutes ago, one unit out of service."""
    records = folder / "records.sqlite3"
    journal = SqliteJournal(records)
    _call(journal, "101", "console-1", 9, "A1", lambda at: InterruptRecorded(at=at, interrupt="weapon_used"))
    _call(
        journal,
        "102",
        "console-2",
        3,
        "C6",
        lambda at: RecommendationAccepted(
            at=at, model="alternative_response", recommended="call_line", reason="caller asked for a visit"
        ),
    )
    _call(
        journal,
        "103",
        "console-1",
        21,
        "A1",
        lambda at: RecommendationAccepted(at=at, model="co_response", recommended="co_response"),
    )
    journal.close()
    availability = folder / "centre.sqlite3"
    store = SqliteAvailability(availability)
    store.register_units(load_centre(FIXTURE_CENTRE, boston()))
    store.claim("103", [("a1_car", NOON + timedelta(minutes=18))], at=NOON - timedelta(minutes=20))
    store.set_out_of_service(
        "alt_2", "flat tyre", at=NOON - timedelta(minutes=5), expected_return=NOON + timedelta(minutes=45)
    )
    store.close()
    return records, availability


def make_board(folder: Path, *, wall: bool = False) -> BoardApp:
    records, availability = centre_in_progress(folder)
    centre = load_centre(FIXTURE_CENTRE, boston())
    clock = FixedClock()
    link = CentreLink(lambda: SqliteAvailability(availability), centre, console_id="board", clock=clock)
    return BoardApp(boston(), centre, link, lambda: SqliteJournal(records), wall=wall, supervisor="sam", clock=clock)
