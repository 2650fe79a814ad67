"""The EIDO notifier of NENA-STA-024.1a (EIDO conveyance): subscriptions and notifications.

Holds the current EIDO of each incident and the subscriptions (to one incident, or to all of them),
and turns subscriber requests into the standard's responses. It knows nothing of sockets: the server
(:mod:`.eido_server`) hands it each message and a bounded outbox per connection. :meth:`publish`
never waits for a subscriber: a notification that does not fit a subscriber's outbox ends that
subscriber's connection (it stopped reading), so a slow CAD can never stall the console.

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

log = logging.getLogger("crisis_triage.eido")

#: Longest request read from a subscriber (its requests are a few hundred characters): 413 beyond.
MAX_REQUEST_CHARS = 64 * 1024

#: The fields of a subscribe request and their JSON types (NENA's subscribeObject); any other type is 400.
SUBSCRIBE_FIELDS: dict[str, type] = {
    "requestId": str,
    "requestType": str,
    "requestSubType": str,
    "requestAccepts": str,
    "qualFilter": str,
    "qualFilterEvalPeriod": int,
    "minRate": int,
    "maxRate": int,
    "subscriptionId": str,
    "incidentId": str,
    "unitId": str,
    "expires": int,
}

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

    def hears(self, incident_id: str, document: dict[str, Any]) -> bool:
        """Whether a change of this incident is notified to this subscription."""
        if self.incident_id is not None:
            return self.incident_id == incident_id
        return self.qual_filter is None or self.qual_filter.matches(document)


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
        for subscription in list(self.subscriptions.values()):
            if subscription.hears(incident_id, document):
                sent += self._notify(subscription, [payload])
        return sent

    def _notify(self, subscription: Subscription, payloads: list[bytes]) -> int:
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
                            "requestId": _request_id(body),
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
                        "requestId": _request_id(body),
                        **extra,
                        "statusCode": code,
                        "statusText": text,
                    }
                },
            )

        wrong = _wrong_types(body, SUBSCRIBE_FIELDS)
        if wrong:
            return answer(400, f"Bad request: {wrong}")
        if not request_id:
            return answer(400, "Bad request: requestId is required")
        expires = body.get("expires", self.limits.default_expires)
        if expires <= 0:
            return answer(400, "Bad request: expires must be a positive number of seconds")
        expires = max(self.limits.min_expires, min(self.limits.max_expires, expires))
        renewing = body.get("subscriptionId")
        if renewing is not None:
            subscription = self.subscriptions.get(renewing)
            if subscription is None or subscription.outbox is not outbox:
                return answer(481, "Subscription does not exist")
            subscription.expires_at = self.clock() + expires
            log.info("%s renewed subscription %s for %d s", peer, renewing, expires)
            return answer(200, "OK", subscriptionId=renewing, expires=expires)
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
            str(uuid.uuid4()), outbox, incident_id, self.clock() + expires, peer, qual_filter=qual_filter
        )
        self.subscriptions[subscription.subscription_id] = subscription
        log.info(
            "%s subscribed to %s (%s), %d s",
            peer,
            incident_id or (f"incidents passing {qual_filter.text!r}" if qual_filter else "every incident"),
            subscription.subscription_id,
            expires,
        )
        answer(200, "OK", subscriptionId=subscription.subscription_id, **extra, expires=expires)
        if incident_id:
            self._notify(subscription, [self.payloads[incident_id]])
            return
        # Every open incident it hears of, in events of a few EIDOs each (a receiver's message size stays small).
        current = [
            self.payloads[i]
            for i, document in self.documents.items()
            if not _closed(document) and subscription.hears(i, document)
        ]
        for start in range(0, len(current), SNAPSHOT_CHUNK):
            if not self._notify(subscription, current[start : start + SNAPSHOT_CHUNK]):
                return

    def _unsubscribe(self, body: dict[str, Any], outbox: Outbox, peer: str) -> None:
        request_id, subscription_id = body.get("requestId"), body.get("subscriptionId")
        wrong = _wrong_types(body, {"requestId": str, "subscriptionId": str})
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
                    "requestId": _request_id(body),
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


def _wrong_types(body: dict[str, Any], fields: dict[str, type]) -> str:
    """The first field of ``body`` that is present with the wrong JSON type, as a sentence ("" if none)."""
    for name, wanted in fields.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, wanted) or isinstance(value, bool):
            kind = "a whole number" if wanted is int else "a string"
            return f"{name} must be {kind}"
    return ""


def _request_id(body: dict[str, Any]) -> str:
    """The request's id to echo in an answer (only when it is a string, and never a huge one)."""
    value = body.get("requestId")
    return value[:200] if isinstance(value, str) else ""


def _closed(document: dict[str, Any]) -> bool:
    incident = document.get("incidentComponent")
    return isinstance(incident, dict) and "Closed" in (incident.get("incidentStatusCommonRegistryText") or [])
