"""Shared availability on both backends: claims, statuses, out of service, races decided by one transaction."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from crisis_triage.protocol.centre import load_centre
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.store.availability import AvailabilityError
from crisis_triage.store.availability_pg import PostgresAvailability
from crisis_triage.store.availability_sqlite import SqliteAvailability
from tests.conftest import BOSTON_PATH, ROOT

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def centre():
    return load_centre(ROOT / "tests" / "fixtures" / "centre.yaml", load_protocol(BOSTON_PATH))


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request, tmp_path, centre):
    """A function opening a new connection to one shared availability store (one per console)."""
    if request.param == "sqlite":
        path = tmp_path / "centre.sqlite3"

        def open_sqlite():
            return SqliteAvailability(path, poll_s=0.02)

        made = open_sqlite
    else:
        url = request.getfixturevalue("pg_url")

        def open_pg():
            return PostgresAvailability(url, poll_s=0.02)

        made = open_pg
    first = made()
    first.register_units(centre)
    first.close()
    return made


def test_a_claim_takes_a_free_unit_and_a_second_call_is_told_who_holds_it(opener):
    store = opener()
    won = store.claim("1234", [("a1_car", NOW + timedelta(minutes=38))], at=NOW, console_id="console-1")
    assert won.unit_id == "a1_car" and not won.already_held
    lost = store.claim("5678", [("a1_car", None)], at=NOW)
    assert lost.unit_id is None
    (holder,) = lost.states.on_unit("a1_car")
    assert (holder.call_id, holder.console_id, holder.expected_clear) == (
        "1234",
        "console-1",
        NOW + timedelta(minutes=38),
    )
    again = store.claim("1234", [("a1_car", None)], at=NOW)
    assert again.unit_id == "a1_car" and again.already_held
    assert len(store.snapshot().on_unit("a1_car")) == 1  # accepting twice is never two dispatches


def test_statuses_move_a_unit_and_cleared_frees_it(opener):
    store = opener()
    store.claim("1", [("a1_car", None)], at=NOW)
    assert store.set_status("1", "a1_car", "en_route", at=NOW)
    assert store.snapshot().on_unit("a1_car")[0].status == "en_route"
    assert store.set_status("1", "a1_car", "cleared", at=NOW)
    assert store.snapshot().on_unit("a1_car") == []
    assert not store.set_status("1", "a1_car", "on_scene", at=NOW)  # no longer on that call
    with pytest.raises(AvailabilityError, match="expected one of"):
        store.set_status("1", "a1_car", "parked", at=NOW)
    assert store.claim("2", [("a1_car", None)], at=NOW).unit_id == "a1_car"


def test_out_of_service_with_a_reason_blocks_claims_until_returned(opener):
    store = opener()
    store.set_out_of_service("alt_1", "flat tyre", at=NOW, expected_return=NOW + timedelta(hours=1), by="supervisor")
    states = store.snapshot()
    assert states.out_of_service["alt_1"].reason == "flat tyre"
    assert store.claim("1", [("alt_1", None), ("alt_2", None)], at=NOW).unit_id == "alt_2"
    assert store.claim("2", [("alt_1", None), ("alt_2", None)], at=NOW).unit_id is None
    assert store.return_to_service("alt_1")
    assert store.claim("2", [("alt_1", None), ("alt_2", None)], at=NOW).unit_id == "alt_1"
    with pytest.raises(AvailabilityError, match="why"):
        store.set_out_of_service("alt_2", "  ", at=NOW)
    with pytest.raises(AvailabilityError, match="unknown unit"):
        store.set_out_of_service("zz", "gone", at=NOW)


def test_capacity_lets_the_call_line_take_as_many_calls_as_it_has_counsellors(opener):
    store = opener()
    assert [store.claim(str(n), [("call_line", None)], at=NOW).unit_id for n in range(3)] == [
        "call_line",
        "call_line",
        None,
    ]
    assert store.release_call("0", at=NOW) == 1
    assert store.claim("3", [("call_line", None)], at=NOW).unit_id == "call_line"


def test_a_change_wakes_a_watcher_on_another_connection(opener):
    watcher, writer = opener(), opener()
    seen = watcher.version()
    woke: list[int] = []
    thread = threading.Thread(target=lambda: woke.append(watcher.wait_for_change(seen, 20)))
    thread.start()
    writer.set_out_of_service("alt_2", "crew break", at=NOW)
    thread.join(30)
    assert woke and woke[0] > seen
    assert "alt_2" in watcher.snapshot().out_of_service


def test_a_supervisor_consultation_is_kept_once(opener):
    store = opener()
    store.record_consultation("1234", "sup-a", at=NOW)
    store.record_consultation("1234", "sup-a", at=NOW)
    assert [(c.call_id, c.supervisor) for c in store.consultations()] == [("1234", "sup-a")]


def _race(opener, consoles: int, rounds: int) -> list[int]:
    """``consoles`` threads, each with its own connection, race for alt_1 and alt_2 ``rounds`` times.

    Returns the number of calls that got a unit in each round (2 when the transaction decides well).
    """
    stores = [opener() for _ in range(consoles)]
    start, done = threading.Barrier(consoles), threading.Barrier(consoles)
    results: list[list[tuple[str, str | None]]] = [[] for _ in range(rounds)]
    lock = threading.Lock()
    errors: list[BaseException] = []

    def console(index: int) -> None:
        store = stores[index]
        try:
            for round_ in range(rounds):
                start.wait(timeout=30)
                claim = store.claim(f"r{round_}-c{index}", [("alt_1", None), ("alt_2", None)], at=NOW, explain=False)
                with lock:
                    results[round_].append((f"r{round_}-c{index}", claim.unit_id))
                done.wait(timeout=30)
                if claim.unit_id is not None:  # the winners clear their unit for the next round
                    store.set_status(f"r{round_}-c{index}", claim.unit_id, "cleared", at=NOW)
        except BaseException as exc:  # surfaced below: a broken barrier must fail the test, not hang it
            errors.append(exc)
            start.abort()
            done.abort()

    threads = [threading.Thread(target=console, args=(i,)) for i in range(consoles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for store in stores:
        store.close()
    assert not errors, errors[0]
    for round_ in results:
        winners = [unit for _, unit in round_ if unit is not None]
        assert len(winners) == len(set(winners)), f"a unit was given twice: {round_}"
    return [sum(1 for _, unit in round_ if unit is not None) for round_ in results]


def _connected(store: PostgresAvailability) -> PostgresAvailability:
    """Open the store's connection now, waiting while the shared test server is full of other tests' clients."""
    import time

    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            store.connection()
            return store
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_forty_consoles_racing_for_two_units_a_thousand_times_never_double_book(pg_url, centre):
    def open_pg():
        return _connected(PostgresAvailability(pg_url))

    first = open_pg()
    first.register_units(centre)
    first.close()
    assert _race(open_pg, consoles=40, rounds=1000) == [2] * 1000


def test_consoles_racing_on_the_embedded_store_never_double_book(tmp_path, centre):
    def open_sqlite():
        return SqliteAvailability(tmp_path / "centre.sqlite3")

    open_sqlite().register_units(centre)
    assert _race(open_sqlite, consoles=4, rounds=50) == [2] * 50


def test_a_response_status_reported_for_a_call_moves_its_field_units_not_the_call_line_seat(opener):
    store = opener()
    store.claim("1", [("call_line", None)], at=NOW)  # handed off, then a team sent as well
    store.claim("1", [("alt_1", None)], at=NOW)
    assert store.follow_response("1", "contact_made", at=NOW, except_models=["call_line"]) == 1
    assert {a.unit_id: a.status for a in store.snapshot().of_call("1")} == {
        "call_line": "dispatched",
        "alt_1": "on_scene",
    }
    assert store.follow_response("1", "assigned", at=NOW) == 0  # no unit meaning
    assert store.follow_response("1", "cleared", at=NOW, except_models=["call_line"]) == 1
    assert [a.unit_id for a in store.snapshot().of_call("1")] == ["call_line"]
    assert store.follow_response("1", "cleared", at=NOW) == 1  # nothing excepted: the seat too
    assert store.snapshot().assignments == ()
