"""What the pilot report says, whatever it is drawn as: the headline figures, the count tables, the
outcome tables and the JSON data. Text (:mod:`.render`) and HTML (:mod:`.render_html`) both draw from
here, so a figure cannot differ between them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any

from .figures import CONTACT_STATES, DOOR_DIMENSIONS, FOLLOW_UP_STATES, Figures, percentile


def _ordered(counts: Counter, order: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Known keys in ``order`` first (those with calls), then the rest by count."""
    order = [k for k in order if counts.get(k)]
    rest = sorted((k for k in counts if k not in order), key=lambda k: (-counts[k], str(k)))
    return [(k, counts[k]) for k in order + rest]


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}"


def _pct(count: int, whole: int) -> str:
    return f"{count} of {whole} ({100 * count / whole:.1f}%)" if whole else f"{count} of 0"


def sections(
    figures: Figures,
    *,
    models: Iterable[str] = (),
    bands: Iterable[str] = (),
    districts: Iterable[str] = (),
    doors: Iterable[str] = (),
) -> list[tuple[str, list[tuple[str, int]]]]:
    """The count tables of the report (shares of all calls), in the order they are printed."""
    f = figures
    return [
        ("response model (dispatched calls)", _ordered(f.per_model, models)),
        ("not dispatched (how the call ended)", _ordered(f.not_dispatched)),
        ("district", _ordered(f.per_district, districts)),
        ("risk band", _ordered(f.per_band, bands)),
        ("door (who called)", _ordered(f.per_door, doors)),
        ("disposition", _ordered(f.dispositions)),
    ]


def headline(figures: Figures) -> list[tuple[str, str]]:
    """(label, value) pairs: the shares and times the evaluator quotes."""
    f = figures
    r = f.roles
    p50, p90 = percentile(f.seconds_to_recommendation, 50), percentile(f.seconds_to_recommendation, 90)
    d50, d90 = percentile(f.seconds_to_dispatch, 50), percentile(f.seconds_to_dispatch, 90)
    on_scene = [s for values in f.on_scene_by_model.values() for s in values]
    contact_required = sum(f.contact.values())
    owed = sum(f.followups.values())
    return [
        ("calls", f"{f.calls}" + (f" ({f.unfinished} unfinished)" if f.unfinished else "")),
        ("dispatched", _pct(f.dispatched, f.calls)),
        ("not dispatched", _pct(f.calls - f.dispatched, f.calls)),
        (f"police involved ({', '.join(r.police)})", _pct(f.police, f.dispatched) + " of dispatched"),
        (f"with a clinician ({', '.join(r.clinician)})", _pct(f.clinician, f.dispatched) + " of dispatched"),
        (
            f"with a mental-health professional ({', '.join(r.mental_health)})",
            _pct(f.mental_health, f.dispatched) + " of dispatched",
        ),
        ("dispatched to the call line (warm handoff)", _pct(f.call_line_dispatched, f.dispatched) + " of dispatched"),
        ("call line added beside a team", _pct(f.call_line_beside, f.dispatched) + " of dispatched"),
        ("handoffs accepted", _pct(f.handoffs_accepted, f.handoffs) + " handoffs"),
        ("preferred model unavailable", _pct(f.preferred_unavailable, f.calls)),
        ("departures from the recommendation", _pct(f.departures, f.dispatched) + " of dispatched"),
        (
            "calls given a referral",
            f"{f.referred} ({f.share(f.referred):.1f}%), {sum(f.referrals_by_kind.values())} referrals",
        ),
        ("time to recommendation p50 / p90", f"{_seconds(p50)} / {_seconds(p90)} (min:s)"),
        ("time to dispatch p50 / p90", f"{_seconds(d50)} / {_seconds(d90)} (min:s)"),
        ("disposition recorded", _pct(f.with_disposition, f.dispatched) + " of dispatched"),
        (
            "resolved without arrest, ER, hold or not found",
            _pct(f.resolved_without, f.with_disposition) + " with a disposition",
        ),
        ("connected to care", _pct(f.connected, f.with_disposition) + " with a disposition"),
        (
            "time to on scene p50 / p90",
            f"{_seconds(percentile(on_scene, 50))} / {_seconds(percentile(on_scene, 90))} (min:s, {len(on_scene)} calls)",
        ),
        (
            "contact confirmed in time",
            _pct(f.contact["in_time"], contact_required)
            + " requiring it"
            + (
                f"; {f.contact['missed']} missed, {f.contact['late']} late, {f.contact['open']} open"
                if contact_required
                else ""
            ),
        ),
        (
            "follow-ups done on time",
            _pct(f.followups["on_time"], owed)
            + " owed"
            + (
                f"; {f.followups['late']} late, {f.followups['overdue']} overdue, {f.followups['open']} not due yet"
                if owed
                else ""
            ),
        ),
        (
            "no-police requests honoured",
            _pct(f.no_police_honoured, f.no_police_requests) + f" dispatched calls ({', '.join(r.no_police_facts)})",
        ),
    ]


