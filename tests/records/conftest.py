"""Fixtures for the record tests: a throwaway PostgreSQL schema per test.

The server is the one at 127.0.0.1:5432 (user postgres, database test). When it cannot be reached
the PostgreSQL tests are skipped with the reason, except in CI (env CI set), where they fail.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # records_helpers, for the tests and the kill driver

PG_BASE = os.environ.get("CRISIS_TRIAGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _reachable() -> str | None:
    """None if the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable" here
        return f"{type(exc).__name__}: {exc}".strip()


@pytest.fixture(autouse=True)
def _private_temp_dir(tmp_path_factory, monkeypatch):
    """The journal's second fallback folder is in the temp folder: keep it inside the test's own."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tempdir")))


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
    from crisis_triage.records.postgres_store import PostgresStore

    schema = f"ct_test_{uuid.uuid4().hex[:12]}"
    url = f"{pg_server}?schema={schema}"
    yield url
    store = PostgresStore(url)
    try:
        store.drop_schema()
    finally:
        store.close()
