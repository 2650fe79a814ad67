"""Whether the centre store is reachable, for every screen of the console: the state and its words.

:func:`~crisis_triage.tui.centre_hook.attach` gives the app a :class:`CentreWatch` (read it with
:func:`centre_watch`); it calls its subscribers on the app's thread and posts
:class:`CentreStatusChanged` to the app when the link goes offline, comes back, or its queue of
changes made offline moves. An app-wide alert strip shows :attr:`CentreWatch.words`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from textual.message import Message

from ..store.centre_link import CentreLink


@dataclass(frozen=True)
class CentreStatus:
    """Whether the centre store is reachable, as every screen of the console shows it."""

    offline_since: datetime | None = None
    """When the link lost the store (None while it is reachable)."""
    pending: int = 0
    """Changes made on this console while offline, not yet in the centre store."""

    @property
    def online(self) -> bool:
        return self.offline_since is None

    def words(self, tz: tzinfo) -> str | None:
        """The alert line for every screen, or None while the centre is reachable."""
        if self.offline_since is None:
            return None
        text = (
            f"Centre store offline since {self.offline_since.astimezone(tz):%H:%M} — "
            "availability may be stale; calls are kept locally"
        )
        if self.pending:
            text += f" ({self.pending} availability change{'s' if self.pending != 1 else ''} to send)"
        return text


def status_of(link: CentreLink) -> CentreStatus:
    return CentreStatus(link.offline_since, link.pending)


class CentreStatusChanged(Message):
    """Posted to the app when the centre store goes offline, comes back, or the queue of changes moves."""

    def __init__(self, status: CentreStatus, words: str | None) -> None:
        super().__init__()
        self.status = status
        self.words = words


class CentreWatch:
    """The centre's reachability for the whole app: the state now, and who to tell when it changes.

    Updated on the app's thread only (by :func:`attach`), so subscribers may touch widgets directly.
    """

    def __init__(self, tz: tzinfo, status: CentreStatus | None = None) -> None:
        self.tz = tz
        self.status = status or CentreStatus()
        self._subscribers: list[Callable[[CentreStatus], object]] = []

    @property
    def words(self) -> str | None:
        """What the app-wide alert strip says now (None: nothing to say)."""
        return self.status.words(self.tz)

    def subscribe(self, callback: Callable[[CentreStatus], object]) -> Callable[[], None]:
        """Call ``callback(status)`` on every change; returns the function that stops it (call it on unmount)."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def update(self, status: CentreStatus) -> bool:
        """Take the new status; True (and every subscriber told) if it differs from the last one."""
        if status == self.status:
            return False
        self.status = status
        for callback in list(self._subscribers):
            callback(status)
        return True


def centre_watch(app: Any) -> CentreWatch | None:
    """The app's :class:`CentreWatch`, or None for a console with no centre file."""
    return getattr(app, "centre_watch", None)
