"""What a subscriber's request to the EIDO notifier may hold (NENA's subscribeObject and the
unsubscribe), checked field by field, and the rates a subscription is granted for what it asks.

:mod:`.eido_notifier` turns checked requests into subscriptions and answers.
"""

from __future__ import annotations

from typing import Any

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

#: Shortest ``minRate`` granted: a subscriber to every incident is re-sent all open incidents each time.
MIN_RATE_FLOOR_S = 10
#: Longest ``maxRate`` granted: an hour between notifications at most (a change is never held longer).
MAX_RATE_CEILING_S = 3600


def wrong_types(body: dict[str, Any], fields: dict[str, type]) -> str:
    """The first field of ``body`` that is present with the wrong JSON type, as a sentence ("" if none)."""
    for name, wanted in fields.items():
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, wanted) or isinstance(value, bool):
            kind = "a whole number" if wanted is int else "a string"
            return f"{name} must be {kind}"
    return ""


def granted_rates(body: dict[str, Any]) -> tuple[int | None, int | None] | str:
    """(minRate, maxRate) as granted for a subscribe request's, or what is wrong with them."""
    min_rate, max_rate = body.get("minRate"), body.get("maxRate")
    for name, value in (("minRate", min_rate), ("maxRate", max_rate)):
        if value is not None and value <= 0:
            return f"{name} must be a positive number of seconds"
    if max_rate is not None:
        max_rate = min(max_rate, MAX_RATE_CEILING_S)
    if min_rate is not None:
        min_rate = max(min_rate, MIN_RATE_FLOOR_S, max_rate or 0)
    return min_rate, max_rate


def echoed_rates(min_rate_s: int | None, max_rate_s: int | None) -> dict[str, int]:
    """The rates a subscribeResponse echoes (only those the subscription has)."""
    granted = {"minRate": min_rate_s, "maxRate": max_rate_s}
    return {name: value for name, value in granted.items() if value is not None}


def echoed_request_id(body: dict[str, Any]) -> str:
    """The request's id to echo in an answer (only when it is a string, and never a huge one)."""
    value = body.get("requestId")
    return value[:200] if isinstance(value, str) else ""
