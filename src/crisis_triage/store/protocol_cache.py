"""A cache of compiled protocols, so the console does not parse and check the same file at every start.

Reading, checking and compiling the shipped protocol costs ~50 ms of CPU at every start (YAML with
positions, the schema, ~130 conditions, ~20 templates). A protocol that loaded without a problem is
kept here, compiled, keyed by the sha256 of the file's bytes, the package version, the Python
version and this format's number, so a changed file, another release or another interpreter never
reads an old entry.

What makes it safe to use:

- the file is always read and hashed: an entry is found only for exactly the bytes that were checked
  when it was written, by this same version of the checker (only a protocol that loaded cleanly is
  ever written);
- each entry carries the sha256 of its own payload, verified before anything is unpickled, and the
  protocol read back must name the same file and digest; on any mismatch or error the protocol is
  loaded in full (and the entry rewritten), so the cache can only make a start faster, never change
  what is loaded; reading an entry resolves only the protocol package's classes, condition-tree nodes
  and this module's three rebuilders, and ``datetime.date`` (no other class or function);
- the protocol's referral directory is kept the same way, keyed by its own digest and the
  protocol's (it is checked against the protocol), without its source map (authoring reads it, the
  console does not);
- entries live in the user's own cache folder (created private, 0700; files 0600), the same trust
  as the user's installed Python packages: pickle is code, so the folder must not be writable by
  anyone else. ``CRISIS_TRIAGE_PROTOCOL_CACHE=off`` turns the cache off.

Compiled conditions are stored as their checked expression trees and compiled again when read
(~4 ms); handoff templates are stored as their text, already checked, and compiled by Jinja2 the
first time the handoff needs them.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import __version__
from ..protocol.compiled import Protocol
from ..protocol.conditions import Condition, _compile
from ..protocol.directory import Directory, directory_path
from ..protocol.protocol_file import read_protocol_text, read_text_and_digest

FORMAT = 1
_MAGIC = b"crisis-triage protocol cache\n"
_DIGEST_SIZE = 32


def cache_dir() -> Path | None:
    """``$CRISIS_TRIAGE_PROTOCOL_CACHE`` (a folder, or ``off``) or ``<user cache dir>/protocols``."""
    override = os.environ.get("CRISIS_TRIAGE_PROTOCOL_CACHE")
    if override:
        return None if override.lower() in ("off", "0", "no", "false") else Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("crisis-triage", appauthor=False)) / "protocols"


def load_protocol_cached(path: str | Path) -> Protocol:
    """:func:`crisis_triage.protocol.loader.load_protocol`, from the cache when the same bytes were
    compiled before. Raises :class:`~crisis_triage.protocol.errors.ProtocolError` exactly as it does."""
    text, digest = read_protocol_text(path)
    folder = cache_dir()
    entry = folder / f"{_key(str(path), digest)}.pickle" if folder is not None else None
    if entry is not None:
        cached = _read(entry, str(path), digest)
        if cached is not None:
            return cached
    from ..protocol.loader import parse_protocol  # YAML, the checks, the compiler: only on a miss

    protocol = parse_protocol(text, str(path), digest)
    if entry is not None:
        _write(entry, protocol)
    return protocol


def load_directory_cached(protocol: Protocol) -> Directory | None:
    """:func:`crisis_triage.protocol.directory.load_directory_for`, from the cache when the same
    directory bytes were checked against this same protocol before (the key holds both digests).

    The one difference: a directory read from the cache has no source map (``source`` is None), which
    only authoring findings read; the console never does. Raises ``ProtocolError`` exactly as the
    full load does."""
    path = directory_path(protocol)
    if path is None:
        return None
    text, digest = read_text_and_digest(path, "directory file")
    folder = cache_dir()
    entry = None
    if folder is not None:
        entry = folder / f"{_key(f'directory|{path}|protocol {protocol.file} {protocol.sha256}', digest)}.pickle"
        cached = _read_entry(entry)
        if isinstance(cached, Directory) and cached.sha256 == digest and cached.file == str(path):
            return cached
    from ..protocol.directory import parse_directory  # YAML and the checks: only on a miss

    parsed = parse_directory(text, str(path), protocol)
    directory = Directory(parsed.document, parsed.file, digest, parsed.services, parsed.zone, parsed.source)
    if entry is not None:
        _write(entry, directory)
    return directory


def _key(file: str, digest: str) -> str:
    version = f"{FORMAT}|{__version__}|{sys.version}|{file}|{digest}"
    return hashlib.sha256(version.encode("utf-8")).hexdigest()


def _read(entry: Path, file: str, digest: str) -> Protocol | None:
    protocol = _read_entry(entry)
    if not isinstance(protocol, Protocol) or protocol.sha256 != digest or protocol.file != file:
        return None
    return protocol


def _read_entry(entry: Path) -> Any:
    """What an entry holds, or None when it is missing, damaged or not made of allowed parts."""
    try:
        blob = entry.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC)
    payload = blob[head + _DIGEST_SIZE :]
    if blob[:head] != _MAGIC or hashlib.sha256(payload).digest() != blob[head : head + _DIGEST_SIZE]:
        return None
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # a torn or foreign entry: load in full instead
        return None


def _write(entry: Path, value: Protocol | Directory) -> None:
    """Write an entry atomically (a reader sees the old one or the new one); any failure is ignored."""
    partial = entry.with_suffix(f".{os.getpid()}.partial")
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        payload = buffer.getvalue()
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(partial, entry)
    except Exception:  # a read-only or full disk, an unpicklable novelty: the next start loads in full
        try:
            partial.unlink()
        except OSError:
            pass


# -- what a compiled protocol holds besides plain data ------------------------------------------------
class LazyTemplate:
    """A handoff template's checked text, compiled by Jinja2 on first use (what ``render`` calls)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._compiled: Any = None

    def compile(self) -> None:
        if self._compiled is None:
            from ..protocol.templates import environment

            self._compiled = environment().from_string(self.text)

    def generate(self, **values: Any) -> Any:
        self.compile()
        return self._compiled.generate(**values)


