"""From the journal to the notifier: every journalled event of a live call publishes its updated EIDO.

:class:`FeedingJournal` wraps the console's journal: the event is made durable first (the inner
journal's ``append`` returns), then it is handed over to be built and published off the console's
thread: with a server (:meth:`EidoFeed.for_server`) on the server's own loop, the thread that sends
it, so a change crosses one thread boundary on its way to the subscribers; without one, on a worker
thread of the feed's own. A failure to build an EIDO is logged and never reaches the call-taker: the
journal is what matters.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.events import AnyEvent, CallStarted
from ..engine.session import CallSession
from ..protocol.compiled import Protocol
from ..store.journal import CallMeta, Journal, StoredEvent
from .eido import eido_document

if TYPE_CHECKING:
    from .eido_server import EidoServer

log = logging.getLogger("crisis_triage.eido")


class EidoFeed:
    """Keeps each live call's session and publishes its EIDO after each event.

    The EIDO is built away from the console's thread, in event order: by ``submit`` (work run in
    order on another thread, e.g. :meth:`EidoServer.submit`), else on a worker thread of the feed's
    own. The console hands the event over and goes on at once, whatever building and sending cost."""

    def __init__(
        self,
        publish: Callable[[dict[str, Any]], object],
        protocol: Protocol,
        submit: Callable[[Callable[[], object]], None] | None = None,
        flush: Callable[[], None] | None = None,
    ):
        self.publish = publish
        self.protocol = protocol
        self.sessions: dict[str, CallSession] = {}
        """Only the thread that builds touches these."""
        self._known: set[str] = set()
        """Calls whose start the builder has been given (read and written on the journalling thread)."""
        self._submit = submit
        self._flush = flush
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        self._worker: threading.Thread | None = None

    @classmethod
    def for_server(cls, server: EidoServer, protocol: Protocol) -> EidoFeed:
        """A feed that builds and publishes on the server's loop (the fastest way to the subscribers)."""
        return cls(server.publish_on_loop, protocol, submit=server.submit, flush=server.flush)

    def journalled(self, meta: CallMeta, event: AnyEvent, earlier: Callable[[], list[AnyEvent]]) -> None:
        """``event`` of ``meta``'s call is durable; ``earlier`` gives the call's events if this feed
        has not seen its start (a call resumed after a restart)."""
        if meta.practice or meta.protocol_sha256 != self.protocol.sha256:
            return
        if meta.call_id in self._known:
            events = [event]
        else:
            self._known.add(meta.call_id)
            events = [event] if isinstance(event, CallStarted) else earlier()
        if self._submit is not None:
            self._submit(lambda: self._build(meta.call_id, events))
            return
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="eido-feed", daemon=True)
            self._worker.start()
        self._work.put((meta.call_id, events))

    def close(self) -> None:
        """Finish the EIDOs already handed over, then stop the worker."""
        if self._flush is not None:
            self._flush()
        if self._worker is not None:
            self._work.put(None)
            self._worker.join(10)
            self._worker = None

    def _run(self) -> None:
        while (item := self._work.get()) is not None:
            self._build(*item)

    def _build(self, call_id: str, events: list[AnyEvent]) -> None:
        try:
            session = self.sessions.get(call_id)
            if session is None:
                session = self.sessions[call_id] = CallSession.replay(self.protocol, events)
            else:
                for event in events:
                    session.apply(event)
            self.publish(eido_document(self.protocol, session, call_id))
        except Exception:  # the call goes on whatever happens to its EIDO
            log.exception("could not publish the EIDO of call %s", call_id)
            self.sessions.pop(call_id, None)


class FeedingJournal:
    """A journal that feeds :class:`EidoFeed` after each durable append; everything else passes through."""

    def __init__(self, inner: Journal, feed: EidoFeed):
        self._inner = inner
        self.feed = feed

    def start_call(self, meta: CallMeta, first: AnyEvent) -> StoredEvent:
        stored = self._inner.start_call(meta, first)
        self.feed.journalled(meta, first, lambda: [first])
        return stored

    def append(self, call_id: str, event: AnyEvent) -> StoredEvent:
        stored = self._inner.append(call_id, event)
        self.feed.journalled(self._inner.meta(call_id), event, lambda: self._inner.events(call_id))
        return stored

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.feed.close()
        self._inner.close(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
