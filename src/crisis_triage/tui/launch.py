"""The first frame as data: a launch snapshot, so the console paints its first call screen before the
engine, the protocol, the settings model and the record store have loaded.

When the console starts a call straight away (``call --door ...``) and finds a snapshot for exactly
this start, it paints the call screen's own widgets (:class:`~.screens.call_layout.CallLayout`)
from the snapshot, then loads everything as it always does and puts the live call screen in its
place. Keys pressed meanwhile are held by the app and applied once the call is journalled and the
live screen is up, and only when the live screen shows what the snapshot did; otherwise they are
dropped, with a message (the call-taker saw something else when pressing them).

What makes it safe:

- A snapshot is written only from a live call screen that has just started a call from the
  command's own door, line, district and language (never from a resumed or transferred call).
- It is found only for the same start: the key is the sha256 of the package version, this format,
  the command's options, the config file's bytes, every ``CRISIS_TRIAGE_*`` variable (but the
  console id, given at launch), the terminal's size and the variables that change its colours; and
  the snapshot names each file its screen came from (protocol, referral directory, centre) with
  its sha256, checked at every launch. Anything missing or different: no snapshot, the usual start.
- The live screen always replaces the painted one, so a wrong snapshot shows only until the call is
  loaded (a fraction of a second), and is then written afresh.

Snapshots live beside the compiled-protocol cache (``$CRISIS_TRIAGE_PROTOCOL_CACHE``, ``off``
turns both off), as JSON: plain words and styles, no code.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Span, Text

FORMAT = 1

_COLOUR_VARIABLES = ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TZ")


def snapshot_folder() -> Path | None:
    """The compiled-protocol cache's folder (store/protocol_cache.py), where snapshots are kept too."""
    override = os.environ.get("CRISIS_TRIAGE_PROTOCOL_CACHE")
    if override:
        return None if override.lower() in ("off", "0", "no", "false") else Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("crisis-triage", appauthor=False)) / "protocols"


def file_digest(path: str | os.PathLike[str]) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _terminal_size() -> tuple[int, int] | None:
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())
    except (OSError, AttributeError, ValueError):
        return None
    return size.columns, size.lines


