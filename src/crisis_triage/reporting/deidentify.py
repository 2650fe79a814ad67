"""De-identification for the pilot's evaluator: records with nothing that points back to a person.

It fails closed: a field is kept only when it is known to hold no personal information; anything it
cannot classify is removed (and counted, so the export can say so), never passed through.

What is kept: event kinds, times cut to the hour, and fields that hold ids the protocol defines
(question, interrupt, model, step, outcome, door, line, district, language) when they look like ids;
answers only when the call's protocol is found and the answer is one of the question's options or a
number. What goes, and why:
- answers to free-text questions (Boston: ``caller_name``, ``location``): names and street addresses;
- every answer of a call whose protocol file cannot be found: without it a one-word name cannot be
  told from an option id, so none of them is kept (the export says how many calls this hit);
- call-taker notes and every free-text reason the call-taker typed (departures, withdrawn interrupts,
  unavailable teams): free text can hold anything, so none of it is kept, only that it was there;
- a callback number another system sent with an incident; the name and contact of a referral given
  (the service's id and kind are kept: the evaluator sees which services calls were connected to);
- supervisors, interpreters and other systems' incident numbers: replaced by keyed hashes, as ids are;
- any field of an event this module does not know: removed, and counted as not classified;
- phone numbers and e-mail addresses anywhere that is left (a belt-and-braces pattern scrub);
- exact times: every timestamp is cut to the hour (durations are exported separately, in seconds);
- call, event and call-taker ids: replaced by keyed hashes, stable within one export (so an
  evaluator can join the events and calls files of one export) and useless for looking up the live
  record, since the key is random per export and never written out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections import Counter
from datetime import datetime
from typing import Any

from ..protocol.compiled import Protocol

REMOVED = "[removed]"
PHONE = re.compile(r"(?<!\w)(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\w)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
#: Event fields that hold an id the protocol or the console defines: kept when they look like one.
ID_FIELDS = frozenset(
    {"kind", "question", "interrupt", "model", "recommended", "step", "outcome", "door", "line", "district", "language"}
    | {"status", "source", "code", "recorded_by", "rule"}  # the events after the dispatch
)
#: ... and those of the events around the call: the referral directory's ids (a service, its kind,
#: the directory; to the caller or the family), a centre's team, the system that sent an incident.
ID_FIELDS |= frozenset({"service", "service_kind", "directory", "to", "unit", "sender"})
#: Event fields that name a person or a record elsewhere (a supervisor, an interpreter, another
#: system's incident): replaced by a keyed hash of their own kind, so an evaluator can still count
#: consultations per supervisor within one export, and cannot look anyone or anything up.
PSEUDONYM_FIELDS = {"supervisor": "supervisor", "interpreter_id": "interpreter", "incident_id": "incident"}
#: Event fields removed although classified: a phone number to call the person back on, and the
#: directory's own words for a service given (its name and contact: the service's id carries them).
REMOVED_FIELDS = frozenset({"callback", "service_name", "contact"})
#: Event fields that hold a time: cut to the hour like ``at``.
TIME_FIELDS = frozenset({"due"})
#: Event fields that hold a mapping of ids to values (a disposition's details): values kept only when
#: they look like an id (an option such as "physician"); typed text (a service's name) is removed.
DETAIL_FIELDS = frozenset({"details"})
#: Event fields that hold a yes/no flag.
FLAG_FIELDS = frozenset({"available"})
#: Event fields that hold text a call-taker typed: replaced by REMOVED when not empty.
FREE_TEXT_FIELDS = frozenset({"text", "reason", "note", "by"})


def hour(moment: datetime) -> datetime:
    """``moment`` cut to the start of its hour (time zone kept)."""
    return moment.replace(minute=0, second=0, microsecond=0)


class Deidentifier:
    """One export's de-identification: its own random key for the pseudonyms, and a count of what it
    could not classify (``unclassified``: reason -> how many values were removed for it)."""

    def __init__(self, key: bytes | None = None):
        self._key = key or secrets.token_bytes(32)
        self.unclassified: Counter[str] = Counter()

    def pseudonym(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]

    def event(self, event: dict[str, Any], protocol: Protocol | None) -> dict[str, Any]:
        """A de-identified copy of one event as a JSON dict (``event.model_dump(mode="json")``)."""
        out: dict[str, Any] = {}
        for name, value in event.items():
            if name == "at":
                out[name] = hour(datetime.fromisoformat(value)).isoformat()
            elif name == "value" and event.get("kind") in ("answered", "revised"):
                out[name] = self._answer(str(event.get("question", "")), value, protocol)
            elif name in FREE_TEXT_FIELDS or name in REMOVED_FIELDS:
                out[name] = REMOVED if value else value
            elif name in PSEUDONYM_FIELDS:
                out[name] = self.pseudonym(PSEUDONYM_FIELDS[name], str(value)) if value else value
            elif name in ID_FIELDS:
                out[name] = value if value is None or (isinstance(value, str) and _ID.match(value)) else REMOVED
            elif name in FLAG_FIELDS and isinstance(value, bool):
                out[name] = value
            elif name in TIME_FIELDS and isinstance(value, str):
                out[name] = hour(datetime.fromisoformat(value)).isoformat()
            elif name in DETAIL_FIELDS and isinstance(value, dict):
                out[name] = {
                    str(k): v if isinstance(v, str) and _ID.match(v) else REMOVED
                    for k, v in value.items()
                    if isinstance(k, str) and _ID.match(k)
                }
            else:
                self.unclassified[f'the field "{name}" of {event.get("kind", "an")} events'] += 1
                out[name] = REMOVED
        return {k: scrub(v) for k, v in out.items()}

    def _answer(self, question: str, value: Any, protocol: Protocol | None) -> Any:
        if protocol is None:
            self.unclassified["answers of calls whose protocol file was not found"] += 1
            return REMOVED
        compiled = protocol.question_by_id.get(question)
        if compiled is None:
            self.unclassified["answers to questions the protocol does not have"] += 1
            return REMOVED
        if compiled.type == "text":
            return REMOVED
        if compiled.type == "number":
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else REMOVED
        options = compiled.option_ids
        if isinstance(value, list):
            kept = [v for v in value if isinstance(v, str) and v in options]
            return kept if len(kept) == len(value) else [*kept, REMOVED]
        return value if isinstance(value, str) and value in options else REMOVED

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

    def report(self) -> str:
        """What was removed because it could not be classified, for the export's closing line ('' if nothing)."""
        if not self.unclassified:
            return ""
        parts = [f"{count} {what}" for what, count in sorted(self.unclassified.items())]
        return "removed because they could not be classified: " + "; ".join(parts)


def scrub(value: Any) -> Any:
    """Phone numbers and e-mail addresses removed from any text left in ``value``."""
    if isinstance(value, str):
        return PHONE.sub("[phone removed]", EMAIL.sub("[email removed]", value))
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value
