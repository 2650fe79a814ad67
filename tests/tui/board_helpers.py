"""A small centre in progress for the board's tests: calls in a local journal, units in a local store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crisis_triage.engine import CallStarted, InterruptRecorded, RecommendationAccepted
from crisis_triage.engine.events import CallEnded, HandoffEnded
from crisis_triage.engine.events_response import DispositionRecorded, FollowUpScheduled, ResponseStatusChanged
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_sqlite import SqliteAvailability
from crisis_triage.store.centre_link import CentreLink
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.sqlite import SqliteJournal
from crisis_triage.tui.board_app import BoardApp
from tests.tui.helpers import NOON, ROOT, FixedClock, boston

FIXTURE_CENTRE = ROOT / "tests" / "fixtures" / "centre.yaml"


def _call(journal, call_id: str, console: str, minutes_ago: int, district: str, *events) -> None:
    """A call started ``minutes_ago``; each event is a function of its time, one minute in, or
    ``(minutes in, function)``."""
    protocol = boston()
    at = NOON - timedelta(minutes=minutes_ago)
    meta = CallMeta(call_id, console, f"taker-{console[-1]}", protocol.id, protocol.version, protocol.sha256)
    journal.start_call(meta, CallStarted(at=at, door="family", line="e911", district=district))
    for event in events:
        minutes, make = event if isinstance(event, tuple) else (1, event)
        journal.append(call_id, make(at + timedelta(minutes=minutes)))


def write_calls(journal) -> None:
    """The calls of :func:`centre_in_progress`, into any journal (SQLite here, a console shipping to PostgreSQL)."""
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
        (2, lambda at: ResponseStatusChanged(at=at, status="en_route", source="dispatch system")),
    )
    _call(
        journal,
        "103",
        "console-1",
        25,
        "A1",
        lambda at: RecommendationAccepted(at=at, model="co_response", recommended="co_response"),
    )
    _call(  # the team resolved it; the caring contact is owed tomorrow
        journal,
        "104",
        "console-2",
        90,
        "C6",
        lambda at: RecommendationAccepted(at=at, model="alternative_response", recommended="alternative_response"),
        (2, lambda at: CallEnded(at=at, outcome="dispatched")),
        (30, lambda at: ResponseStatusChanged(at=at, status="contact_made")),
        (60, lambda at: DispositionRecorded(at=at, code="resolved_on_scene")),
        (60, lambda at: FollowUpScheduled(at=at, rule="caring_contact", due=NOON + timedelta(hours=22))),
    )
    _call(  # handed to the call line, who asked for a team: the check is overdue
        journal,
        "105",
        "console-1",
        150,
        "B2",
        lambda at: RecommendationAccepted(at=at, model="call_line", recommended="call_line"),
        (10, lambda at: HandoffEnded(at=at, outcome="accepted")),
        (12, lambda at: CallEnded(at=at, outcome="handoff_completed")),
        (12, lambda at: FollowUpScheduled(at=at, rule="team_requested_check", due=NOON - timedelta(minutes=18))),
    )
    _call(  # over and done: not on the board
        journal,
        "106",
        "console-2",
        60,
        "C6",
        lambda at: RecommendationAccepted(at=at, model="call_line", recommended="call_line"),
        (10, lambda at: HandoffEnded(at=at, outcome="accepted")),
        (12, lambda at: CallEnded(at=at, outcome="handoff_completed")),
    )


def centre_in_progress(folder: Path) -> tuple[Path, Path]:
    """Three live calls on two consoles, the A1 car dispatched 24 minutes ago (past co-response's 20-minute
    contact window), one unit out of service; two ended calls still owing a follow-up (one overdue), one
    ended call owing nothing."""
    records = folder / "records.sqlite3"
    journal = SqliteJournal(records)
    write_calls(journal)
    journal.close()
    availability = folder / "centre.sqlite3"
    store = SqliteAvailability(availability)
    place_units(store)
    store.close()
    return records, availability


def place_units(store) -> None:
    """The units of :func:`centre_in_progress`, in any availability store."""
    store.register_units(load_centre(FIXTURE_CENTRE, boston()))
    store.claim("103", [("a1_car", NOON + timedelta(minutes=14))], at=NOON - timedelta(minutes=24))
    store.claim("102", [("alt_1", NOON + timedelta(minutes=38))], at=NOON - timedelta(minutes=2))
    store.set_out_of_service(
        "alt_2", "flat tyre", at=NOON - timedelta(minutes=5), expected_return=NOON + timedelta(minutes=45)
    )


def make_board(folder: Path, *, wall: bool = False) -> BoardApp:
    records, availability = centre_in_progress(folder)
    centre = load_centre(FIXTURE_CENTRE, boston())
    clock = FixedClock()
    link = CentreLink(lambda: SqliteAvailability(availability), centre, console_id="board", clock=clock)
    return BoardApp(boston(), centre, link, lambda: SqliteJournal(records), wall=wall, supervisor="sam", clock=clock)
