"""EIDO in: a call transferred from another PSAP, a 988 centre or a CAD starts from its EIDO.

``crisis-triage call --from-eido FILE|URL`` reads the sender's EIDO (leniently: senders fill what
they have), and the new call opens with what it says: the caller's language, the location and the
caller's name as answers, the callback number and the incident id kept in an
:class:`~crisis_triage.engine.events_eido.IncidentReceived` event (so every EIDO this console sends
about the call is an update of the same incident), and the sender's notes as notes the call-taker
sees. No wrong door across systems.
"""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..engine.events import Answered, AnyEvent, CallStarted, NoteAdded
from ..engine.events_eido import IncidentReceived
from ..engine.session import MAX_TEXT
from ..protocol.compiled import Protocol
from ..untrusted import MAX_LINE_CHARS, UntrustedInputError, decode_utf8, load_json, read_bounded
from .eido import ISO_639_3

#: Location types to read the call's location from, most useful first.
LOCATION_PREFERENCE = ("CurrentIncident", "InitialIncident", "Caller", "Other", "RoutingLocation")
#: PIDF-LO civic address elements (RFC 5139) in the order an address is written.
CIVIC_ORDER = ("HNO", "HNS", "PRD", "RD", "STS", "POD", "LOC", "A6", "A3", "A1", "PC")
LANGUAGE_OF_ISO_639_3 = {v: k for k, v in ISO_639_3.items()}
#: Longest incident id taken from another system (NENA's are a urn of two ids and a domain).
MAX_INCIDENT_ID = 256


class EidoInError(Exception):
    """The EIDO cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Transfer:
    """What the sender's EIDO tells the call-taker."""

    incident_id: str
    sender: str
    language: str | None
    """A language code of the protocol, when the EIDO names one the protocol has."""
    location: str | None
    caller_name: str | None
    callback: tuple[str, ...]
    notes: tuple[str, ...]


