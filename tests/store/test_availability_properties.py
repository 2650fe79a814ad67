"""Never double-booked, as a property: any sequence of claims, clears and out-of-service marks.

The same sequence goes to the store's transaction (SQLite) and to a console deciding offline on its
own picture (:class:`CentreLink` with the store unreachable): no unit ever holds more calls than its
capacity, none out of service is given to a call, and both decide every claim the same way (the
console offline is told what the centre would have told it, given what it knows).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.protocol.centre import load_centre
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.store.availability_sqlite import SqliteAvailability
from crisis_triage.store.centre_link import CentreLink
from tests.conftest import BOSTON_PATH, ROOT

CENTRE = load_centre(ROOT / "tests" / "fixtures" / "centre.yaml", load_protocol(BOSTON_PATH))
UNITS = list(CENTRE.units)
CALLS = [f"call-{n}" for n in range(6)]
START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)

claims = st.tuples(
    st.just("claim"), st.sampled_from(CALLS), st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True)
)
clears = st.tuples(st.just("clear"), st.sampled_from(CALLS), st.sampled_from(UNITS))
outs = st.tuples(st.just("out"), st.sampled_from(UNITS))
backs = st.tuples(st.just("back"), st.sampled_from(UNITS))
operations = st.lists(st.one_of(claims, claims, clears, outs, backs), min_size=1, max_size=30)


def _unreachable():
    raise OSError("the centre store is down")


def _apply(target, operation, at: datetime):
    kind = operation[0]
    if kind == "claim":
        return target.claim(operation[1], [(u, None) for u in operation[2]], at=at).unit_id
    if kind == "clear":
        target.set_status(operation[1], operation[2], "cleared", at=at)
    elif kind == "out":
        target.set_out_of_service(operation[1], "property test", at=at)
    else:
        target.return_to_service(operation[1])
    return None


def _booked(states) -> set[tuple[str, str]]:
    return {(a.call_id, a.unit_id) for a in states.assignments}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_no_sequence_books_a_unit_past_its_capacity_online_or_offline(sequence):
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteAvailability(Path(folder) / "centre.sqlite3")
        offline = CentreLink(_unreachable, CENTRE, console_id="console-1", clock=lambda: START)
        try:
            store.register_units(CENTRE)
            for step, operation in enumerate(sequence):
                at = START + timedelta(seconds=step)
                before = _booked(store.snapshot())
                decided = _apply(store, operation, at)
                decided_offline = _apply(offline, operation, at)
                assert decided == decided_offline, (operation, decided, decided_offline)
                for states in (store.snapshot(), offline.states):
                    for unit_id, unit in CENTRE.units.items():
                        on = states.on_unit(unit_id)
                        assert len(on) <= unit.capacity, f"{unit_id} holds {len(on)} calls"
                    if decided is not None and (operation[1], decided) not in before:
                        # A new booking never goes to a unit out of service (one the call already
                        # held stays held: accepting again is not a second dispatch).
                        assert decided not in states.out_of_service
                assert _booked(store.snapshot()) == _booked(offline.states)
            assert offline.offline_since is not None  # the link never reached a store: all decided locally
        finally:
            store.close()