def report_data(figures: Figures) -> dict[str, Any]:
    """Every figure as plain JSON-ready data (what ``report --json`` prints)."""
    f = figures
    on_scene = [s for values in f.on_scene_by_model.values() for s in values]

    def p(values: list[float]) -> dict[str, float | None]:
        return {"p50": percentile(values, 50), "p90": percentile(values, 90), "calls": len(values)}

    compared = f.strata_compared()
    return {
        "calls": f.calls,
        "unfinished": f.unfinished,
        "dispatched": f.dispatched,
        "not_dispatched": dict(f.not_dispatched),
        "per_model": dict(f.per_model),
        "recommended": dict(f.recommended),
        "per_district": dict(f.per_district),
        "per_band": dict(f.per_band),
        "per_door": dict(f.per_door),
        "roles": {
            "police": list(f.roles.police),
            "clinician": list(f.roles.clinician),
            "mental_health": list(f.roles.mental_health),
        },
        "police": f.police,
        "clinician": f.clinician,
        "mental_health": f.mental_health,
        "call_line_dispatched": f.call_line_dispatched,
        "call_line_beside": f.call_line_beside,
        "handoffs": f.handoffs,
        "handoff_outcomes": dict(f.handoff_outcomes),
        "handoff_landed": dict(f.landed),
        "preferred_unavailable": f.preferred_unavailable,
        "unavailable_reasons": [
            {"preferred": a, "sent": b, "reason": r, "calls": n} for (a, b, r), n in f.unavailable_reasons.most_common()
        ],
        "departures": f.departures,
        "departure_models": [
            {"recommended": a, "dispatched": b, "calls": n} for (a, b), n in f.departure_models.most_common()
        ],
        "seconds_to_recommendation": p(f.seconds_to_recommendation),
        "seconds_to_dispatch": p(f.seconds_to_dispatch),
        "outcomes": {
            "with_disposition": f.with_disposition,
            "dispositions": dict(f.dispositions),
            "resolved_without_arrest_er_hold_or_not_found": f.resolved_without,
            "connected_to_care": f.connected,
            "receiving_services": dict(f.receiving_services.most_common()),
            "by_model": {m: dict(c) for m, c in sorted(f.by_model.items())},
            "seconds_to_on_scene": p(on_scene),
            "seconds_to_on_scene_by_model": {m: p(v) for m, v in sorted(f.on_scene_by_model.items())},
            "seconds_to_on_scene_by_district": {d: p(v) for d, v in sorted(f.on_scene_by_district.items())},
            "contact_confirmation": {s: f.contact[s] for s in CONTACT_STATES},
            "followups": {s: f.followups[s] for s in FOLLOW_UP_STATES},
            "followups_by_rule": {
                r: {s: c[s] for s in FOLLOW_UP_STATES} for r, c in sorted(f.followups_by_rule.items())
            },
        },
        "no_wrong_door": {
            "strata_compared": compared,
            "differing": [
                {
                    "dimension": dimension,
                    "band": band,
                    "facts": list(facts),
                    "responses": {value: dict(models) for value, models in sorted(values.items())},
                }
                for dimension, (band, facts), values in f.wrong_door()
            ],
        },
        "no_police_requested": {
            "facts": list(f.roles.no_police_facts),
            "calls": f.no_police_requests,
            "honoured": f.no_police_honoured,
            "overridden_by": dict(f.no_police_overrides),
        },
        "weeks": {
            week: {
                "calls": w.calls,
                "dispatched": w.dispatched,
                "police": w.police,
                "with_disposition": w.with_disposition,
                "resolved_without": w.resolved_without,
            }
            for week, w in sorted(f.weeks.items())
        },
        "protocols": dict(f.protocols),
        "unreadable": [{"reason": r, "calls": n} for r, n in f.unreadable.most_common()],
    }


