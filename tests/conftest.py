"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crisis_triage.protocol import Protocol, load_protocol

ROOT = Path(__file__).resolve().parents[1]
BOSTON_PATH = ROOT / "protocols" / "boston-mh-crisis.yaml"
#: Tests that pin engine mechanics to exact questions (order, revisions, scores) use the frozen 2026.11.1
#: version (fixture ``boston_2026_11``, or override ``boston`` in their module), so a clinical edit of
#: the shipped file does not rewrite them.
BOSTON_2026_11_PATH = ROOT / "protocols" / "history" / "boston-mh-crisis-2026.11.1.yaml"
BOSTON_TZ = ZoneInfo("America/New_York")


@pytest.fixture(scope="session")
def boston() -> Protocol:
    """The shipped Boston protocol, loaded once."""
    return load_protocol(BOSTON_PATH)


@pytest.fixture(scope="session")
def shipped() -> Protocol:
    """The shipped Boston protocol, under a name no module overrides."""
    return load_protocol(BOSTON_PATH)


@pytest.fixture(scope="session")
def boston_2026_11() -> Protocol:
    """The Boston protocol as of 2026.11.1 (frozen in protocols/history/), loaded once."""
    return load_protocol(BOSTON_2026_11_PATH)


@pytest.fixture(scope="session")
def boston_2026_11_text() -> str:
    return BOSTON_2026_11_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def boston_text() -> str:
    return BOSTON_PATH.read_text(encoding="utf-8")


@pytest.fixture
def noon() -> datetime:
    """A fixed, timezone-aware moment inside every service's hours."""
    return datetime(2026, 3, 10, 12, 0, tzinfo=BOSTON_TZ)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's config, data or logs."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("CRISIS_TRIAGE_CONFIG", str(base / "config.toml"))
    monkeypatch.setenv("CRISIS_TRIAGE_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("CRISIS_TRIAGE_LOG_DIR", str(base / "logs"))


# PostgreSQL: the server at 127.0.0.1:5432 (user postgres, database test). When it cannot be reached
# the tests that need it are skipped with the reason, except in CI (env CI set), where they fail.
PG_BASE = os.environ.get("CRISIS_TRIAGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _reachable() -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()


@pytest.fixture(scope="session")
def pg_server() -> str:
    problem = _reachable()
    if problem is not None:
        message = f"PostgreSQL at {PG_BASE} is unreachable ({problem})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(f"{message}; start it or set CRISIS_TRIAGE_TEST_PG (these tests fail instead of skipping in CI)")
    return PG_BASE


@pytest.fixture
def pg_url(pg_server):
    """A store URL with a schema of its own, dropped after the test."""
    from crisis_triage.store.postgres import PostgresStore

    schema = f"ct_test_{uuid.uuid4().hex[:12]}"
    url = f"{pg_server}?schema={schema}"
    yield url
    store = PostgresStore(url)
    try:
        store.drop_schema()
    finally:
        store.close()
