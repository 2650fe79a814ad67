"""What changed between two versions of a protocol, in the document.

:func:`structural_changes` compares the documents (questions, options, points, facts, bands,
overrides, rules, models, guarantees, interrupts, scripts, referrals, dispositions, lines, and the
EIDO, contact-confirmation, follow-up and evaluation blocks) and says each change in a line an author
reads. :func:`outcome_shift` replays a calls file (the replay format) through both versions and
:func:`scenario_shift` plays the scenario library with both; both feed a :class:`ShiftMatrix`:
old model -> new model, with counts and example call ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..protocol.compiled import Protocol


@dataclass(frozen=True)
class Change:
    kind: str
    """``added``, ``removed`` or ``changed``."""
    what: str
    """``question weapon``, ``rule elevated_risk`` ..."""
    detail: str = ""

    def __str__(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}[self.kind]
        return f"{mark} {self.what}" + (f": {self.detail}" if self.detail else "")


def _text(value: Any) -> str:
    if isinstance(value, dict) and "en" in value:
        return value["en"]
    return str(value)


def _compare_fields(what: str, old: Any, new: Any, fields: Iterable[str], changes: list[Change]) -> None:
    for name in fields:
        a, b = getattr(old, name), getattr(new, name)
        a = a.model_dump() if hasattr(a, "model_dump") else a
        b = b.model_dump() if hasattr(b, "model_dump") else b
        if a != b:
            if isinstance(a, dict) and isinstance(b, dict) and not ("en" in a or "en" in b):
                parts = []
                for key in sorted(set(a) | set(b), key=str):
                    if a.get(key) != b.get(key):
                        parts.append(f"{key} {_brief(a.get(key))} -> {_brief(b.get(key))}")
                changes.append(Change("changed", what, f"{name}: " + "; ".join(parts)))
            elif isinstance(a, dict) and isinstance(b, dict):
                langs, words = _reworded(a, b)
                changes.append(Change("changed", what, f"{name} ({langs})" + (f": {words}" if words else " reworded")))
            else:
                changes.append(Change("changed", what, f"{name}: {_brief(a)} -> {_brief(b)}"))


def _reworded(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, str]:
    """Words in several languages that changed: the languages changed (``en, es``), and the English
    before and after when it changed ("" when only a translation did)."""
    langs = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    words = f'"{_brief(a.get("en"))}" -> "{_brief(b.get("en"))}"' if "en" in langs else ""
    return ", ".join(langs), words


def _brief(value: Any, limit: int = 70) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        value = "[" + ", ".join(_brief(v, 30) for v in value) + "]"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _by_id(items: Iterable[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _keyed(
    what: str,
    old: dict[str, Any],
    new: dict[str, Any],
    fields: Iterable[str],
    changes: list[Change],
    describe=lambda item: "",
) -> None:
    fields = list(fields)
    for key in old:
        if key not in new:
            changes.append(Change("removed", f"{what} {key}", describe(old[key])))
    for key in new:
        if key not in old:
            changes.append(Change("added", f"{what} {key}", describe(new[key])))
        else:
            _compare_fields(f"{what} {key}", old[key], new[key], fields, changes)


def structural_changes(old: Protocol, new: Protocol) -> list[Change]:
    """Every difference an author cares about, in document order."""
    a, b = old.document, new.document
    changes: list[Change] = []
    if a.protocol.version != b.protocol.version:
        changes.append(Change("changed", "version", f"{a.protocol.version} -> {b.protocol.version}"))
    _compare_fields("protocol", a.protocol, b.protocol, ("languages", "timezone"), changes)
    _keyed("door", _by_id(a.doors), _by_id(b.doors), ("label", "caller", "key"), changes)
    _keyed("district", _by_id(a.districts), _by_id(b.districts), ("name",), changes)
    _keyed(
        "fact",
        a.facts,
        b.facts,
        ("when", "critical", "label"),
        changes,
        lambda f: f"when {f.when}" if f.when else _text(f.label),
    )
    old_q = {q.id: q for q in old.questions}
    new_q = {q.id: q for q in new.questions}
    for qid, question in old_q.items():
        if qid not in new_q:
            changes.append(
                Change(
                    "removed",
                    f"question {qid}",
                    f'section {question.section.id}: "{_brief(question.spec.ask["en"], 50)}"',
                )
            )
    for qid, question in new_q.items():
        if qid not in old_q:
            changes.append(
                Change(
                    "added",
                    f"question {qid}",
                    f'section {question.section.id}: "{_brief(question.spec.ask["en"], 50)}"',
                )
            )
            continue
        before = old_q[qid]
        if before.section.id != question.section.id:
            changes.append(
                Change("changed", f"question {qid}", f"moved from section {before.section.id} to {question.section.id}")
            )
        _compare_fields(
            f"question {qid}",
            before.spec,
            question.spec,
            ("ask", "ask_other", "type", "when", "doors", "risk", "sets", "required", "min", "max"),
            changes,
        )
        old_options = {o.id: o for o in before.options}
        new_options = {o.id: o for o in question.options}
        for oid in old_options.keys() - new_options.keys():
            changes.append(Change("removed", f"option {qid}.{oid}"))
        for oid in new_options.keys() - old_options.keys():
            changes.append(Change("added", f"option {qid}.{oid}", _text(new_options[oid].label)))
        for oid in old_options.keys() & new_options.keys():
            _compare_fields(f"option {qid}.{oid}", old_options[oid], new_options[oid], ("label", "key"), changes)
    old_order = [q for q in old.questions if q.id in new_q]
    new_order = [q for q in new.questions if q.id in old_q]
    if [q.id for q in old_order] != [q.id for q in new_order]:
        changes.append(
            Change("changed", "question order", "questions common to both versions are asked in a different order")
        )
    _keyed("interrupt", _by_id(a.interrupts), _by_id(b.interrupts), ("key", "fact", "label"), changes)
    _keyed("band", _by_id(a.risk.bands), _by_id(b.risk.bands), ("min_score", "label"), changes)
    old_ovr = [(o.when, o.at_least) for o in a.risk.overrides]
    new_ovr = [(o.when, o.at_least) for o in b.risk.overrides]
    for when, at_least in old_ovr:
        if (when, at_least) not in new_ovr:
            changes.append(Change("removed", "override", f"{when} -> at least {at_least}"))
    for when, at_least in new_ovr:
        if (when, at_least) not in old_ovr:
            changes.append(Change("added", "override", f"{when} -> at least {at_least}"))
    if a.suicide_screen and b.suicide_screen:
        _keyed(
            "suicide level",
            _by_id(a.suicide_screen.levels),
            _by_id(b.suicide_screen.levels),
            ("when", "at_least"),
            changes,
        )
    _keyed(
        "model",
        _by_id(a.responses.models),
        _by_id(b.responses.models),
        ("team", "notify", "available", "dedicated", "fallback", "handoff"),
        changes,
        lambda m: f"team {', '.join(m.team) or 'phone'}",
    )
    _keyed(
        "rule",
        _by_id(a.responses.rules),
        _by_id(b.responses.rules),
        ("when", "recommend", "also", "because"),
        changes,
        lambda r: f"{('if ' + r.when) if r.when else 'otherwise'} -> {r.recommend}",
    )
    old_rules = [r.id for r in a.responses.rules if r.id in {x.id for x in b.responses.rules}]
    new_rules = [r.id for r in b.responses.rules if r.id in {x.id for x in a.responses.rules}]
    if old_rules != new_rules:
        changes.append(Change("changed", "rule order", f"{' > '.join(old_rules)}  ->  {' > '.join(new_rules)}"))
    _keyed(
        "guarantee",
        _by_id(a.responses.guarantees),
        _by_id(b.responses.guarantees),
        ("when", "require", "switch_to"),
        changes,
    )
    if a.handoff and b.handoff:
        _keyed("handoff step", _by_id(a.handoff.steps), _by_id(b.handoff.steps), ("title", "say", "do"), changes)
        _compare_fields("handoff", a.handoff, b.handoff, ("summary", "service"), changes)
    elif bool(a.handoff) != bool(b.handoff):
        changes.append(Change("added" if b.handoff else "removed", "handoff script"))
    _referral_changes(old, new, changes)
    _keyed("line", _by_id(a.lines), _by_id(b.lines), ("label", "key"), changes)
    # The blocks around the call: what the EIDO says of it, when a team's contact is overdue, which
    # follow-ups a call owes, what the evaluation counts. Compared field by field, whatever they hold.
    for name in ("eido", "contact_confirmation", "follow_up", "evaluation"):
        _block_changes(name, _dumped(getattr(a, name)), _dumped(getattr(b, name)), changes)
    return changes


def _dumped(value: Any) -> Any:
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    return value.model_dump(exclude_defaults=True) if hasattr(value, "model_dump") else value


def _block_changes(path: str, a: Any, b: Any, changes: list[Change]) -> None:
    """Every difference between two plain values (a block's dump), each named by its path: mappings
    by key, lists of items with ids by id (else by position, named by what the item holds)."""
    if a == b:
        return
    if a is None or b is None:
        changes.append(Change("added" if a is None else "removed", path, _brief(a if b is None else b)))
    elif isinstance(a, dict) and isinstance(b, dict) and not ("en" in a or "en" in b):
        for key in [*a, *(k for k in b if k not in a)]:
            _block_changes(f"{path}.{key}", a.get(key), b.get(key), changes)
    elif isinstance(a, list) and isinstance(b, list) and a and b and _all_items_with(a + b, "id"):
        old_items, new_items = {x["id"]: x for x in a}, {x["id"]: x for x in b}
        for key in [*old_items, *(k for k in new_items if k not in old_items)]:
            _block_changes(f"{path} {key}", old_items.get(key), new_items.get(key), changes)
    elif isinstance(a, list) and isinstance(b, list) and _all_items_with(a + b, None):
        for i in range(max(len(a), len(b))):
            before, after = (a[i] if i < len(a) else None), (b[i] if i < len(b) else None)
            named = _item_name(before if before is not None else after)
            _block_changes(f"{path}[{i + 1}] ({named})", before, after, changes)
    elif isinstance(a, dict) and isinstance(b, dict):  # words in several languages
        langs, words = _reworded(a, b)
        changes.append(Change("changed", f"{path} ({langs})", words or "reworded"))
    else:
        changes.append(Change("changed", path, f"{_brief(a)} -> {_brief(b)}"))


def _all_items_with(items: list[Any], key: str | None) -> bool:
    """True when every item is a mapping (holding ``key``, when one is named)."""
    return all(isinstance(x, dict) and (key is None or key in x) for x in items)


def _item_name(item: Any) -> str:
    """A list item named by what tells it apart: its code, its models, or its first value."""
    for key in ("code", "models", "model", "role"):
        if key in item:
            value = item[key]
            return f"{key} {', '.join(value) if isinstance(value, list) else value}"
    first = next(iter(item.items()), None)
    return f"{first[0]} {_brief(first[1], 30)}" if first else "empty"


def _referral_changes(old: Protocol, new: Protocol, changes: list[Change]) -> None:
    """The referral block (issue 16) and the dispositions a response ends with (issue 12)."""
    from ..protocol.directory import directory_path

    a, b = old.document, new.document
    if a.referrals and b.referrals:
        before, after = directory_path(old), directory_path(new)
        if (before and before.resolve()) != (after and after.resolve()):  # the same file, named from elsewhere
            changes.append(Change("changed", "referrals", f"directory: {before} -> {after}"))
        _compare_fields(
            "referrals", a.referrals, b.referrals, ("per_kind", "most", "age_question", "age_bands"), changes
        )
        _keyed(
            "referral rule",
            _by_id(a.referrals.rules),
            _by_id(b.referrals.rules),
            ("when", "offer", "to", "need", "because"),
            changes,
            lambda r: (
                f"{('if ' + r.when) if r.when else 'every call'} -> {', '.join(r.offer)}"
                + (" (to the family)" if r.to == "family" else "")
            ),
        )
    elif bool(a.referrals) != bool(b.referrals):
        changes.append(Change("added" if b.referrals else "removed", "referrals block"))
    _keyed(
        "disposition",
        {d.id: _DispositionText(d) for d in a.dispositions},
        {d.id: _DispositionText(d) for d in b.dispositions},
        ("label", "key", "details", "marks", "recorded_by"),
        changes,
    )


class _DispositionText:
    """A disposition with its details in words (``service (from the directory)``), for comparing."""

    def __init__(self, spec: Any) -> None:
        self.label, self.key, self.marks, self.recorded_by = spec.label, spec.key, spec.marks, spec.recorded_by
        self.details = [
            d.id
            + (" (from the directory)" if d.from_directory else "")
            + (f" ({'/'.join(d.options)})" if d.options else "")
            + ("" if d.required else " (optional)")
            for d in spec.details
        ]
