"""Building the console for tests: a MemoryJournal, a fixed clock, fixed call ids, no start-up toast."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

from crisis_triage.config import Settings
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.app import ConsoleApp
from crisis_triage.tui.screens.setup import CallContext

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))

_PROTOCOL = None


def boston():
    global _PROTOCOL
    if _PROTOCOL is None:
        _PROTOCOL = load_protocol(BOSTON)
    return _PROTOCOL


class FixedClock:
    """A clock the test moves by hand; starts at noon in Boston (every service in hours)."""

    def __init__(self, at: datetime = NOON) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def run_async(test):
    """Run an async test body with asyncio (no async pytest plugin is a project dependency)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper


def make_app(
    *,
    journal=None,
    clock=None,
    home=False,
    door=None,
    line="e911",
    district="B2",
    language="en",
    settings: Settings | None = None,
    **kwargs,
) -> ConsoleApp:
    ids = count(1)
    settings = settings or Settings(
        district=district, language=language, console_id="console-7", call_taker_id="ct-042"
    )
    return ConsoleApp(
        settings,
        boston(),
        journal=journal if journal is not None else MemoryJournal(),
        clock=clock or FixedClock(),
        call_ids=lambda: f"call-{next(ids)}",
        home=home,
        start=CallContext(door=door, line=line, district=district, language=language),
        announce_startup=False,
        cursor_blink=False,
        flash_seconds=kwargs.pop("flash_seconds", 600),
        **kwargs,
    )


def screen_text(app) -> str:
    """What the terminal shows for the active screen, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def panel(app, selector: str) -> str:
    """The plain text of one Static on the active screen (unwrapped, for phrases longer than a line)."""
    from textual.widgets import Static

    widget = app.screen.query_one(selector, Static)
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def question_line(app) -> str:
    """The question as read aloud: the line after the section line in the question panel."""
    return panel(app, "#q-body").split("\n")[1]
