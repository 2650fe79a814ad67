"""Console settings: a TOML file under the user's config directory, overridden by environment.

Precedence (highest first): values passed in code (CLI options) > ``CRISIS_TRIAGE_*`` environment
variables > the config file > defaults. ``CRISIS_TRIAGE_CONFIG`` points at another config file
(tests use it to keep to their own temporary folder).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .config_paths import (
    APP_NAME as APP_NAME,  # re-exported: where they were first
    ENV_PREFIX as ENV_PREFIX,
    config_path as config_path,
    data_dir as data_dir,
)
from .untrusted import (
    INPUT_FAILURES,
    MAX_CONFIG_BYTES,
    UntrustedInputError,
    check_plain,
    decode_utf8,
    describe_failure,
    load_json,
    read_bounded,
)


class SettingsError(ValueError):
    """The config file cannot be read (bad TOML, unreadable); the message names the file."""


def file_values(path: Path | None = None) -> dict[str, Any]:
    """The config file's values (empty when there is no file).

    Read through the bounded reader: a device (``/dev/zero``), a file over 1 MB, bytes that are not
    UTF-8, numbers too long to convert or nesting too deep are a :class:`SettingsError` naming the
    file (and the line when known), never a crash.
    """
    import tomllib

    path = path or config_path()
    if not os.path.lexists(path):
        return {}
    try:
        text = decode_utf8(read_bounded(path, MAX_CONFIG_BYTES, "config file"), "config file")
        values = tomllib.loads(text)
        check_plain(values, "config file")
    except UntrustedInputError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        raise SettingsError(f"the config cannot be read: {where}: {exc.message}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"the config cannot be read: {path}: {exc}") from None
    except INPUT_FAILURES as exc:
        raise SettingsError(f"the config cannot be read: {path}: {describe_failure(exc)}") from None
    return values


def env_values(fields: dict[str, Any]) -> dict[str, Any]:
    """``CRISIS_TRIAGE_<FIELD>`` variables; mappings are given as JSON (``{"interrupt": "f12"}``).

    A bad value is a :class:`SettingsError` naming the variable (not the config file)."""
    values: dict[str, Any] = {}
    for name, field in fields.items():
        variable = ENV_PREFIX + name.upper()
        raw = os.environ.get(variable)
        if raw is None:
            continue
        if field.annotation is dict or getattr(field.annotation, "__origin__", None) is dict:
            try:
                values[name] = load_json(raw, what="value")
            except UntrustedInputError as exc:
                raise SettingsError(f"the environment variable {variable}: expected JSON ({exc.message})") from None
        else:
            if len(raw) > 4096:
                raise SettingsError(f"the environment variable {variable} is {len(raw):,} characters; at most 4,096")
            values[name] = raw
    return values


def setting_origin(name: str, overrides: dict[str, Any] | None = None) -> str:
    """Where the value of setting ``name`` came from, for an error message: an option, an environment
    variable or the config file (the highest-precedence source that sets it)."""
    if overrides and overrides.get(name) is not None:
        return f"the option --{name.replace('_', '-')}"
    variable = ENV_PREFIX + name.upper()
    if variable in os.environ:
        return f"the environment variable {variable}"
    return f"the config file {config_path()}"


def settings_problems(settings: Settings) -> list[tuple[str, str]]:
    """Settings that load but cannot be used, as (setting, what is wrong): checked before a command starts."""
    problems = []
    store = settings.store
    if store and store.split(":", 1)[0] not in ("postgresql", "postgres"):
        problems.append(("store", "expected a postgresql:// URL, or nothing for this console's local file"))
    return problems


class Settings(BaseModel):
    """Everything a console can be configured with.

    ``Settings(**values)`` reads the config file and the environment, then applies ``values`` on top.
    (A plain pydantic model with two small sources rather than pydantic-settings: the console starts
    ~0.1 s faster, and start-up time is what a call-taker waits through.)
    """

    # Field docstrings are read by ``field_docs`` when ``crisis-triage config`` asks, not at import:
    # pydantic's use_attribute_docstrings parses this file's source on every start (~25 ms).
    model_config = ConfigDict(extra="ignore")

    def __init__(self, **values: Any) -> None:
        merged = {**file_values(), **env_values(type(self).model_fields), **values}
        super().__init__(**merged)

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
    centre: str | None = None
    """The centre file (units per response model, e.g. protocols/boston-centre.yaml): with it, teams'
    availability is shared through the record store; empty means availability per call, as marked with F8."""
    retention_days: int = Field(default=365 * 7, ge=1, le=36500)
    """Records older than this are removed by ``crisis-triage records purge``."""
    theme: str = "textual-dark"
    """Console theme: textual-dark, textual-light or crisis-high-contrast."""
    keys: dict[str, str] = {}
    """Key remapping by binding id, e.g. {"interrupt": "f2", "notes": "ctrl+n"}."""
    eido_listen: str | None = None
    """HOST:PORT where the console (and ``eido serve``) serves calls as NENA EIDOs to CAD systems;
    empty: the console serves nothing."""
    eido_token: str | None = None
    """The access token CAD systems must send (Authorization: Bearer); nothing is served without one.
    Prefer the CRISIS_TRIAGE_EIDO_TOKEN environment variable to writing it in the file."""
    eido_tls_cert: str | None = None
    """Certificate file for TLS (wss:// and https://); with eido_tls_key."""
    eido_tls_key: str | None = None
    """Private key file for eido_tls_cert."""
    eido_tls_client_ca: str | None = None
    """CA file: CAD systems must present a client certificate it signed (mutual TLS)."""
    eido_inbox_subscribe: str | None = None
    """ws:// or wss:// URL of another system's EIDO notifier (a PSAP, a 988 centre, a CAD): the console
    subscribes to it while it runs and keeps the incidents it sends in the EIDO inbox (as
    ``eido subscribe URL --inbox`` does); empty: no subscription."""
    eido_inbox_token: str | None = None
    """The access token that notifier expects (its own, not eido_token, which CADs send to us).
    Prefer the CRISIS_TRIAGE_EIDO_INBOX_TOKEN environment variable to writing it in the file."""
    eido_inbox_filter: str | None = None
    """A qualFilter (JSONPath) asking that notifier for only some incidents, e.g. those transferred
    to this centre; empty: every incident it sends."""


def field_docs() -> dict[str, str]:
    """Each setting's docstring (the text under it in :class:`Settings`), for ``crisis-triage config``."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Settings))
    docs: dict[str, str] = {}
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef)  # the source of a class is that class
    body = cls.body
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def load_settings(**overrides: Any) -> Settings:
    """Settings in force, with ``overrides`` (CLI options) on top; ``None`` overrides are ignored."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
