"""Fixtures for the training tests: the shipped scenario library, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_triage.training.library import Library, load_library

SCENARIOS = Path(__file__).resolve().parents[2] / "protocols" / "scenarios"


@pytest.fixture(scope="session")
def library(boston) -> Library:
    return load_library(SCENARIOS, boston)


@pytest.fixture(scope="session")
def scenario(library):
    """Look a shipped scenario up by id."""

    def get(scenario_id: str):
        found = library.by_id(scenario_id)
        assert found is not None, scenario_id
        return found

    return get