def launch_key(options: dict[str, Any]) -> str:
    """The key of a start: ``options`` (the command's) and everything else the first screen depends on
    that is known before anything loads (see the module's docstring)."""
    from .. import __version__
    from ..config_paths import config_path

    config = config_path()
    environment = {
        name: value
        for name, value in os.environ.items()
        if (name.startswith("CRISIS_TRIAGE_") and name != "CRISIS_TRIAGE_CONSOLE_ID")
        or name.startswith("TEXTUAL")
        or name in _COLOUR_VARIABLES
    }
    inputs = {
        "format": FORMAT,
        "version": __version__,
        "python": sys.version,
        "options": options,
        "config": [str(config), file_digest(config) if os.path.lexists(config) else "absent"],
        "environment": sorted(environment.items()),
        "terminal": _terminal_size(),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def _path(key: str) -> Path | None:
    folder = snapshot_folder()
    return folder / f"launch-{key}.json" if folder is not None else None


def read_snapshot(key: str) -> dict[str, Any] | None:
    """The snapshot of this start, or None (none, unreadable, another version, a file changed, or the
    console id given another way than when it was written)."""
    path = _path(key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or data.get("format") != FORMAT:
        return None
    if not _well_formed(data):
        return None
    files = data["files"]
    for name, digest in files.items():
        if file_digest(name) != digest:
            return None
    from_env = os.environ.get("CRISIS_TRIAGE_CONSOLE_ID")
    if bool(data.get("console_id_from_env")) != (from_env is not None):
        return None
    data["console_id"] = from_env if from_env is not None else data.get("console_id")
    return data


def _well_formed(data: dict[str, Any]) -> bool:
    """The fields a start reads, of the types it reads them as (a damaged file is no snapshot)."""
    screen = data.get("screen")
    return (
        isinstance(data.get("files"), dict)
        and bool(data["files"])
        and all(isinstance(v, str) for v in data["files"].values())
        and isinstance(data.get("console_id"), str)
        and isinstance(data.get("call_taker_id"), str)
        and isinstance(data.get("theme"), str)
        and isinstance(data.get("keys"), dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in data["keys"].items())
        and isinstance(screen, dict)
        and isinstance(screen.get("widgets"), list)
        and all(isinstance(w, dict) for w in screen["widgets"])
    )


def write_snapshot(key: str, data: dict[str, Any]) -> None:
    """Write a snapshot (atomically; private folder and file, as the protocol cache's). Best effort:
    a snapshot that cannot be written only means a slower next start."""
    path = _path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({**data, "key": key, "format": FORMAT}, handle)
        os.replace(temporary, path)
    except OSError:
        return


@dataclass
class Launch:
    """A start painted from a snapshot: its key, the snapshot, and what loads the rest into the app
    (settings, protocol, record store: cli/console.py), raising what stops the start."""

    key: str
    snapshot: dict[str, Any]
    load: Callable[[Any], None]


def snapshot_data(app: Any, shown: dict[str, Any]) -> dict[str, Any]:
    """A snapshot of ``app``'s start (its settings, protocol and files) showing ``shown`` (:func:`capture`)."""
    from ..protocol.directory import directory_path

    settings, protocol = app.settings, app.protocol
    files = {str(protocol.file): protocol.sha256}
    directory = directory_path(protocol)
    if directory is not None:
        files[str(directory)] = file_digest(directory)
    if settings.centre:
        files[str(settings.centre)] = file_digest(settings.centre)
    return {
        "files": files,
        "console_id": settings.console_id,
        "console_id_from_env": "CRISIS_TRIAGE_CONSOLE_ID" in os.environ,
        "call_taker_id": settings.call_taker_id,
        "theme": settings.theme,
        "keys": dict(settings.keys),
        "screen": shown,
    }


# -- the screen as data ----------------------------------------------------------------------------------


def text_data(text: Text) -> dict[str, Any]:
    return {
        "plain": text.plain,
        "style": str(text.style),
        "justify": text.justify,
        "overflow": text.overflow,
        "no_wrap": text.no_wrap,
        "end": text.end,
        "spans": [[span.start, span.end, str(span.style)] for span in text.spans],
    }


def data_text(data: dict[str, Any]) -> Text:
    return Text(
        data["plain"],
        style=Style.parse(data["style"]) if data["style"] else "",
        justify=data["justify"],
        overflow=data["overflow"],
        no_wrap=data["no_wrap"],
        end=data["end"],
        spans=[Span(start, end, Style.parse(style) if style else "") for start, end, style in data["spans"]],
    )


class NotCapturable(Exception):
    """The screen shows something a snapshot cannot hold: no snapshot is written."""


def _content(content: Any) -> Any:
    if isinstance(content, Text):
        return {"text": text_data(content)}
    if isinstance(content, str):
        return {"str": content}
    raise NotCapturable(type(content).__name__)


def _restore(content: dict[str, Any]) -> Any:
    return data_text(content["text"]) if "text" in content else content["str"]


def capture(screen: Any) -> dict[str, Any]:
    """The call screen's widgets as data: for each (in DOM order) its type, id, classes, display,
    border title and inline styles, and what it shows. The message line's words are left out (the
    start-up message, said again at every start), the header is kept as its facts (the console id is
    given at launch), the timer as 00:00. Raises :class:`NotCapturable`."""
    from textual.widgets import Input, Static

    from .widgets.header import CallHeader
    from .widgets.message_line import MessageLine
    from .widgets.open_safety import OpenSafety
    from .widgets.so_far import CallSoFar

    widgets = []
    for widget in screen.query("*"):
        record: dict[str, Any] = {
            "type": type(widget).__name__,
            "id": widget.id,
            "classes": sorted(widget.classes),
            "display": bool(widget.display),
            "border_title": str(widget.border_title) if widget.border_title is not None else None,
            "styles": widget.styles.inline.css,
        }
        if isinstance(widget, CallHeader):
            if widget.facts is None:
                raise NotCapturable("header")
            record["facts"] = [widget.facts.language, widget.facts.door, [list(f) for f in widget.facts.forms]]
        elif isinstance(widget, MessageLine):
            pass
        elif isinstance(widget, Static):
            record["content"] = _content(widget.content)
            # What repaint.py remembers of it: the text before padding (padded again at the first width).
            shown = getattr(widget, "_ct_shown", None)
            if shown is not None:
                record["repaint"] = {"shown": _content(shown)}
        elif isinstance(widget, Input):
            record["input"] = [widget.value, widget.placeholder]
        elif isinstance(widget, CallSoFar):
            record["rows"] = [
                [row.id, text_data(row.label), text_data(row.answer), row.disabled] for row in widget.rows
            ]
            record["highlighted"] = widget.highlighted
        elif isinstance(widget, OpenSafety):
            record["names"] = list(widget.names)
        widgets.append(record)
    focused = screen.focused
    return {
        "widgets": widgets,
        "focus": focused.id if focused is not None else None,
        "referrals": any(w["id"] == "referrals" for w in widgets),
    }


def same_screen(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return json.loads(json.dumps(a)) == json.loads(json.dumps(b))


def hydrate(screen: Any, launch: dict[str, Any]) -> bool:
    """Show a snapshot's screen in ``screen``'s widgets (the same widget tree the live screen
    composes). False when the trees differ or the snapshot cannot be shown: then the screen stays
    blank until the live one takes its place."""
    try:
        return _hydrate(screen, launch)
    except Exception:  # a damaged snapshot (a style that does not parse...) costs its first frame only
        return False


def _hydrate(screen: Any, launch: dict[str, Any]) -> bool:
    from textual.widgets import Input, Static

    from .widgets.header import CallHeader
    from .widgets.keybar import KeyBar
    from .widgets.message_line import MessageLine
    from .widgets.open_safety import OpenSafety
    from .widgets.repaint import update_if_changed
    from .widgets.so_far import CallSoFar, SoFarRow

    state = launch["screen"]
    widgets = list(screen.query("*"))
    records = state["widgets"]
    if len(widgets) != len(records) or any(
        type(w).__name__ != r["type"] or w.id != r["id"] for w, r in zip(widgets, records, strict=True)
    ):
        return False
    for widget, record in zip(widgets, records, strict=True):
        widget.set_classes(record["classes"])  # display: with the inline styles (or from the classes)
        if record["border_title"] is not None:
            widget.border_title = record["border_title"]
        if record["styles"]:
            widget.set_styles(record["styles"])
        if isinstance(widget, CallHeader):
            continue
        if isinstance(widget, KeyBar):
            widget.show_typing("-typing" in record["classes"])
        elif isinstance(widget, MessageLine):
            continue
        if isinstance(widget, Static) and "content" in record:
            repaint = record.get("repaint")
            if repaint is None:
                widget.update(_restore(record["content"]))
            else:  # shown as the live screen shows it on mount: padded, if at all, at its first width
                update_if_changed(widget, _restore(repaint["shown"]), grow_only=getattr(widget, "grow_only", False))
        elif isinstance(widget, Input):
            widget.value, widget.placeholder = record["input"]
        elif isinstance(widget, CallSoFar):
            widget.rows = tuple(
                SoFarRow(row_id, data_text(label), data_text(answer), disabled)
                for row_id, label, answer, disabled in record["rows"]
            )
            widget.highlighted = record["highlighted"]
            widget.refresh()
        elif isinstance(widget, OpenSafety):
            widget.names = tuple(record["names"])
            widget.refresh()
    _hydrate_header(screen, launch)
    if state["focus"]:
        screen.set_focus(screen.query_one(f"#{state['focus']}"))
    return True


def hydrate_header(screen: Any, launch: dict[str, Any]) -> None:
    try:
        _hydrate_header(screen, launch)
    except Exception:  # as hydrate: a damaged snapshot leaves the header blank until the live screen
        return


def _hydrate_header(screen: Any, launch: dict[str, Any]) -> None:
    from datetime import timedelta

    from .widgets.header import CallHeader, HeaderFacts

    facts = next((r["facts"] for r in launch["screen"]["widgets"] if "facts" in r), None)
    if facts is None:
        return
    language, door, forms = facts
    screen.query_one(CallHeader).show_facts(
        elapsed=timedelta(0),
        facts=HeaderFacts(language, door, tuple(tuple(f) for f in forms)),
        console_id=launch["console_id"],
        call_taker_id=launch["call_taker_id"],
    )
