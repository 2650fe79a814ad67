"""The services a response can be "connected to": the referral directory's, checked and listed.

A disposition detail marked ``from_directory`` in the protocol (Boston's ``connected_to_care`` →
``service``) holds a directory service's id, or ``other: <name>`` for a service the directory does
not list. :func:`receiving_service_problem` says why a value is not one (with "did you mean" for a
near miss); :func:`receiving_service_choices` lists what the disposition screen offers, the services
given or offered on the call first. Pure and textual-free like the rest of the engine.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..protocol.models import localized
from .evaluate import evaluate
from .referral_views import directory_views, kind_label, referral_views

if TYPE_CHECKING:
    from ..protocol.compiled import Protocol
    from ..protocol.directory import Directory
    from .state import CallState

OTHER = "other:"
"""The prefix of a service the directory does not list: ``other: Bay Cove walk-in``."""

_TRAILING_ID = re.compile(r"\(([a-z][a-z0-9_]*)\)\s*$")
"""``Recovery Access Center (albany_recovery_access)``: the console's picker writes the name, then the id."""


def receiving_service_id(value: str) -> str:
    """The directory id a recorded receiving service names: the value itself (``albany_recovery_access``),
    or the id in parentheses at its end (``Recovery Access Center (albany_recovery_access)``, as the
    console's disposition picker writes it); ``other: <name>`` and free text come back as given."""
    value = value.strip()
    match = _TRAILING_ID.search(value)
    return match.group(1) if match and not value.casefold().startswith(OTHER) else value


@dataclass(frozen=True)
class ReceivingServiceChoice:
    """One line of the "connected to care" picker."""

    value: str
    """What the disposition records: the service's id, or ``other:`` (the screen asks for the name)."""
    name: str
    kind_label: str
    note: str
    """Why it is near the top: ``given to the caller``, the referral rule's reason, or ``open now`` /
    ``opens Sat 08:00``; for the other line, what to type."""
    given: bool = False
    """A referral to this service was given on the call."""
    offered: bool = False
    """The protocol's referral rules offered it on the call."""

    @property
    def is_other(self) -> bool:
        return self.value == OTHER


def other_value(name: str) -> str:
    """The recorded value for a service the directory does not list."""
    return f"{OTHER} {name.strip()}"


def receiving_service_choices(
    protocol: Protocol, directory: Directory, state: CallState
) -> tuple[ReceivingServiceChoice, ...]:
    """Every service the call can be connected to, in the order a call-taker or dispatcher wants them:
    the referrals given on the call, then those the rules offered, then the rest of the directory that
    serves the call's district (open ones first), and last "other (name it)"."""
    language = state.language
    choices: list[ReceivingServiceChoice] = []
    seen: set[str] = set()
    for given in state.referrals:
        if given.service in seen or given.service not in directory.by_id:
            continue
        seen.add(given.service)
        whom = "the family" if given.to == "family" else "the caller"
        spec = directory.by_id[given.service].spec
        name = localized(spec.name, language)
        choices.append(
            ReceivingServiceChoice(spec.id, name, kind_label(spec.kind), f"given to {whom}", given=True, offered=True)
        )
    for view in referral_views(protocol, directory, state, evaluate(protocol, state)):
        if view.service in seen:
            continue
        seen.add(view.service)
        choices.append(ReceivingServiceChoice(view.service, view.name, view.kind_label, view.because, offered=True))
    for view in directory_views(directory, state.district, language, state.now):
        if view.service in seen:
            continue
        seen.add(view.service)
        choices.append(ReceivingServiceChoice(view.service, view.name, view.kind_label, view.open_text))
    choices.append(ReceivingServiceChoice(OTHER, "Other (name it)", "", 'not in the directory: "other: <name>"'))
    return tuple(choices)


def receiving_service_problem(directory: Directory, value: str) -> str | None:
    """Why ``value`` is not a receiving service of ``directory`` (None when it is one, or ``other: <name>``)."""
    value = value.strip()
    if receiving_service_id(value) in directory.by_id:
        return None
    if value.casefold().startswith(OTHER):
        if value[len(OTHER) :].strip():
            return None
        return f'name the service after "{OTHER}" (for example "{OTHER} Bay Cove walk-in")'
    return (
        f'"{value}" is not a service of the directory "{directory.title}"{_nearest(directory, value)}; '
        f'give the id of one of its services ({_file_name(directory)}) or "{OTHER} <name>" for one it does not list'
    )


def _file_name(directory: Directory) -> str:
    return directory.file.replace("\\", "/").rsplit("/", 1)[-1]


def _nearest(directory: Directory, value: str) -> str:
    """' (did you mean "id", Name?)' for the closest id or English name, matched without case."""
    by_word: dict[str, str] = {}
    for service in directory.services:
        by_word.setdefault(service.id.casefold(), service.id)
        by_word.setdefault(localized(service.spec.name, "en").casefold(), service.id)
    close = difflib.get_close_matches(value.casefold(), list(by_word), n=1, cutoff=0.6)
    if not close:
        return ""
    service_id = by_word[close[0]]
    return f' (did you mean "{service_id}", {localized(directory.by_id[service_id].spec.name, "en")}?)'


__all__ = [
    "OTHER",
    "ReceivingServiceChoice",
    "other_value",
    "receiving_service_choices",
    "receiving_service_id",
    "receiving_service_problem",
]
