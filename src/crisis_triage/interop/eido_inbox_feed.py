"""The console's own EIDO inbox subscription: transfers land in the inbox without a second command.

With ``eido_inbox_subscribe`` (and ``eido_inbox_token``) in the config, the console subscribes to
that notifier as ``crisis-triage eido subscribe URL --inbox`` does, on a thread with its own event
loop, so nothing the other system does (slow, down, refusing, sending junk) can hold up or stop the
console: every EIDO it sends is kept in the inbox folder (the latest of each incident), and each
change of the feed (subscribed, an incident kept, the notifier gone) is handed to ``on_change``.
When the connection ends or cannot be made it subscribes again after 1 s, doubling to 30 s while it
fails; a refusal (a wrong token) is tried again every 30 s, since the other end may be mended while
the console runs, and the console shows why meanwhile.

The subscriber's modules (websockets, the EIDO reader and its models: ~0.3 s) are imported on its
own thread, not on the console's: the console starts it after its first paint and must stay
responsive meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

log = logging.getLogger("crisis_triage.eido")

#: Longest wait between two attempts to subscribe again (and the wait after a refusal).
RESUBSCRIBE_MAX_S = 30.0


def resubscribe_delay(failures: int, first_s: float = 1.0, longest_s: float = RESUBSCRIBE_MAX_S) -> float:
    """Seconds to wait before subscribing again after ``failures`` failed attempts in a row (from 0)."""
    return min(longest_s, first_s * 2 ** min(failures, 30))


@dataclass(frozen=True)
class InboxFeedState:
    """What the console shows of its inbox subscription."""

    url: str
    subscribed: bool = False
    kept: int = 0
    """Incidents (versions) kept in the inbox since the console started."""
    problem: str | None = None
    """Why the console is not subscribed now, and when it tries again; None while subscribed."""


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be subscribed to (None when it can)."""
    if not url.startswith(("ws://", "wss://")):
        return f'eido_inbox_subscribe "{url[:200]}" is not a ws:// or wss:// URL'
    return None


class InboxSubscriber:
    """Keeps the console subscribed to another system's EIDO notifier, filling the inbox folder."""

    def __init__(
        self,
        url: str,
        token: str,
        folder: Path,
        *,
        qual_filter: str | None = None,
        on_change: Callable[[InboxFeedState], None] = lambda state: None,
        first_delay_s: float = 1.0,
        longest_delay_s: float = RESUBSCRIBE_MAX_S,
    ):
        self.url = url
        self.token = token
        self.folder = folder
        self.qual_filter = qual_filter
        self.on_change = on_change
        self.first_delay_s = first_delay_s
        self.longest_delay_s = longest_delay_s
        self.state = InboxFeedState(url)
        self._failures = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> InboxSubscriber:
        self._thread = threading.Thread(target=self._run, name="eido-inbox", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Unsubscribe (close the connection) and end the thread."""
        self._stopping.set()
        loop, main = self._loop, self._main
        if loop is not None and main is not None:
            try:
                loop.call_soon_threadsafe(main.cancel)
            except RuntimeError:
                pass  # the loop has ended already
        if self._thread is not None:
            self._thread.join(timeout)

    # -- on the subscriber's thread ----------------------------------------------------------------
    def _run(self) -> None:
        try:
            asyncio.run(self._follow())
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug here must not reach the console; the log has it
            log.exception("the EIDO inbox subscription to %s stopped", self.url)
            self._set(subscribed=False, problem="the inbox subscription stopped after an error (see the log)")

    async def _follow(self) -> None:
        from .eido_client import SubscribeError, subscribe

        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        while not self._stopping.is_set():
            refused = False
            try:
                await subscribe(self.url, self.token, self._received, qual_filter=self.qual_filter)
                problem = "the notifier ended the subscription"
            except SubscribeError as exc:
                problem = str(exc)
                refused = not problem.startswith("cannot connect")
            except OSError as exc:  # the connection broke mid-message
                problem = f"connection to {self.url} lost: {exc.strerror or exc}"
            if refused:
                delay = self.longest_delay_s
            else:
                delay = resubscribe_delay(self._failures, self.first_delay_s, self.longest_delay_s)
                self._failures += 1
            log.warning("EIDO inbox: %s; subscribing again in %.0f s", problem, delay)
            self._set(subscribed=False, problem=f"{problem}; subscribing again in {delay:.0f} s")
            await asyncio.sleep(delay)

    def _received(self, message: dict[str, Any]) -> bool:
        from .eido_client import notifications
        from .eido_in import EidoInError
        from .eido_inbox import keep

        answer = message.get("subscribeResponse")
        if isinstance(answer, dict) and answer.get("statusCode") == 200:
            self._failures = 0
            self._set(subscribed=True, problem=None)
        kept = 0
        for document in notifications(message):
            try:
                keep(document, self.folder)
            except EidoInError as exc:
                log.warning("EIDO inbox: not kept: %s", exc)
                continue
            except OSError as exc:
                log.error("EIDO inbox: cannot write %s: %s", self.folder, exc)
                self._set(problem=f"cannot write the EIDO inbox {self.folder}: {exc.strerror or exc}")
                continue
            log.info("EIDO inbox: kept %s", document["$id"])
            kept += 1
        if kept:
            self._set(kept=self.state.kept + kept, problem=None)
        return False  # never stop by itself: the console ends it with stop()

    def _set(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)
        try:
            self.on_change(self.state)
        except Exception:  # the console's side must not end the subscription
            log.exception("EIDO inbox: the console could not be told of a change")
