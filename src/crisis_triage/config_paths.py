"""Where the console's settings and data live: the config file and the data folder.

Kept apart from :mod:`crisis_triage.config` (the settings model, pydantic) so that a launch painted
from a snapshot (tui/launch.py) finds the config file without loading the model.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "crisis-triage"
ENV_PREFIX = "CRISIS_TRIAGE_"


def config_path() -> Path:
    """The config file in force: ``$CRISIS_TRIAGE_CONFIG`` or ``<user config dir>/config.toml``."""
    override = os.environ.get("CRISIS_TRIAGE_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def data_dir() -> Path:
    """Where the embedded record store lives: ``$CRISIS_TRIAGE_DATA_DIR`` or the user data dir."""
    override = os.environ.get("CRISIS_TRIAGE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
