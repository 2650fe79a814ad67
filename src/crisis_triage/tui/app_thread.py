"""Handing work to the console's own thread from whichever thread a change arrives on.

The record store's problems, the centre's changes and the EIDO feeds are told on their own threads,
or on the console's thread when this console made the change. Textual's ``call_from_thread`` refuses
to run on the app's own thread, so the thread an app runs on is remembered on it (``ui_thread``, set
with :func:`remember_app_thread` where the app is built or given a feed, on the thread that then runs
it, and again when the console loads) and each hand-over picks the right way, with Textual's public
API only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def remember_app_thread(app: Any) -> None:
    """Remember the calling thread as the one ``app`` runs on."""
    app.ui_thread = threading.get_ident()


def on_app_thread(app: Any, function: Callable[..., object], *args: Any, now: bool = False) -> None:
    """Run ``function(*args)`` on ``app``'s thread: from another thread, handed over; on the app's own
    thread, at once with ``now`` or else after the handler running now (a change this console made
    is applied after the action that made it)."""
    if threading.get_ident() != getattr(app, "ui_thread", None):
        app.call_from_thread(function, *args)
    elif now:
        function(*args)
    else:
        app.call_later(function, *args)