def warm_up_steps(protocol: Protocol | None) -> Iterator[None]:
    """What the first handoff or dispatch summary would otherwise pay for (Jinja2, then each of the
    protocol's templates), one small step per ``next``: the console runs them in idle time after
    its first screen is painted."""
    from ..protocol.templates import environment

    environment()
    yield
    for template in protocol.templates.values() if protocol is not None else ():
        if isinstance(template, LazyTemplate):
            template.compile()
            yield


def template_texts(protocol: Protocol) -> dict[str, str]:
    """Each template's text by the key the compiler gave it (``<step>.<say|do>.<language>``, ``summary``)."""
    handoff = protocol.document.handoff
    if handoff is None:
        return {}
    texts = {
        f"{step.id}.{field}.{language}": text
        for step in handoff.steps
        for field in ("say", "do")
        for language, text in (getattr(step, field) or {}).items()
    }
    texts["summary"] = handoff.summary
    return texts


def _condition(source: str, names: frozenset[str], tree: Any) -> Condition:
    return Condition(source=source, names=names, _function=_compile(tree), _tree=tree)


def _protocol(values: dict[str, Any], templates: dict[str, str]) -> Protocol:
    return Protocol(**values, templates={key: LazyTemplate(text) for key, text in templates.items()})


def _directory(document: Any, file: str, sha256: str, services: tuple, zone: str) -> Directory:
    return Directory(document, file, sha256, services, ZoneInfo(zone), None)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Condition:
            if obj._tree is None:
                raise pickle.PicklingError("a condition without its checked tree")
            return _condition, (obj.source, obj.names, obj._tree)
        if type(obj) is Protocol:
            texts = template_texts(obj)
            if set(texts) != set(obj.templates):
                raise pickle.PicklingError("templates this cache does not know how to store")
            # Only the fields: what the engine derives and keeps beside them (the compiled walk) is rebuilt.
            values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name != "templates"}
            return _protocol, (values, texts)
        if type(obj) is Directory:
            # The time zone by its key (rebuilt from the system's zone data); the source map is left out.
            return _directory, (obj.document, obj.file, obj.sha256, obj.services, obj.zone.key)
        return NotImplemented


#: Plain value classes a directory's fields hold (a service's last-verified date).
_VALUES = frozenset({("datetime", "date")})


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        # Only what a compiled protocol (or a checked directory) is made of: the protocol package's
        # classes, the condition trees' node classes and this module's three rebuilders. Never a
        # function that does anything.
        if (module, name) in _VALUES:
            return super().find_class(module, name)
        if module == __name__ and name in ("_condition", "_protocol", "_directory"):
            return super().find_class(module, name)
        if module == "ast" or module.startswith("crisis_triage.protocol."):
            found = super().find_class(module, name)
            if isinstance(found, type) and (module != "ast" or issubclass(found, ast.AST)):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a compiled protocol")
