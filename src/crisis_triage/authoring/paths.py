"""The coverage table of ``crisis-triage paths``: where the paths through a protocol end, per door."""

from __future__ import annotations

from typing import Any

from .explore import EndClass, Exploration

_BORING: tuple[Any, ...] = ("no", None, "(any text)", [])


def rows(exploration: Exploration) -> list[EndClass]:
    """End classes in reading order: door as listed, band lowest first, then rule order."""
    protocol = exploration.protocol
    door_order = {d: i for i, d in enumerate(exploration.doors)}
    band_order = {b: i for i, b in enumerate(protocol.band_ids)}
    rule_order = {r.spec.id: i for i, r in enumerate(protocol.rules)}
    return sorted(
        exploration.ends,
        key=lambda e: (
            door_order.get(e.door, 99),
            band_order.get(e.outcome.band, 99),
            rule_order.get(e.outcome.rule, 99),
            e.outcome.model,
        ),
    )


def coverage(exploration: Exploration) -> dict[str, Any]:
    protocol = exploration.protocol
    return {
        "questions_asked": len(exploration.asked),
        "questions": len(protocol.questions),
        "bands_reached": [b for b in protocol.band_ids if b in exploration.bands_reached],
        "bands": list(protocol.band_ids),
        "rules_fired": [r.spec.id for r in protocol.rules if r.spec.id in exploration.rules_fired],
        "rules": [r.spec.id for r in protocol.rules],
        "models_sent": sorted({e.outcome.model for e in exploration.ends}),
    }


def example_text(end: EndClass, limit: int = 6) -> str:
    """The example path's telling answers: those other than "no" (and skips), at most ``limit``."""
    parts = [f"{qid}={_show(value)}" for qid, value in end.example.items() if value not in _BORING]
    if not parts:
        return "every answer no (optional questions skipped)"
    more = f" (+{len(parts) - limit})" if len(parts) > limit else ""
    return ", ".join(parts[:limit]) + more + "; others no or skipped"


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ",".join(value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def referrals_by_row(exploration: Exploration) -> dict[int, str]:
    """The kinds of service each row's example call is offered (by ``id`` of the row); empty when the
    protocol has no referral rules."""
    protocol = exploration.protocol
    if not protocol.referral_rules:
        return {}
    from .explore import example_moment, example_session
    from .referral_checks import row_referrals

    moment = example_moment(protocol, exploration.hour)
    found = {}
    for end in exploration.ends:
        found[id(end)] = row_referrals(protocol, example_session(protocol, end, moment))
    return found


def as_json(exploration: Exploration) -> dict[str, Any]:
    protocol = exploration.protocol
    referrals = referrals_by_row(exploration)
    return {
        "protocol": protocol.id,
        "version": protocol.version,
        "exact": exploration.exact,
        "notes": exploration.notes,
        "hour": exploration.hour,
        "district": exploration.district,
        "doors": list(exploration.doors),
        "total_paths": exploration.total_paths(),
        "rows": [
            {
                "door": e.door,
                "band": e.outcome.band,
                "rule": e.outcome.rule,
                "preferred_model": e.outcome.preferred_model,
                "model": e.outcome.model,
                "team": list(e.outcome.team),
                "guarantees": list(e.outcome.guarantees),
                "paths": e.paths,
                "example": e.example,
                "skipped": list(e.skipped),
                "context": e.example_context,
                "referrals": referrals.get(id(e), "-").split(", ") if referrals else [],
            }
            for e in rows(exploration)
        ],
        "coverage": coverage(exploration),
    }


def as_text(exploration: Exploration, *, width_example: int = 70) -> str:
    protocol = exploration.protocol
    table = rows(exploration)
    referrals = referrals_by_row(exploration)
    header: tuple[str, ...] = ("door", "band", "rule", "recommends", "sent: model [team]", "paths", "example")
    if referrals:
        header = header[:6] + ("referrals (kinds offered)",) + header[6:]
    body = []
    for e in table:
        sent = (
            e.outcome.model if e.outcome.model != e.outcome.preferred_model else "same"
        ) + f" [{', '.join(e.outcome.team)}]"
        body.append(
            (
                e.door,
                e.outcome.band,
                e.outcome.rule,
                e.outcome.preferred_model,
                sent,
                f"{e.paths:,}",
                *([referrals[id(e)]] if referrals else []),
                example_text(e)[:width_example],
            )
        )
    widths = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]
    lines = []
    how = "exact" if exploration.exact else "SAMPLED (lower bounds)"
    district = exploration.district or "not given"
    lines.append(
        f"Paths through {protocol.id} {protocol.version}: {len(table)} outcome classes over {exploration.total_paths():,} "
        f"distinct paths ({how}); calls at {int(exploration.hour):02d}:00, district {district}"
    )
    for note in exploration.notes:
        lines.append(f"note: {note}")
    lines.append("")
    fmt = "  ".join(f"{{:<{w}}}" if i != 5 else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines.append(fmt.format(*header))
    lines.append(fmt.format(*("-" * w for w in widths)))
    previous = None
    for row in body:
        if previous is not None and row[0] != previous:
            lines.append("")
        previous = row[0]
        lines.append(fmt.format(*row))
    cov = coverage(exploration)
    lines.append("")
    missing_rules = [r for r in cov["rules"] if r not in cov["rules_fired"]]
    missing_bands = [b for b in cov["bands"] if b not in cov["bands_reached"]]
    lines.append(
        f"coverage: questions asked {cov['questions_asked']}/{cov['questions']}, "
        f"bands reached {len(cov['bands_reached'])}/{len(cov['bands'])}"
        + (f" (never: {', '.join(missing_bands)})" if missing_bands else "")
        + f", rules applied {len(cov['rules_fired'])}/{len(cov['rules'])}"
        + (f" (never: {', '.join(missing_rules)})" if missing_rules else "")
    )
    lines.append(
        '"sent" is the model after availability at that hour and district (fallbacks) and the safety guarantees.'
    )
    if referrals:
        lines.append('"referrals" are the kinds of service the referral rules offer the example call of the row.')
    return "\n".join(lines)
