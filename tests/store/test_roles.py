"""PostgreSQL roles: each of call-taker, supervisor and evaluator is refused what it must not do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import psycopg
import pytest

from crisis_triage.engine import Answered, CallStarted
from crisis_triage.protocol.centre import load_centre
from crisis_triage.store.availability_pg import PostgresAvailability
from crisis_triage.store.journal import CallMeta, StoredEvent
from crisis_triage.store.postgres import PostgresStore
from crisis_triage.store.roles import RoleNames, apply_roles, map_console
from crisis_triage.store.rows import to_row
from tests.conftest import ROOT

pytestmark = pytest.mark.postgres

AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def _as(url: str, role: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}").geturl()


def _rows(console: str, call_id: str, name: str) -> list[dict]:
    meta = CallMeta(call_id, console, "taker", "boston_mh_crisis", "1", "sha")
    events = [CallStarted(at=AT, door="family", line="e911"), Answered(at=AT, question="caller_name", value=name)]
    return [to_row(meta, StoredEvent(f"{call_id}-{n}", call_id, n, e)) for n, e in enumerate(events)]


@pytest.fixture
def centre_roles(pg_url, boston):
    """Group roles of this test's own (roles are server-wide), one login each, console-1 mapped to the call-taker."""
    tag = f"ct{uuid.uuid4().hex[:8]}"
    names = RoleNames(f"{tag}_call_takers", f"{tag}_supervisors", f"{tag}_evaluators")
    logins = {"call_taker": f"{tag}_console_1", "supervisor": f"{tag}_sam", "evaluator": f"{tag}_eve"}
    records = PostgresStore(pg_url)
    records.insert_rows(_rows("console-1", "c1", "Ana Souza") + _rows("console-2", "c2", "Rosa Lima"))
    records.close()
    availability = PostgresAvailability(pg_url)
    availability.register_units(load_centre(ROOT / "tests" / "fixtures" / "centre.yaml", boston))
    availability.close()
    apply_roles(pg_url, names)
    admin = psycopg.connect(urlsplit(pg_url)._replace(query="").geturl(), autocommit=True)
    for kind, group in (
        ("call_taker", names.call_takers),
        ("supervisor", names.supervisors),
        ("evaluator", names.evaluators),
    ):
        admin.execute(f"CREATE ROLE {logins[kind]} LOGIN IN ROLE {group}")
    map_console(pg_url, logins["call_taker"], "console-1")
    yield {kind: _as(pg_url, role) for kind, role in logins.items()}
    PostgresStore(pg_url).drop_schema()
    for role in [*logins.values(), names.call_takers, names.supervisors, names.evaluators]:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
    admin.close()


def _names_seen(url: str) -> set[str]:
    store = PostgresStore(url)
    try:
        return {
            r["name"]
            for r in store._rows(f"SELECT event->>'value' AS name FROM {store.schema}.events WHERE kind = 'answered'")
        }
    finally:
        store.close()


def test_a_call_taker_reads_only_its_own_consoles_callers(centre_roles):
    assert _names_seen(centre_roles["call_taker"]) == {"Ana Souza"}
    assert _names_seen(centre_roles["supervisor"]) == {"Ana Souza", "Rosa Lima"}


def test_a_call_taker_ships_its_own_events_and_cannot_write_another_consoles(centre_roles):
    store = PostgresStore(centre_roles["call_taker"])
    try:
        assert store.insert_rows(_rows("console-1", "c3", "Jo")) == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            store.insert_rows(_rows("console-2", "c4", "Jo"))
    finally:
        store.close()


def test_a_call_taker_shares_availability_but_cannot_read_the_evaluators_view(centre_roles):
    store = PostgresAvailability(centre_roles["call_taker"])
    try:
        assert store.claim("c1", [("a1_car", None)], at=AT).unit_id == "a1_car"
        store.set_out_of_service("alt_1", "flat tyre", at=AT)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            store.connection().execute(f"SELECT * FROM {store.schema}.deidentified_calls")
    finally:
        store.close()


def test_an_evaluator_reads_the_deidentified_view_only(centre_roles):
    store = PostgresStore(centre_roles["evaluator"])
    try:
        rows = store._rows(f"SELECT * FROM {store.schema}.deidentified_calls")
        assert len(rows) == 2 and all("Ana" not in str(r) and "console" not in str(r) for r in rows)
        for table in ("events", "calls", "assignments", "units", "console_roles"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                store._rows(f"SELECT * FROM {store.schema}.{table}")
            store.close()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            store.insert_rows(_rows("console-1", "c9", "X"))
    finally:
        store.close()


def test_a_supervisor_records_consultations_and_cannot_rewrite_events(centre_roles):
    store = PostgresAvailability(centre_roles["supervisor"])
    try:
        store.record_consultation("c1", "sam", at=AT)
        assert [c.call_id for c in store.consultations()] == ["c1"]
        conn = store.connection()
        for sql in (f"DELETE FROM {store.schema}.events", f"UPDATE {store.schema}.events SET kind = 'x'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(sql)
    finally:
        store.close()
