"""An EIDO subscriber (NENA-STA-024.1a): ``crisis-triage eido subscribe URL``, and the tests' client.

Connects with the access token, subscribes (to one incident or to all), renews the subscription
before it expires, answers each notification with an ``eventResponse`` and hands every message to a
callback. Ends when the callback returns True, when the notifier terminates the subscription, or
when the connection closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import uuid
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from ..untrusted import UntrustedInputError, load_json

log = logging.getLogger("crisis_triage.eido")

#: Renew when this share of the granted time has passed.
RENEW_AT = 0.8


class SubscribeError(Exception):
    """The notifier refused the connection or the subscription; the message says why."""


def subscribe_request(
    incident_id: str | None = None,
    expires: int | None = None,
    qual_filter: str | None = None,
    *,
    min_rate: int | None = None,
    max_rate: int | None = None,
) -> dict[str, Any]:
    """A subscribe request (NENA's subscribeObject): one incident, or every incident (optionally
    those passing ``qual_filter``); ``min_rate``/``max_rate`` ask for the notifier's minRate/maxRate."""
    body: dict[str, Any] = {"requestId": str(uuid.uuid4()), "requestType": "EIDO"}
    body["requestSubType"] = "single" if incident_id else "new"
    if incident_id:
        body["incidentId"] = incident_id
    if qual_filter:
        body["qualFilter"] = qual_filter
    if expires is not None:
        body["expires"] = expires
    if min_rate is not None:
        body["minRate"] = min_rate
    if max_rate is not None:
        body["maxRate"] = max_rate
    return {"subscribe": body}


async def _open(url: str, token: str, ssl_context: ssl.SSLContext | None) -> ClientConnection:
    try:
        return await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            ssl=ssl_context if url.startswith("wss:") else None,
            open_timeout=10,
            max_size=2 * 2**20,  # a message over load_json's limit is skipped anyway
        )
    except InvalidStatus as exc:
        raise SubscribeError(f"{url} refused the connection: HTTP {exc.response.status_code}") from None
    except InvalidHandshake as exc:  # e.g. TLS refused without a client certificate
        raise SubscribeError(f"{url} refused the connection: {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise SubscribeError(f"cannot connect to {url}: {exc}") from None


async def subscribe(
    url: str,
    token: str,
    on_message: Callable[[dict[str, Any]], bool | None],
    *,
    incident_id: str | None = None,
    expires: int | None = None,
    qual_filter: str | None = None,
    min_rate: int | None = None,
    max_rate: int | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Subscribe and pass every message from the notifier to ``on_message`` until it returns True."""
    connection = await _open(url, token, ssl_context)
    async with connection:
        request = subscribe_request(incident_id, expires, qual_filter, min_rate=min_rate, max_rate=max_rate)
        await connection.send(json.dumps(request))
        renewal: asyncio.Task | None = None
        try:
            async for raw in connection:
                message = _message(raw, url)
                if message is None:
                    continue
                answer = message.get("subscribeResponse")
                if answer is not None:
                    if answer.get("statusCode") != 200:
                        raise SubscribeError(
                            f"subscription refused: {answer.get('statusCode')} {answer.get('statusText')}"
                        )
                    if renewal is not None:
                        renewal.cancel()
                    expires = answer.get("expires")
                    if isinstance(answer.get("subscriptionId"), str) and isinstance(expires, int) and expires > 0:
                        renewal = asyncio.create_task(_renew(connection, answer["subscriptionId"], expires))
                event = message.get("event")
                if event is not None:
                    reply = {
                        "eventResponse": {
                            "transactionId": str(event.get("transactionId", ""))[:200],
                            "statusCode": 200,
                            "statusText": "OK",
                        }
                    }
                    await connection.send(json.dumps(reply))
                terminate = message.get("terminate")
                if terminate is not None:
                    reply = {"terminateResponse": {**terminate, "statusCode": 200, "statusText": "OK"}}
                    await connection.send(json.dumps(reply))
                if on_message(message) or terminate is not None:
                    return
        except ConnectionClosed:
            return
        finally:
            if renewal is not None:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal


def _message(raw: str | bytes, url: str) -> dict[str, Any] | None:
    """A notifier's message, read within the untrusted-input bounds; None (logged) when it is not one.

    Another system's notifier is not trusted either: a malformed message is skipped, never fatal."""
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        message = load_json(text, "message")
    except (UnicodeDecodeError, UntrustedInputError) as exc:
        log.warning("from %s: a message that is not JSON (or over the limits) was skipped: %s", url, exc)
        return None
    if not isinstance(message, dict) or len(message) != 1 or not isinstance(next(iter(message.values())), dict):
        log.warning("from %s: a message that is not one NENA object was skipped", url)
        return None
    return message


async def _renew(connection: ClientConnection, subscription_id: str, expires: int) -> None:
    await asyncio.sleep(expires * RENEW_AT)
    request = {"subscribe": {"requestId": str(uuid.uuid4()), "subscriptionId": subscription_id, "expires": expires}}
    with contextlib.suppress(ConnectionClosed):
        await connection.send(json.dumps(request))


def notifications(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The EIDOs an ``event`` message carries: only JSON objects with an incident id (``$id``)."""
    event = message.get("event")
    found = event.get("notification") if isinstance(event, dict) else None
    if not isinstance(found, list):
        return []
    return [d for d in found if isinstance(d, dict) and isinstance(d.get("$id"), str) and d["$id"]]


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return "?" if value is None else str(value)


def summary(message: dict[str, Any]) -> str:
    """One line for the operator: what the notifier said."""
    if "event" in message:
        lines = []
        for document in notifications(message):
            incident = document.get("incidentComponent")
            incident = incident if isinstance(incident, dict) else {}
            lines.append(
                f"{_text(document.get('lastUpdateTimeStamp'))}  {document['$id']}  "
                f"{_text(incident.get('incidentTypeCommonRegistryText'))}  "
                f"{_text(incident.get('incidentStatusCommonRegistryText', []))}  "
                f"priority {_text(incident.get('incidentPriorityInternalText'))}"
            )
        return "\n".join(lines) or "event with no EIDO"
    ((kind, body),) = message.items()
    status = f" {body.get('statusCode')} {body.get('statusText')}" if "statusCode" in body else ""
    return f"{kind}{status}"
