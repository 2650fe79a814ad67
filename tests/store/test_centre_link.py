"""Consoles linked to the centre: a change seen by the others, and the centre going down mid-shift.

The shared PostgreSQL server cannot be stopped by a test (other tests use it): the consoles reach it
through a local TCP proxy that the test stops and restarts, which cuts every connection and refuses
new ones exactly as a server going down does.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from records_helpers import call_script
from tcp_proxy import TcpProxy

from crisis_triage.config import Settings
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_pg import PostgresAvailability
from crisis_triage.store.centre_link import CentreLink, availability_opener
from crisis_triage.store.journal import CallMeta
from crisis_triage.store.opening import open_journal
from crisis_triage.store.postgres import PostgresStore
from tests.conftest import ROOT

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}").geturl()


def _until(condition, timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def centre(boston):
    return load_centre(ROOT / "tests" / "fixtures" / "centre.yaml", boston)


def _link(url: str, centre, console: str) -> CentreLink:
    return CentreLink(availability_opener(url), centre, console_id=console, clock=lambda: NOW).start()


def test_a_claim_on_one_console_is_seen_by_the_others(pg_url, centre):
    consoles = [_link(pg_url, centre, f"console-{n}") for n in range(3)]
    try:
        assert all(_until(lambda c=c: c.offline_since is None and c.states.version > 0) for c in consoles)
        claim = consoles[0].claim("1234", [("a1_car", None)], at=NOW)
        assert claim.unit_id == "a1_car"
        assert all(_until(lambda c=c: [a.call_id for a in c.states.on_unit("a1_car")] == ["1234"]) for c in consoles)
        lost = consoles[1].claim("5678", [("a1_car", None)], at=NOW)
        assert lost.unit_id is None and lost.states.on_unit("a1_car")[0].call_id == "1234"
    finally:
        for console in consoles:
            console.stop()


def test_centre_down_mid_shift_consoles_go_on_and_catch_up_with_nothing_lost_or_double_booked(
    tmp_path, boston, centre, pg_url
):
    proxy = TcpProxy(("127.0.0.1", urlsplit(pg_url).port or 5432)).start()
    via = _via(pg_url, proxy.port)
    PostgresStore(pg_url).connection()  # the record tables exist before the consoles start
    consoles = [_link(via, centre, f"console-{n}") for n in range(2)]
    journals = [
        open_journal(Settings(store=via), folder=tmp_path / f"c{n}", idle_poll_s=0.2, backoff_s=(0.05, 0.4))
        for n in range(2)
    ]
    written = 0
    try:
        assert all(_until(lambda c=c: c.states.version > 0) for c in consoles)
        assert consoles[0].claim("before", [("alt_1", None)], at=NOW).unit_id == "alt_1"
        assert all(_until(lambda c=c: c.states.on_unit("alt_1")) for c in consoles)

        proxy.stop()  # the centre's server goes down
        assert all(_until(lambda c=c: c.offline_since is not None) for c in consoles)
        # Both consoles take calls and dispatch the last free alternative unit, each knowing only itself.
        for n, (console, journal) in enumerate(zip(consoles, journals)):
            call_id = f"offline-{n}"
            events = call_script(boston, call_id)
            meta = CallMeta(call_id, f"console-{n}", "taker", boston.id, boston.version, boston.sha256, boston.file)
            journal.start_call(meta, events[0])
            for event in events[1:]:
                journal.append(call_id, event)
            written += len(events)
            claim = console.claim(call_id, [("alt_1", None), ("alt_2", None)], at=NOW)
            assert claim.unit_id == "alt_2"  # decided locally: alt_1 was busy before the outage
        assert [c.pending for c in consoles] == [1, 1]

        proxy.start()  # back
        assert all(_until(lambda c=c: c.offline_since is None and c.pending == 0, 30) for c in consoles)
        assert all(j.shipper.wait_until_shipped(60) for j in journals)
        store = PostgresAvailability(pg_url)
        try:
            on_alt_2 = store.snapshot().on_unit("alt_2")
        finally:
            store.close()
        assert len(on_alt_2) == 1  # never double-booked: the second claim is a conflict, not a booking
        conflicts = [conflict for console in consoles for conflict in console.conflicts]
        assert [(c.unit_id, c.holder) for c in conflicts] == [("alt_2", on_alt_2[0].call_id)]
        records = PostgresStore(pg_url)
        try:
            assert records.count() == (2, written)  # 0 events lost
        finally:
            records.close()
    finally:
        for console in consoles:
            console.stop()
        for journal in journals:
            journal.close()
        proxy.stop()


def test_the_board_reads_the_same_picture_from_postgresql(tmp_path, pg_url, centre, boston):
    """The board's calls and alerts from events consoles shipped to PostgreSQL (the follow-ups found
    through the server's own query), its units from the centre's tables."""
    from crisis_triage.store.live_calls import board_picture, read_live_calls
    from tests.tui.board_helpers import place_units, write_calls
    from tests.tui.helpers import NOON

    journal = open_journal(Settings(store=pg_url), folder=tmp_path, idle_poll_s=0.1, backoff_s=(0.05, 0.4))
    try:
        write_calls(journal)
        assert journal.shipper.wait_until_shipped(60)
    finally:
        journal.close()
    units = PostgresAvailability(pg_url)
    reader = PostgresStore(pg_url)
    try:
        place_units(units)
        states = units.snapshot()
        calls = read_live_calls(reader, now=NOON, keep={a.call_id for a in states.assignments})
        picture = board_picture(boston, centre, calls, states, set(), NOON)
    finally:
        units.close()
        reader.close()
    assert {c.call_id: c.state for c in picture.calls} == {
        "101": "questioning",
        "102": "en route",
        "103": "dispatched",
        "104": "follow-up due",
        "105": "follow-up due",
    }
    assert [(a.kind, a.subject) for a in picture.alerts][:3] == [
        ("imminent", "101"),
        ("contact", "103"),
        ("follow_up", "105"),
    ]
