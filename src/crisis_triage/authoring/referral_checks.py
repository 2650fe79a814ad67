"""What ``lint`` and ``paths`` say about referrals.

lint: a referral rule points at a kind of service with no service open at some hour of the week in
some district ("no detox and recovery referral open Sat 14:00-Mon 07:00 in E18"), entries whose
``last_verified`` is older than the directory allows, and a directory that does not load.
paths: the kinds of service each outcome row's example call is offered.

===================  ========  =================================================================
code                 severity  finding
===================  ========  =================================================================
directory-problem    error     the directory the protocol names does not load (its first problem)
referral-gap         warning   a rule's kind has no service open at some hours in some districts
directory-stale      info      an entry last verified longer ago than ``verify_every_days``
===================  ========  =================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..engine.referral_views import kind_label
from ..engine.referrals import referral_kinds, referral_names
from ..protocol.directory import WEEK, Directory, DirectoryService, load_directory_for
from ..protocol.directory_models import DAYS
from ..protocol.errors import Problem, ProtocolError
from .source import LoadedProtocol

#: Gaps listed in one finding before "and N more".
MAX_GAPS = 4


def _fits(service: DirectoryService, district: str, to: str, need: str | None) -> bool:
    serves = service.spec.serves
    if not service.serves_district(district) or not (serves.family if to == "family" else serves.person):
        return False
    return need is None or not serves.needs or need in serves.needs


def closed_spans(services: Iterable[DirectoryService]) -> list[tuple[int, int]]:
    """Minute-of-week spans when none of ``services`` is open (a span may wrap past Sunday midnight:
    then its end is above ``WEEK``)."""
    spans = sorted(span for service in services for span in service.hours.intervals)
    gaps: list[tuple[int, int]] = []
    reached = 0
    for start, end in spans:
        if start > reached:
            gaps.append((reached, start))
        reached = max(reached, end)
    if reached < WEEK:
        gaps.append((reached, WEEK))
    if len(gaps) > 1 and gaps[0][0] == 0 and gaps[-1][1] == WEEK:  # Sunday night into Monday
        gaps = gaps[1:-1] + [(gaps[-1][0], WEEK + gaps[0][1])]
    return gaps


def _when(minute: int) -> str:
    minute %= WEEK
    return f"{DAYS[minute // 1440].capitalize()} {minute % 1440 // 60:02d}:{minute % 60:02d}"


def describe_gaps(gaps: list[tuple[int, int]]) -> str:
    """``Sat 14:00-Mon 07:00, Mon 22:00-Tue 07:00`` (longest first; or ``at any hour``)."""
    if gaps == [(0, WEEK)]:
        return "at any hour"
    longest = sorted(gaps, key=lambda gap: (gap[0] - gap[1], gap[0]))
    shown = ", ".join(f"{_when(start)}-{_when(end)}" for start, end in longest[:MAX_GAPS])
    more = f" and {len(gaps) - MAX_GAPS} more" if len(gaps) > MAX_GAPS else ""
    return shown + more


def referral_findings(loaded: LoadedProtocol, today: date | None = None) -> list[Problem]:
    """Every referral finding of a protocol (none when it has no referrals block)."""
    protocol = loaded.protocol
    block = protocol.document.referrals
    if block is None:
        return []
    try:
        directory = load_directory_for(protocol)
    except ProtocolError as exc:
        first = exc.problems[0] if exc.problems else "unreadable"
        return [
            loaded.source.problem(
                "directory-problem", f"the referral directory does not load: {first}", ("referrals", "directory")
            )
        ]
    if directory is None:
        return []
    return gap_findings(loaded, directory) + stale_findings(directory, today or date.today())


def gap_findings(loaded: LoadedProtocol, directory: Directory) -> list[Problem]:
    protocol = loaded.protocol
    findings: list[Problem] = []
    if protocol.document.referrals is None:
        return findings
    for i, rule in enumerate(protocol.document.referrals.rules):
        for j, kind in enumerate(rule.offer):
            by_gaps: dict[tuple[tuple[int, int], ...], list[str]] = {}
            for district in protocol.districts:
                services = [s for s in directory.by_kind.get(kind, ()) if _fits(s, district, rule.to, rule.need)]
                gaps = tuple(closed_spans(services))
                if gaps:
                    by_gaps.setdefault(gaps, []).append(district)
            for gaps, districts in by_gaps.items():
                whom = " for families" if rule.to == "family" else ""
                need = f" meeting {rule.need.replace('_', ' ')}" if rule.need else ""
                findings.append(
                    loaded.source.problem(
                        "referral-gap",
                        f'rule "{rule.id}": no {kind_label(kind).lower()} referral{whom}{need} open '
                        f"{describe_gaps(list(gaps))} in {', '.join(districts)}",
                        ("referrals", "rules", i, "offer", j),
                        severity="warning",
                    )
                )
    return findings


def stale_findings(directory: Directory, today: date) -> list[Problem]:
    limit = directory.document.directory.verify_every_days
    findings = []
    for i, service in enumerate(directory.services):
        verified = service.spec.last_verified
        age = (today - verified).days
        if age > limit:
            line, column = directory.source.locate(("services", i, "last_verified")) if directory.source else (0, 0)
            findings.append(
                Problem(
                    "directory-stale",
                    f'"{service.id}" was last verified {verified:%Y-%m-%d}, {age} days ago (the directory asks '
                    f"for every {limit} days): check it with the service",
                    directory.file,
                    line,
                    column,
                    ("services", i, "last_verified"),
                    "info",
                )
            )
    return findings


def row_referrals(protocol, session) -> str:
    """The kinds of service a call is offered, for a ``paths`` row: ``detox_recovery, family_support (family)``."""
    names = referral_names(protocol, session.state, session.assessment)
    kinds = referral_kinds(protocol, names)
    return ", ".join(dict.fromkeys(kind + (" (family)" if to == "family" else "") for _, kind, to in kinds)) or "-"
