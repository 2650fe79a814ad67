"""Fixtures shared by every test folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crisis_triage.protocol import Protocol, load_protocol

ROOT = Path(__file__).resolve().parents[1]
BOSTON_PATH = ROOT / "protocols" / "boston-mh-crisis.yaml"
BOSTON_TZ = ZoneInfo("America/New_York")


@pytest.fixture(scope="session")
def boston() -> Protocol:
    """The shipped Boston protocol, loaded once."""
    return load_protocol(BOSTON_PATH)


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