def load_eido(source: str, token: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """The EIDO at ``source``: a file, or an http(s) URL (an EIDO retrieval service; ``token`` is sent
    as a bearer token). Read as untrusted input: bounded in size, nesting and numbers."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(
            source, headers={"Accept": "application/emergency.eido+json, application/json"}
        )
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read(MAX_LINE_CHARS + 1)
        except urllib.error.HTTPError as exc:
            raise EidoInError(f"{source}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise EidoInError(f"{source}: {getattr(exc, 'reason', exc)}") from None
        if len(raw) > MAX_LINE_CHARS:
            raise EidoInError(f"{source}: the EIDO is over {MAX_LINE_CHARS:,} bytes")
    else:
        try:
            raw = read_bounded(source, MAX_LINE_CHARS, "EIDO")
        except UntrustedInputError as exc:
            raise EidoInError(f"{source}: {exc}") from None
    try:
        document = load_json(decode_utf8(raw, "EIDO"), "EIDO")
    except UntrustedInputError as exc:
        where = f":{exc.line}:{exc.column}" if exc.line else ""
        raise EidoInError(f"{source}{where}: {exc}") from None
    return check_eido(document, source)


def check_eido(document: Any, source: str) -> dict[str, Any]:
    """``document`` if it is an EIDO this console can start a call from (a JSON object with an incident id)."""
    if not isinstance(document, dict) or not isinstance(document.get("$id"), str) or not document["$id"].strip():
        raise EidoInError(f"{source}: not an EIDO (expected a JSON object whose $id is the incident id)")
    if len(document["$id"]) > MAX_INCIDENT_ID:
        raise EidoInError(f"{source}: the incident id is over {MAX_INCIDENT_ID} characters")
    return document


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _list(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [c for c in _items(document.get(name)) if isinstance(c, dict)]


def _plain(text: str) -> str:
    """notesActionComments is HTML5: the text of it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _civic_address(pidf: str) -> str | None:
    if re.search(r"<!(DOCTYPE|ENTITY)", pidf, re.IGNORECASE):
        return None  # a PIDF-LO has no DTD; one from another system could expand entities without end
    try:
        root = ElementTree.fromstring(pidf)
    except ElementTree.ParseError:
        return None
    parts: dict[str, str] = {}
    for element in root.iter():
        if element.tag.endswith("}civicAddress"):
            for child in element:
                parts[child.tag.rsplit("}", 1)[-1]] = (child.text or "").strip()
            break
    words = [parts[k] for k in CIVIC_ORDER if parts.get(k)]
    return " ".join(words) or None


def _location(document: dict[str, Any]) -> str | None:
    locations = _list(document, "locationComponent")
    rank = {kind: n for n, kind in enumerate(LOCATION_PREFERENCE)}

    def preference(location: dict[str, Any]) -> int:
        kind = location.get("locationTypeDescriptionRegistryText")
        return rank.get(kind, 99) if isinstance(kind, str) else 99

    for location in sorted(locations, key=preference):
        text = location.get("locationDescriptionText")
        if isinstance(text, str) and text.strip():
            return text.strip()
        value = location.get("locationByValue")
        if isinstance(value, str) and (address := _civic_address(value)):
            return address
    return None


def _caller(document: dict[str, Any]) -> dict[str, Any]:
    people = _list(document, "personComponent")
    return next(
        (p for p in people if "Caller" in _items(p.get("personIncidentRoleRegistryText"))), people[0] if people else {}
    )


def _name(person: dict[str, Any]) -> str | None:
    niem = _dict(person.get("ncPersonComponent"))
    for name in map(_dict, _items(niem.get("name"))):
        full = [t.get("value") for t in _items(name.get("personFullName")) if isinstance(t, dict)]
        if full and isinstance(full[0], str) and full[0].strip():
            return full[0].strip()
        parts = [
            t.get("value")
            for key in ("personGivenName", "personSurName")
            for t in _items(name.get(key))
            if isinstance(t, dict) and isinstance(t.get("value"), str)
        ]
        if any(parts):
            return " ".join(p for p in parts if p)
    return None


def _language(person: dict[str, Any], protocol: Protocol) -> str | None:
    niem = _dict(person.get("ncPersonComponent"))
    for language in map(_dict, _items(niem.get("primaryLanguage"))):
        for code in _items(language.get("languageCode")):
            value = code.get("simpleType") if isinstance(code, dict) else None
            if not isinstance(value, str):
                continue
            short = LANGUAGE_OF_ISO_639_3.get(value, value)
            if short in protocol.languages:
                return short
    return None


def _callback(document: dict[str, Any], person: dict[str, Any]) -> tuple[str, ...]:
    callbacks = {c["$id"]: c for c in _list(document, "callbackComponent") if isinstance(c.get("$id"), str)}
    wanted = [person.get("callBackReference")] + [c.get("callBackReference") for c in _list(document, "callComponent")]
    for reference in wanted:
        if isinstance(reference, dict) and isinstance(reference.get("$ref"), str) and reference["$ref"] in callbacks:
            return _uris(callbacks[reference["$ref"]])
    first = next(iter(callbacks.values()), {})
    return _uris(first)


def _uris(callback: dict[str, Any]) -> tuple[str, ...]:
    return tuple(u[:MAX_TEXT] for u in _items(callback.get("callBackInformationUri")) if isinstance(u, str))[:5]


def read_transfer(document: dict[str, Any], protocol: Protocol) -> Transfer:
    """What the call-taker should start with, from the sender's EIDO."""
    person = _caller(document)
    sender = document.get("issuingElementIdentification")
    if not isinstance(sender, str):
        sender = _dict(document.get("updatedByAgencyReference")).get("$ref")
    notes = tuple(
        _plain(n["notesActionComments"])[:MAX_TEXT]
        for n in _list(document, "notesComponent")
        if isinstance(n.get("notesActionComments"), str) and _plain(n["notesActionComments"])
    )
    return Transfer(
        incident_id=document["$id"],
        sender=sender[:200] if isinstance(sender, str) else "",
        language=_language(person, protocol),
        location=_location(document),
        caller_name=_name(person),
        callback=_callback(document, person),
        notes=notes,
    )


def opening_events(
    protocol: Protocol,
    transfer: Transfer,
    at: datetime,
    *,
    door: str | None = None,
    line: str | None = None,
    district: str | None = None,
    language: str = "en",
) -> list[AnyEvent]:
    """The first events of the transferred call, all at ``at``."""
    events: list[AnyEvent] = [
        CallStarted(at=at, door=door, line=line, district=district, language=transfer.language or language),
        IncidentReceived(at=at, incident_id=transfer.incident_id, sender=transfer.sender, callback=transfer.callback),
    ]
    for question, value in (("location", transfer.location), ("caller_name", transfer.caller_name)):
        spec = protocol.question_by_id.get(question)
        if value and spec is not None and spec.type == "text":
            events.append(Answered(at=at, question=question, value=value[:MAX_TEXT]))
    sender = transfer.sender or "the sending agency"
    for text in transfer.notes:
        events.append(NoteAdded(at=at, text=f"From {sender}: {text}"[:MAX_TEXT]))
    if transfer.callback:
        events.append(NoteAdded(at=at, text=f"Callback: {', '.join(transfer.callback)}"[:MAX_TEXT]))
    return events
