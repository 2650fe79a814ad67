"""De-identification for the pilot's evaluator: records with nothing that points back to a person.

What goes, and why:
- answers to free-text questions (Boston: ``caller_name``, ``location``): names and street addresses;
- call-taker notes and every free-text reason the call-taker typed (departures, withdrawn interrupts,
  unavailable teams): free text can hold anything, so none of it is kept, only that it was there;
- phone numbers anywhere that is left (a belt-and-braces pattern scrub);
- exact times: every timestamp is cut to the hour (durations are exported separately, in seconds);
- call, event and call-taker ids: replaced by keyed hashes, stable within one export (so an
  evaluator can join the events and calls files of one export) and useless for looking up the live
  record, since the key is random per export and never written out.

When a call's protocol cannot be found, every answer that is not a plain option id is removed, since
there is then no way to tell a text question from a choice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol

REMOVED = "[removed]"
PHONE = re.compile(r"(?<!\w)(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\w)")
_OPTION_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")
#: Event fields that hold text a call-taker typed.
FREE_TEXT_FIELDS = {
    "note": ("text",),
    "accepted": ("reason",),
    "interrupt_withdrawn": ("reason",),
    "availability": ("reason",),
}


def hour(moment: datetime) -> datetime:
    """``moment`` cut to the start of its hour (time zone kept)."""
    return moment.replace(minute=0, second=0, microsecond=0)


class Deidentifier:
    """One export's de-identification: its own random key for the pseudonyms."""

    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(32)

    def pseudonym(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]

    def event(self, event: dict[str, Any], protocol: Protocol | None) -> dict[str, Any]:
        """A de-identified copy of one event as a JSON dict (``event.model_dump(mode="json")``)."""
        out = dict(event)
        kind = out.get("kind")
        if "at" in out:
            out["at"] = hour(datetime.fromisoformat(out["at"])).isoformat()
        if kind in ("answered", "revised"):
            out["value"] = self._answer(out.get("question", ""), out.get("value"), protocol)
        for name in FREE_TEXT_FIELDS.get(kind, ()):
            if out.get(name):
                out[name] = REMOVED
        return {k: v if k in ("at", "kind") else scrub(v) for k, v in out.items()}

    def _answer(self, question: str, value: Any, protocol: Protocol | None) -> Any:
        if protocol is not None:
            compiled = protocol.question_by_id.get(question)
            if compiled is None or compiled.type == "text":
                return REMOVED
            return value
        if isinstance(value, str) and not _OPTION_ID.match(value):
            return REMOVED
        if isinstance(value, list) and not all(isinstance(v, str) and _OPTION_ID.match(v) for v in value):
            return REMOVED
        return value

    def row(self, row: dict[str, Any], protocol: Protocol | None) -> dict[str, Any]:
        """A de-identified copy of one stored row (see :mod:`rows`); ``event`` stays JSON text."""
        out = dict(row)
        out["event_id"] = self.pseudonym("event", row["event_id"])
        out["call_id"] = self.pseudonym("call", row["call_id"])
        out["call_taker_id"] = self.pseudonym("taker", row["call_taker_id"])
        out["at"] = hour(datetime.fromisoformat(str(row["at"]))).isoformat()
        out["protocol_file"] = ""
        event = json.loads(row["event"]) if isinstance(row["event"], str) else row["event"]
        out["event"] = json.dumps(self.event(event, protocol), ensure_ascii=False)
        return out


def scrub(value: Any) -> Any:
    """Phone numbers removed from any text left in ``value``."""
    if isinstance(value, str):
        return PHONE.sub("[phone removed]", value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