def outcome_tables(f: Figures) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of the outcome tables, for text and HTML alike."""
    tables = []
    if f.by_model:
        tables.append(
            (
                "outcomes by model (dispatched calls)",
                [
                    "model",
                    "dispatched",
                    "disposition",
                    "arrests",
                    "involuntary holds",
                    "emergency room",
                    "on scene p50 / p90",
                ],
                [
                    [
                        m,
                        c["dispatched"],
                        c["disposition"],
                        c["arrest"],
                        c["involuntary_hold"],
                        c["emergency_room"],
                        f"{_seconds(percentile(f.on_scene_by_model.get(m, []), 50))} / "
                        f"{_seconds(percentile(f.on_scene_by_model.get(m, []), 90))}",
                    ]
                    for m, c in sorted(f.by_model.items(), key=lambda kv: -kv[1]["dispatched"])
                ],
            )
        )
    if f.on_scene_by_district:
        tables.append(
            (
                "time to on scene by district (min:s)",
                ["district", "calls", "p50", "p90"],
                [
                    [d, len(v), _seconds(percentile(v, 50)), _seconds(percentile(v, 90))]
                    for d, v in sorted(f.on_scene_by_district.items())
                ],
            )
        )
    if f.followups_by_rule:
        tables.append(
            (
                "follow-ups by rule",
                ["rule", *FOLLOW_UP_STATES],
                [[r, *(c[s] for s in FOLLOW_UP_STATES)] for r, c in sorted(f.followups_by_rule.items())],
            )
        )
    compared = f.strata_compared()
    differing = f.wrong_door()
    rows = []
    for dimension, (band, facts), values in differing:
        for value, models in sorted(values.items()):
            rows.append(
                [
                    dimension,
                    band,
                    ", ".join(facts) or "(no facts)",
                    value,
                    sum(models.values()),
                    ", ".join(f"{m} {n}" for m, n in models.most_common()),
                ]
            )
    tables.append(
        (
            "no wrong door: same band and facts, different response by "
            + ", ".join(
                f"{d} ({sum(1 for x in differing if x[0] == d)} of {compared[d]} strata)" for d in DOOR_DIMENSIONS
            ),
            ["by", "band", "facts", "value", "calls", "responses"],
            rows,
        )
    )
    if f.no_police_requests:
        tables.append(
            (
                f"no police requested ({', '.join(f.roles.no_police_facts)}): "
                f"{_pct(f.no_police_honoured, f.no_police_requests)} honoured; where not, the safety line",
                ["sent police because", "calls"],
                [[k, n] for k, n in f.no_police_overrides.most_common()],
            )
        )
    if f.weeks:
        tables.append(
            (
                "by week (centre time)",
                ["week", "calls", "dispatched", "police", "disposition", "resolved without arrest/ER/hold"],
                [
                    [
                        wk,
                        w.calls,
                        w.dispatched,
                        w.police,
                        w.with_disposition,
                        _pct(w.resolved_without, w.with_disposition),
                    ]
                    for wk, w in sorted(f.weeks.items())
                ],
            )
        )
    return tables


def period_line(first: datetime, last: datetime, zone: tzinfo | None) -> str:
    """When the calls counted started, in the centre's zone."""
    if zone:
        first, last = first.astimezone(zone), last.astimezone(zone)
    return f"calls started {first:%Y-%m-%d %H:%M %Z} to {last:%Y-%m-%d %H:%M %Z}"
