"""Fixtures for the reporting tests (PostgreSQL fixtures live in tests/conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))  # records_helpers


@pytest.fixture(autouse=True)
def _private_temp_dir(tmp_path_factory, monkeypatch):
    """The journal's second fallback folder is in the temp folder: keep it inside the test's own."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tempdir")))
