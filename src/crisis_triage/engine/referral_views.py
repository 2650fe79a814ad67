"""Display-ready referrals: what the console's referral panel, the summaries and the follow-up show.

Pure and textual-free like :mod:`.views`: the wording of "open now" / "opens Sat 08:00", the kind's
label, the usual way to refer, the reason, and the event that records a referral given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..protocol.compiled import Protocol
from ..protocol.directory import Directory, DirectoryService
from ..protocol.directory_models import SERVICE_KINDS, Service
from ..protocol.models import localized
from .assessment import Assessment
from .events import AnyEvent
from .events_referrals import ReferralGiven
from .referrals import OfferedReferral, referrals_for_call
from .state import CallState

HOW = {"phone": "phone", "walk_in": "walk in at", "warm_transfer": "warm transfer", "text": "text", "online": "online"}


def kind_label(kind: str, language: str = "en") -> str:
    """The kind's name (``detox_recovery`` -> "Detox and recovery")."""
    return localized(SERVICE_KINDS.get(kind), language) or kind.replace("_", " ")


def contact(service: Service) -> str:
    """The usual way to refer, in words: ``phone 617-555-0101``, ``walk in at 85 East Newton St``."""
    way = service.refer[0]
    return f"{HOW[way.how]} {way.detail}"


@dataclass(frozen=True)
class ReferralView:
    """One service as the panel lists it."""

    service: str
    kind: str
    kind_label: str
    name: str
    """In the caller's language where the directory has it (it is said to the caller)."""
    to: str
    """``person`` or ``family``."""
    open_text: str
    """``open now``, ``opens Sat 08:00`` or ``closed``."""
    open_now: bool
    speaks_language: bool
    contact: str
    because: str
    """Why it is offered (the rule's reason, in English for the call-taker); empty when not offered."""
    capacity: str
    rule: str = ""


def open_text(open_now: bool, opens_at: datetime | None, directory: Directory) -> str:
    if open_now:
        return "open now"
    if opens_at is None:
        return "closed"
    return f"opens {directory.local(opens_at):%a %H:%M}"


def offered_view(offer: OfferedReferral, directory: Directory, language: str, at: datetime) -> ReferralView:
    service = offer.service
    return ReferralView(
        service=service.id,
        kind=offer.kind,
        kind_label=kind_label(offer.kind),
        name=localized(service.name, language),
        to=offer.to,
        open_text=open_text(offer.open_now, offer.opens_at(directory, at), directory),
        open_now=offer.open_now,
        speaks_language=offer.speaks_language,
        contact=contact(service),
        because=localized(offer.because, "en"),
        capacity=service.capacity,
        rule=offer.rule,
    )


def referral_views(
    protocol: Protocol, directory: Directory, state: CallState, assessment: Assessment
) -> tuple[ReferralView, ...]:
    """The referrals the engine offers on this call, worded for the panel."""
    language = state.language
    return tuple(
        offered_view(o, directory, language, state.now)
        for o in referrals_for_call(protocol, directory, state, assessment)
    )


def directory_views(
    directory: Directory, district: str | None, language: str, at: datetime, *, kind: str | None = None
) -> tuple[ReferralView, ...]:
    """Every service serving ``district`` (optionally of one kind), open ones first: for picking a
    service the rules did not offer (a youth service, "connected to care" at follow-up)."""
    local_minute = _minute(directory, at)
    rows = []
    for service in directory.services:
        if not service.serves_district(district) or (kind is not None and service.kind != kind):
            continue
        wait = service.hours.minutes_until_open(local_minute)
        rows.append(((wait != 0, wait if wait is not None else 10**9, service.index), service))
    rows.sort(key=lambda pair: pair[0])
    return tuple(_plain_view(service, directory, language, at) for _, service in rows)


def _minute(directory: Directory, at: datetime) -> int:
    from ..protocol.directory import minute_of_week

    return minute_of_week(directory.local(at))


def _plain_view(service: DirectoryService, directory: Directory, language: str, at: datetime) -> ReferralView:
    opens = directory.opens_at(service, at)
    spec = service.spec
    is_open = opens == at
    return ReferralView(
        service=spec.id,
        kind=spec.kind,
        kind_label=kind_label(spec.kind),
        name=localized(spec.name, language),
        to="family" if not spec.serves.person else "person",
        open_text=open_text(is_open, None if is_open else opens, directory),
        open_now=is_open,
        speaks_language=language in spec.languages,
        contact=contact(spec),
        because="",
        capacity=spec.capacity,
    )


def referral_event(directory: Directory, service_id: str, to: str, at: datetime, rule: str = "") -> ReferralGiven:
    """The event recording that ``service_id`` was given to the ``caller`` or the ``family``."""
    spec = directory.by_id[service_id].spec
    return ReferralGiven(
        at=at,
        service=spec.id,
        service_kind=spec.kind,
        service_name=localized(spec.name, "en"),
        contact=contact(spec),
        to=to,
        directory=directory.id,
        rule=rule,
    )


def referrals_given(events: Iterable[AnyEvent]) -> tuple[ReferralGiven, ...]:
    """The referrals given on a call, oldest first."""
    return tuple(e for e in events if isinstance(e, ReferralGiven))


def given_line(event: ReferralGiven) -> str:
    """One referral given, in words for summaries: ``Recovery Access Center (Detox and recovery), to
    the family: phone 617-555-0130``."""
    whom = "to the family" if event.to == "family" else "to the caller"
    how = f": {event.contact}" if event.contact else ""
    return f"{event.service_name} ({kind_label(event.service_kind)}), {whom}{how}"


__all__ = [
    "ReferralView",
    "contact",
    "directory_views",
    "given_line",
    "kind_label",
    "offered_view",
    "referral_event",
    "referral_views",
    "referrals_given",
]
