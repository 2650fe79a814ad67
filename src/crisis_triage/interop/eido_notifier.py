"""The EIDO notifier of NENA-STA-024.1a (EIDO conveyance): subscriptions and notifications.

Holds the current EIDO of each incident and the subscriptions (to one incident, or to all of them),
and turns subscriber requests into the standard's responses. It knows nothing of sockets: the server
(:mod:`.eido_server`) hands it each message and a bounded outbox per connection. :meth:`publish`
never waits for a subscriber: a notification that does not fit a subscriber's outbox ends that
subscriber's connection (it stopped reading), so a slow CAD can never stall the console.

Rates (the subscribe request's ``minRate`` and ``maxRate``, in seconds): with ``maxRate`` no two
notifications of a subscription come closer than that; changes in between are held, only each
incident's latest EIDO, and sent together when the wait is over. With ``minRate`` a subscription that
has heard nothing for that long is sent the current EIDOs it hears again (an incident's, or every open
incident's, or an empty notification when none is open): the subscriber knows the link and the
notifier are alive. Both are negotiated and echoed in the ``subscribeResponse``: ``minRate`` is at
least :data:`~.eido_requests.MIN_RATE_FLOOR_S` and never shorter than ``maxRate``; ``maxRate`` at most
:data:`~.eido_requests.MAX_RATE_CEILING_S`.

Message shapes follow NENA's WebSocket subscribe/notify schema: ``subscribe`` / ``subscribeResponse``,
``unsubscribe`` / ``unsubscribeResponse``, ``event`` (``notification`` holds the EIDO) /
``eventResponse``, ``terminate`` (an expired subscription) / ``terminateResponse``, and ``response``
(501 Not implemented, and 400 for a message that is not JSON or not a request at all).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..untrusted import UntrustedInputError, load_json
from .eido_filter import FilterError, QualFilter, parse_filter
from .eido_requests import (
    MAX_REQUEST_CHARS,
    SUBSCRIBE_FIELDS,
    echoed_rates,
    echoed_request_id,
    granted_rates,
    wrong_types,
)

log = logging.getLogger("crisis_triage.eido")

#: EIDOs per event when a new subscriber to every incident gets the open incidents.
SNAPSHOT_CHUNK = 20

#: MIME types a subscriber may ask for (``requestAccepts``).
ACCEPTED_TYPES = ("application/emergency.eido+json", "application/json")


class Outbox:
    """What the server gives the notifier for one connection: ``put`` must not block."""

    def put(self, text: str | bytes) -> bool:  # pragma: no cover - an interface
        """Queue a message (JSON text, or UTF-8 JSON bytes) for the subscriber; False when it does not
        fit (the subscriber stopped reading)."""
        raise NotImplementedError

    def close(self, reason: str) -> None:  # pragma: no cover - an interface
        """End the connection."""
        raise NotImplementedError


@dataclass
class Subscription:
    subscription_id: str
    outbox: Outbox
    incident_id: str | None
    """One incident (requestSubType "single"), or None for every incident ("new")."""
    expires_at: float
    peer: str = ""
    qual_filter: QualFilter | None = None
    """Of a subscription to every incident: only incidents whose current EIDO passes it."""
    min_rate_s: int | None = None
    """Send the current EIDOs again after this many seconds without a notification (``minRate``)."""
    max_rate_s: int | None = None
    """Never notify sooner than this many seconds after the last notification (``maxRate``)."""
    last_sent: float = float("-inf")
    """When the last notification went out (monotonic seconds): what ``maxRate`` counts from."""
    quiet_since: float = 0.0
    """When the last notification went out, or the subscription began: what ``minRate`` counts from."""
    held: dict[str, bytes] = field(default_factory=dict)
    """Changes held back by ``maxRate``: each incident's latest EIDO, in the order first held."""

    def due(self) -> float | None:
        """When this subscription next needs a notification sent (held changes, or ``minRate``)."""
        times = []
        if self.held and self.max_rate_s is not None:
            times.append(self.last_sent + self.max_rate_s)
        if self.min_rate_s is not None:
            times.append(self.quiet_since + self.min_rate_s)
        return min(times, default=None)

    def hears(self, incident_id: str, document: dict[str, Any], verdicts: dict[str, bool] | None = None) -> bool:
        """Whether a change of this incident is notified to this subscription (``verdicts``: filters
        already evaluated on this document, by their text: subscribers with the same filter share one)."""
        if self.incident_id is not None:
            return self.incident_id == incident_id
        if self.qual_filter is None:
            return True
        if verdicts is None:
            return self.qual_filter.matches(document)
        if self.qual_filter.text not in verdicts:
            verdicts[self.qual_filter.text] = self.qual_filter.matches(document)
        return verdicts[self.qual_filter.text]


