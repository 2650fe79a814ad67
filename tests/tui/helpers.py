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
#: Console tests that drive exact question orders and snapshots use the frozen 2026.11.1 protocol
#: (``make_app(protocol=boston_2026_11())``), so a clinical edit of the shipped file does not rewrite them.
BOSTON_2026_11 = ROOT / "protocols" / "history" / "boston-mh-crisis-2026.11.1.yaml"
#: The console's own test protocol (eight questions, one of each kind): Pilot and snapshot tests
#: answer by position through it, so no content change of the shipped protocol rewrites them.
SMALL = ROOT / "tests" / "fixtures" / "console-small.yaml"
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))

_PROTOCOL = None


def boston():
    global _PROTOCOL
    if _PROTOCOL is None:
        _PROTOCOL = load_protocol(BOSTON)
    return _PROTOCOL


_FROZEN = None


def boston_2026_11():
    """The Boston protocol as of 2026.11.1 (protocols/history/), loaded once."""
    global _FROZEN
    if _FROZEN is None:
        _FROZEN = load_protocol(BOSTON_2026_11)
    return _FROZEN


_SMALL = None


def small():
    """tests/fixtures/console-small.yaml, loaded once."""
    global _SMALL
    if _SMALL is None:
        _SMALL = load_protocol(SMALL)
    return _SMALL


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
    protocol=None,
    **kwargs,
) -> ConsoleApp:
    ids = count(1)
    settings = settings or Settings(
        district=district, language=language, console_id="console-7", call_taker_id="ct-042"
    )
    return ConsoleApp(
        settings,
        protocol or boston(),
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
    """The text of the active screen's shown widgets (static text, list lines, typed text, footer
    keys), one widget after another, through public widget APIs only. How it looks is the snapshot
    tests' job; this says what is there."""
    from textual.widgets import Footer, Input, OptionList, Static

    from crisis_triage.tui.widgets.open_safety import OpenSafety
    from crisis_triage.tui.widgets.so_far import CallSoFar

    parts: list[str] = []
    for widget in app.screen.query("*"):
        if not widget.display or not all(a.display for a in widget.ancestors_with_self if hasattr(a, "display")):
            continue
        if isinstance(widget, Static):
            parts.append(_plain(widget.content, app.size.width))
        elif isinstance(widget, CallSoFar):
            parts.extend(widget.lines())
        elif isinstance(widget, OpenSafety):
            parts.append(widget.text(widget.content_size.width, widget.content_size.height).plain)
        elif isinstance(widget, OptionList):
            for index in range(widget.option_count):
                prompt = widget.get_option_at_index(index).prompt
                parts.append(prompt.plain if hasattr(prompt, "plain") else str(prompt))
        elif isinstance(widget, Input):
            parts.append(widget.value)
        elif isinstance(widget, Footer):
            parts.extend(f"{b.key} {b.description}" for _, b, _, _ in app.active_bindings.values() if b.show)
    return "\n".join(parts)


def _plain(content, width: int) -> str:
    """Rich text as plain text; any other renderable (a table) as a console would print it."""
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return content.plain
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(content)
    return out.getvalue()


def message_line(app) -> str:
    """The message the console shows on its own line (nearest screen that has one)."""
    from crisis_triage.tui.widgets.message_line import MessageLine

    for screen in reversed(app.screen_stack):
        lines = screen.query(MessageLine)
        if lines:
            return lines.first().message
    return ""


def panel(app, selector: str) -> str:
    """The plain text of one Static on the active screen (unwrapped, for phrases longer than a line),
    without the blank lines a side panel keeps at its foot to hold its height (widgets/side_panel.py)."""
    from textual.widgets import Static

    from crisis_triage.tui.widgets.side_panel import SidePanel

    widget = app.screen.query_one(selector, Static)
    content = widget.content
    text = content.plain if hasattr(content, "plain") else str(content)
    return text.rstrip("\n") if isinstance(widget, SidePanel) else text


def question_line(app) -> str:
    """The question as read aloud: the line after the section line in the question panel."""
    return panel(app, "#q-body").split("\n")[1]
