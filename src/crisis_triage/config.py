"""Console settings: a TOML file under the user's config directory, overridden by environment.

Precedence (highest first): values passed in code (CLI options) > ``CRISIS_TRIAGE_*`` environment
variables > the config file > defaults. ``CRISIS_TRIAGE_CONFIG`` points at another config file
(tests use it to keep to their own temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

APP_NAME = "crisis-triage"


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


class Settings(BaseSettings):
    """Everything a console can be configured with."""

    model_config = SettingsConfigDict(env_prefix="CRISIS_TRIAGE_", extra="ignore", use_attribute_docstrings=True)

    console_id: str = "console-1"
    """This console's id, stored with every call event."""
    call_taker_id: str = "unassigned"
    """The call-taker signed in at this console, stored with every call event."""
    protocol: str | None = None
    """Default protocol file; empty means the shipped Boston protocol."""
    district: str | None = None
    """Default district for new calls (a district code of the protocol)."""
    language: str = "en"
    """Default caller language for new calls."""
    store: str | None = None
    """Record store: empty for the embedded SQLite file under the data directory, or a
    ``postgresql://`` URL for a centre's shared store (events are journalled locally first)."""
    retention_days: int = Field(default=365 * 7, ge=1)
    """Records older than this are removed by ``crisis-triage records purge``."""
    theme: str = "textual-dark"
    """Console theme: textual-dark, textual-light or crisis-high-contrast."""
    keys: dict[str, str] = {}
    """Key remapping by binding id, e.g. {"interrupt": "f2", "notes": "ctrl+n"}."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path()))


def load_settings(**overrides: Any) -> Settings:
    """Settings in force, with ``overrides`` (CLI options) on top; ``None`` overrides are ignored."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