@dataclass(frozen=True)
class Limits:
    default_expires: int = 3600
    """Seconds a subscription lasts when the subscriber does not ask (it renews before then)."""
    min_expires: int = 60
    max_expires: int = 86400


@dataclass
class EidoNotifier:
    """The incidents' current EIDOs and who is subscribed to them."""

    clock: Callable[[], float]
    """Monotonic seconds (the server passes its event loop's clock)."""
    limits: Limits = field(default_factory=Limits)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The current EIDO of each incident, by incident id."""
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    payloads: dict[str, bytes] = field(default_factory=dict)
    """Each current EIDO as UTF-8 JSON (serialised and encoded once per change)."""

    # -- incidents --------------------------------------------------------------------------
    def publish(self, document: dict[str, Any]) -> int:
        """Store the incident's new EIDO and notify its subscribers; returns how many were notified."""
        incident_id = document["$id"]
        self.documents[incident_id] = document
        payload = json.dumps(document, ensure_ascii=False).encode()  # once, however many subscribers
        self.payloads[incident_id] = payload
        sent = 0
        verdicts: dict[str, bool] = {}
        now = self.clock()
        for subscription in list(self.subscriptions.values()):
            if subscription.hears(incident_id, document, verdicts):
                limit = subscription.max_rate_s
                if limit is not None and (subscription.held or now - subscription.last_sent < limit):
                    subscription.held[incident_id] = payload  # sent with the others when the wait is over
                    continue
                sent += self._notify(subscription, [payload])
        return sent

    def send_due(self) -> int:
        """Send what the subscriptions' rates make due now: changes held by ``maxRate`` whose wait is
        over, and the current EIDOs to a subscription silent for ``minRate``; returns how many events."""
        now = self.clock()
        sent = 0
        for subscription in list(self.subscriptions.values()):
            if subscription.held and now - subscription.last_sent >= (subscription.max_rate_s or 0):
                held = list(subscription.held.values())
                subscription.held.clear()
                sent += self._notify_chunked(subscription, held)
            elif subscription.min_rate_s is not None and now - subscription.quiet_since >= subscription.min_rate_s:
                sent += self._notify_chunked(subscription, self._current(subscription), always=True)
        return sent

    def next_due(self) -> float | None:
        """The soonest time some subscription's rate makes a notification due (None: none will)."""
        return min((t for s in self.subscriptions.values() if (t := s.due()) is not None), default=None)

    def _current(self, subscription: Subscription) -> list[bytes]:
        """The current EIDOs a subscription hears: its incident's, or every open incident's."""
        if subscription.incident_id is not None:
            payload = self.payloads.get(subscription.incident_id)
            return [payload] if payload is not None else []
        return [
            self.payloads[i]
            for i, document in self.documents.items()
            if not _closed(document) and subscription.hears(i, document)
        ]

    def _notify_chunked(self, subscription: Subscription, payloads: list[bytes], always: bool = False) -> int:
        """Notify ``payloads`` in events of a few EIDOs each (a receiver's message size stays small);
        with ``always``, an empty notification when there is nothing to send."""
        if not payloads:
            return self._notify(subscription, []) if always else 0
        sent = 0
        for start in range(0, len(payloads), SNAPSHOT_CHUNK):
            if not self._notify(subscription, payloads[start : start + SNAPSHOT_CHUNK]):
                break
            sent += 1
        return sent

    def _notify(self, subscription: Subscription, payloads: list[bytes]) -> int:
        subscription.last_sent = subscription.quiet_since = self.clock()
        # The event wraps EIDOs already serialised and encoded: only the ids differ between subscribers.
        head = json.dumps({"subscriptionId": subscription.subscription_id, "transactionId": str(uuid.uuid4())})
        message = b"".join((b'{"event": ', head[:-1].encode(), b', "notification": [', b", ".join(payloads), b"]}}"))
        if subscription.outbox.put(message):
            return 1
        log.warning("subscriber %s stopped reading; its connection is closed", subscription.peer)
        self.drop_outbox(subscription.outbox)
        subscription.outbox.close("subscriber too slow")
        return 0

    # -- requests ---------------------------------------------------------------------------
    def handle(self, text: str, outbox: Outbox, peer: str = "") -> None:
        """One message from a subscriber: whatever it holds, it gets an answer or is logged, never raises."""
        try:
            self._handle(text, outbox, peer)
        except Exception:  # a bug here must not end the server or other subscribers' service
            log.exception("from %s: the request could not be handled", peer)
            self._reply(outbox, {"response": {"requestId": "", "statusCode": 500, "statusText": "Server error"}})

    def _handle(self, text: str, outbox: Outbox, peer: str) -> None:
        if len(text) > MAX_REQUEST_CHARS:
            log.warning("from %s: a request of %d characters refused (limit %d)", peer, len(text), MAX_REQUEST_CHARS)
            self._reply(
                outbox,
                {"response": {"requestId": "", "statusCode": 413, "statusText": "Request too large"}},
            )
            return
        try:  # bounded: length, nesting, numbers, duplicate keys (crisis_triage.untrusted)
            message = load_json(text, "message")
        except UntrustedInputError as exc:
            log.warning("from %s: not JSON, or over the limits: %s", peer, exc)
            self._reply(
                outbox,
                {"response": {"requestId": "", "statusCode": 400, "statusText": f"Bad request: {exc}"}},
            )
            return
        if not isinstance(message, dict) or len(message) != 1 or not isinstance(next(iter(message.values())), dict):
            log.warning("from %s: not a request object", peer)
            self._reply(outbox, {"response": {"requestId": "", "statusCode": 400, "statusText": "Bad request"}})
            return
        ((kind, body),) = message.items()
        match kind:
            case "subscribe":
                self._subscribe(body, outbox, peer)
            case "unsubscribe":
                self._unsubscribe(body, outbox, peer)
            case "eventResponse" | "terminateResponse":
                if body.get("statusCode") != 200:
                    log.warning("from %s: %s %.40r %.200r", peer, kind, body.get("statusCode"), body.get("statusText"))
            case _:
                log.warning("from %s: %.60r is not implemented", peer, kind)
                self._reply(
                    outbox,
                    {
                        "response": {
                            "requestId": echoed_request_id(body),
                            "statusCode": 501,
                            "statusText": "Not implemented",
                        }
                    },
                )

    def _subscribe(self, body: dict[str, Any], outbox: Outbox, peer: str) -> None:
        request_id = body.get("requestId")

        def answer(code: int, text: str, **extra: Any) -> None:
            if code != 200:
                log.warning("from %s: subscribe %.80r: %s %s", peer, request_id, code, text)
            self._reply(
                outbox,
                {
                    "subscribeResponse": {
                        "requestId": echoed_request_id(body),
                        **extra,
                        "statusCode": code,
                        "statusText": text,
                    }
                },
            )

        wrong = wrong_types(body, SUBSCRIBE_FIELDS)
        if wrong:
            return answer(400, f"Bad request: {wrong}")
        if not request_id:
            return answer(400, "Bad request: requestId is required")
        expires = body.get("expires", self.limits.default_expires)
        if expires <= 0:
            return answer(400, "Bad request: expires must be a positive number of seconds")
        expires = max(self.limits.min_expires, min(self.limits.max_expires, expires))
        rates = granted_rates(body)
        if isinstance(rates, str):
            return answer(400, f"Bad request: {rates}")
        renewing = body.get("subscriptionId")
        if renewing is not None:
            subscription = self.subscriptions.get(renewing)
            if subscription is None or subscription.outbox is not outbox:
                return answer(481, "Subscription does not exist")
            subscription.expires_at = self.clock() + expires
            if "minRate" in body or "maxRate" in body:  # a renewal may change the rates, as asked
                subscription.min_rate_s, subscription.max_rate_s = rates
            log.info("%s renewed subscription %s for %d s", peer, renewing, expires)
            return answer(
                200,
                "OK",
                subscriptionId=renewing,
                **echoed_rates(subscription.min_rate_s, subscription.max_rate_s),
                expires=expires,
            )
        if body.get("requestType") != "EIDO":
            return answer(400, 'Bad request: requestType must be "EIDO"')
        accepts = body.get("requestAccepts")
        if accepts is not None and not any(accepts.startswith(t) for t in ACCEPTED_TYPES):
            return answer(406, f"Not acceptable: this notifier sends {ACCEPTED_TYPES[0]}")
        if body.get("unitId") is not None:
            return answer(400, 'Bad request: unitId (requestSubType "resource") is not supported')
        sub_type = body.get("requestSubType", "single" if "incidentId" in body else "new")
        incident_id = body.get("incidentId")
        qual_filter: QualFilter | None = None
        extra: dict[str, Any] = {}
        if sub_type == "single":
            if not incident_id:
                return answer(400, 'Bad request: a "single" subscription needs an incidentId')
            if body.get("qualFilter") is not None:
                return answer(400, "Bad request: a qualFilter must not come with an incidentId")
            if incident_id not in self.documents:
                return answer(404, "Incident not found")
        elif sub_type == "new":
            if incident_id is not None:
                return answer(400, 'Bad request: an incidentId needs requestSubType "single"')
            if body.get("qualFilter") is not None:
                try:
                    qual_filter = parse_filter(body["qualFilter"])
                except FilterError as exc:
                    return answer(400, f"Bad request: {exc}")
                # Every change is checked as it happens: never a longer wait than the one asked for.
                period = body.get("qualFilterEvalPeriod")
                if period is not None:
                    if period <= 0:
                        return answer(400, "Bad request: qualFilterEvalPeriod must be a positive number of seconds")
                    extra["qualFilterEvalPeriod"] = period
        else:
            return answer(400, f'Bad request: requestSubType "{sub_type:.40}" is not supported (single or new)')
        subscription = Subscription(
            str(uuid.uuid4()),
            outbox,
            incident_id,
            self.clock() + expires,
            peer,
            qual_filter=qual_filter,
            min_rate_s=rates[0],
            max_rate_s=rates[1],
        )
        extra.update(echoed_rates(subscription.min_rate_s, subscription.max_rate_s))
        self.subscriptions[subscription.subscription_id] = subscription
        log.info(
            "%s subscribed to %s (%s), %d s",
            peer,
            incident_id or (f"incidents passing {qual_filter.text!r}" if qual_filter else "every incident"),
            subscription.subscription_id,
            expires,
        )
        answer(200, "OK", subscriptionId=subscription.subscription_id, **extra, expires=expires)
        # Its incident, or every open incident it hears of (in events of a few EIDOs each). A
        # subscription to every incident with none open starts its minRate clock here.
        subscription.quiet_since = self.clock()
        self._notify_chunked(subscription, self._current(subscription))

    def _unsubscribe(self, body: dict[str, Any], outbox: Outbox, peer: str) -> None:
        request_id, subscription_id = body.get("requestId"), body.get("subscriptionId")
        wrong = wrong_types(body, {"requestId": str, "subscriptionId": str})
        if wrong or not request_id or not subscription_id:
            code, text = 400, f"Bad request: {wrong or 'requestId and subscriptionId are required'}"
        elif (found := self.subscriptions.get(subscription_id)) is None or found.outbox is not outbox:
            code, text = 481, "Subscription does not exist"
        else:
            del self.subscriptions[subscription_id]
            code, text = 200, "OK"
            log.info("%s unsubscribed %s", peer, subscription_id)
        if code != 200:
            log.warning("from %s: unsubscribe %.80r: %s %s", peer, request_id, code, text)
        self._reply(
            outbox,
            {
                "unsubscribeResponse": {
                    "requestId": echoed_request_id(body),
                    "subscriptionId": subscription_id if isinstance(subscription_id, str) else "",
                    "statusCode": code,
                    "statusText": text,
                }
            },
        )

    # -- housekeeping -----------------------------------------------------------------------
    def expire(self) -> list[str]:
        """End subscriptions past their time, telling each subscriber (terminate); returns their ids."""
        now = self.clock()
        ended = [s for s in self.subscriptions.values() if s.expires_at <= now]
        for subscription in ended:
            del self.subscriptions[subscription.subscription_id]
            log.info("subscription %s of %s expired", subscription.subscription_id, subscription.peer)
            self._reply(
                subscription.outbox,
                {"terminate": {"requestId": str(uuid.uuid4()), "subscriptionId": subscription.subscription_id}},
            )
        return [s.subscription_id for s in ended]

    def next_expiry(self) -> float | None:
        return min((s.expires_at for s in self.subscriptions.values()), default=None)

    def drop_outbox(self, outbox: Outbox) -> None:
        """Forget every subscription of a connection that closed."""
        for subscription_id in [k for k, s in self.subscriptions.items() if s.outbox is outbox]:
            del self.subscriptions[subscription_id]

    def _reply(self, outbox: Outbox, message: dict[str, Any]) -> None:
        if not outbox.put(json.dumps(message)):
            self.drop_outbox(outbox)
            outbox.close("subscriber too slow")


def _closed(document: dict[str, Any]) -> bool:
    incident = document.get("incidentComponent")
    return isinstance(incident, dict) and "Closed" in (incident.get("incidentStatusCommonRegistryText") or [])
