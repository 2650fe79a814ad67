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
import ssl
import uuid
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

#: Renew when this share of the granted time has passed.
RENEW_AT = 0.8


class SubscribeError(Exception):
    """The notifier refused the connection or the subscription; the message says why."""


def subscribe_request(incident_id: str | None = None, expires: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"requestId": str(uuid.uuid4()), "requestType": "EIDO"}
    body["requestSubType"] = "single" if incident_id else "new"
    if incident_id:
        body["incidentId"] = incident_id
    if expires is not None:
        body["expires"] = expires
    return {"subscribe": body}


async def _open(url: str, token: str, ssl_context: ssl.SSLContext | None) -> ClientConnection:
    try:
        return await connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            ssl=ssl_context if url.startswith("wss:") else None,
            open_timeout=10,
            max_size=16 * 2**20,
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
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Subscribe and pass every message from the notifier to ``on_message`` until it returns True."""
    connection = await _open(url, token, ssl_context)
    async with connection:
        await connection.send(json.dumps(subscribe_request(incident_id, expires)))
        renewal: asyncio.Task | None = None
        try:
            async for raw in connection:
                message = json.loads(raw)
                answer = message.get("subscribeResponse")
                if answer is not None:
                    if answer["statusCode"] != 200:
                        raise SubscribeError(f"subscription refused: {answer['statusCode']} {answer['statusText']}")
                    if renewal is not None:
                        renewal.cancel()
                    renewal = asyncio.create_task(_renew(connection, answer["subscriptionId"], answer["expires"]))
                event = message.get("event")
                if event is not None:
                    reply = {
                        "eventResponse": {
                            "transactionId": event["transactionId"],
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


async def _renew(connection: ClientConnection, subscription_id: str, expires: int) -> None:
    await asyncio.sleep(expires * RENEW_AT)
    request = {"subscribe": {"requestId": str(uuid.uuid4()), "subscriptionId": subscription_id, "expires": expires}}
    with contextlib.suppress(ConnectionClosed):
        await connection.send(json.dumps(request))


def summary(message: dict[str, Any]) -> str:
    """One line for the operator: what the notifier said."""
    if "event" in message:
        lines = []
        for document in message["event"].get("notification", []):
            incident = document.get("incidentComponent", {})
            lines.append(
                f"{document.get('lastUpdateTimeStamp', '?')}  {document.get('$id', '?')}  "
                f"{incident.get('incidentTypeCommonRegistryText', '?')}  "
                f"{'/'.join(incident.get('incidentStatusCommonRegistryText', []))}  "
                f"priority {incident.get('incidentPriorityInternalText', '?')}"
            )
        return "\n".join(lines) or "event with no EIDO"
    ((kind, body),) = message.items() if len(message) == 1 else (("message", message),)
    status = (
        f" {body.get('statusCode')} {body.get('statusText')}" if isinstance(body, dict) and "statusCode" in body else ""
    )
    return f"{kind}{status}"
