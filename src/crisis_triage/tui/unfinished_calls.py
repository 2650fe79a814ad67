"""At start-up (and from home), the console offers this console's unfinished calls before a new one.

A call left open (a crash, a quit with a call open) is journalled; the resume screen lists them and
the chosen one is rebuilt from its events, or a new call starts.
"""

from __future__ import annotations

from typing import Any


def offer_unfinished(app: Any) -> bool:
    """Show the resume screen if this console has unfinished calls; False if it has none (or they
    cannot be listed, which is said): the caller then starts a new call."""
    try:
        unfinished = app.journal.unfinished_calls(app.settings.console_id)
    except Exception as exc:
        app.notify(f"Could not list unfinished calls: {exc}", severity="error")
        return False
    if not unfinished:
        return False
    from .screens.resume import ResumeScreen

    def chosen(call_id: str | None) -> None:
        if call_id:
            app.resume_call(call_id)
        else:
            app.new_call(app.start)

    app.push_screen(ResumeScreen(unfinished), chosen)
    return True
