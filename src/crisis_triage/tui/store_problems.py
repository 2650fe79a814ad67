"""The console's record store at start-up, and the relay that brings its later problems to the screen.

The store may change state from any thread (the shipper, a fallback switch); the relay hands each
change to the running console on its own thread, which says it on the message line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .app_thread import on_app_thread

if TYPE_CHECKING:
    from ..config import Settings
    from ..store.journal import Journal


class StoreProblems:
    """Relays the record store's problem messages (from any thread) to the running console."""

    def __init__(self) -> None:
        self.app: Any = None
        """The running :class:`~crisis_triage.tui.app.ConsoleApp` (set once it exists)."""

    def __call__(self, problem: str | None) -> None:
        app = self.app
        if app is None or not app.is_running:
            return
        on_app_thread(app, app.store_problem, problem, now=True)


def open_journal(settings: Settings) -> tuple[Journal, str | None, StoreProblems]:
    """The record store in force (SQLite by default), its problem at open (if any), and the relay for later ones.

    A broken local store never stops a call: the store falls back to a safe folder and says so.
    """
    from ..store.journal import MemoryJournal

    relay = StoreProblems()
    try:
        from ..store.opening import open_journal as open_store
    except ImportError:
        return MemoryJournal(), "The record store is not available in this build: calls are NOT kept after exit.", relay
    journal = open_store(settings, on_problem=relay)
    return journal, getattr(journal, "problem", None), relay
