"""The console's entries in the command palette: new call, home, active calls, follow-ups, themes,
and on a call its languages and a jump to any question (keys named as the keymap in force shows them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand

from ..keymap import label
from .themes import CONSOLE_THEMES


def console_commands(app: Any) -> Iterable[SystemCommand]:
    """The commands the console adds to Textual's own (none before a protocol is loaded)."""
    if app.protocol is None:
        return
    call = app.call_screen()
    if call is None:
        yield SystemCommand("New call", "Start a call (door, line, district, language)", lambda: app.new_call(None))
        yield SystemCommand("Home", f"The console home ({label('home', app.keymap_in_force)})", app.action_home)
    yield SystemCommand(
        "Active calls",
        f"Responses not resolved yet ({label('active_calls', app.keymap_in_force)})",
        app.action_active_calls,
    )
    yield SystemCommand("Follow-up queue", "Follow-ups due, overdue and done", app.show_followups)
    for theme in CONSOLE_THEMES:
        yield SystemCommand(f"Theme: {theme}", "Switch the console theme", lambda t=theme: setattr(app, "theme", t))
    if call is not None:
        for language in app.protocol.languages:
            yield SystemCommand(
                f"Language: {language}",
                "The caller's language (the question shows beside English)",
                lambda lang=language: call.set_language(lang),
            )
        for asked in call.assessment.asked:
            status = {"answered": f"answered {asked.label}", "skipped": "skipped", "pending": "not asked yet"}[
                asked.status
            ]
            yield SystemCommand(
                f"Jump to question: {asked.question.id}",
                status,
                lambda qid=asked.question.id: call.jump_to(qid),
                discover=False,
            )
        yield SystemCommand("Help: every key", "The help screen", app.action_help)
