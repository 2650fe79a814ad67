"""What the path walk works out once per protocol before walking: answer classes, which names a
partial path must still keep after each question (liveness), and when each final condition
(derived facts, overrides, suicide levels, rules, additions, guarantees) *settles*, that is, when
no later question can change its inputs, so a path can keep its value instead of its inputs.

How an answer is recorded and how the band is worked out are not written here: they are the
engine's own compiled code (:mod:`crisis_triage.engine.compiled_walk`), taken through
:func:`~crisis_triage.engine.compiled_walk.build_answers` and
:func:`~crisis_triage.engine.compiled_refresh.build_refresh_from`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..engine.compiled_refresh import RefreshFrom, build_refresh_from
from ..engine.compiled_walk import build_answers
from ..protocol.compiled import Protocol
from ..protocol.conditions import RANK_SUFFIX, Condition
from .answers import AnswerClass, answer_classes
from .domains import protocol_uses
from .walk_state import SUMMARY_LEVEL, SUMMARY_OVERRIDE, BandOverlay

#: A final condition's key: ("der", fact), ("ovr", i), ("lvl", i), ("rule", i), ("add", i, j), ("grt", i).
Key = tuple[Any, ...]
_BAND_NAMES = frozenset({"band", "band" + RANK_SUFFIX})


class PathPlan:
    """The protocol-wide analysis the path walk reads at every step (built once, never changed)."""

    def __init__(self, protocol: Protocol):
        self.protocol = protocol
        self.derived = dict(protocol.derived_facts)
        self.uses = protocol_uses(protocol)
        self.effects = build_answers(protocol.questions)
        self.complete = True
        """False when some question has too many answers to try every one (see ``notes``)."""
        self.notes: list[str] = []
        self.classes: dict[str, list[AnswerClass]] = {}
        for question in protocol.questions:
            classes, complete = answer_classes(question, self.uses.get(question.id), self.effects[question.id])
            self.classes[question.id] = classes
            if not complete:
                self.complete = False
                self.notes.append(
                    f'"{question.id}" has too many options to try every combination; single options were tried'
                )
        self.cap = self._score_cap()
        self.all_bands = (1 << len(protocol.bands)) - 1
        self.rank_of = {b: i for i, b in enumerate(protocol.band_ids)}
        self.level_read = "suicide_level" in self.uses
        self.top_rank = len(protocol.bands) - 1
        self.answered_read = {name for name, use in self.uses.items() if use.answered}
        self.final = self._final_conditions()
        self._settle_points()
        self.live_after, self.live_before = self._liveness()
        drops = []
        previous = self.live_before
        for live in self.live_after:
            drops.append(tuple(sorted(previous - live)))
            previous = live
        # Per question: names to hold while settling, names that die after it, whether answered() sets shrink.
        self.step_plan: list[tuple[set[str], tuple[str, ...], bool]] = []
        for i, question in enumerate(protocol.questions):
            live = self.live_after[i]
            written = {question.id} | {fact for fact, _ in question.sets}
            dead = tuple(set(drops[i]) | (written - live))
            keep = written & (live | self.settle_inputs.get(i, frozenset()))
            self.step_plan.append((keep, dead, bool(self.answered_read & set(dead))))
        self._refresh: dict[frozenset[Key], RefreshFrom] = {}
        self._refresh_at: dict[int, RefreshFrom] = {}

    # score values above every threshold behave alike
    def _score_cap(self) -> int | None:
        if any(p < 0 for q in self.protocol.questions for p in q.risk.values()):
            return None
        thresholds = [b.min_score for b in self.protocol.bands]
        use = self.uses.get("score")
        if use is not None:
            if use.opaque:
                return None
            thresholds += [math.floor(x) + 1 for x in use.literals if isinstance(x, (int, float))]
        return max(thresholds + [0])

    def _expand(self, names: frozenset[str] | set[str]) -> set[str]:
        """Names a set of names really depends on: through derived facts, and the band's inputs."""
        result: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in result:
                continue
            result.add(name)
            if name in self.derived:
                stack.extend(self.derived[name].names)
            elif name in _BAND_NAMES:
                result.add("score")  # overrides and suicide levels are final conditions (settled)
        return result

    def _liveness(self) -> tuple[list[frozenset[str]], frozenset[str]]:
        """Names a partial path must keep after each question: what some later condition reads.

        A name is kept until its last reader. A derived fact whose inputs can no longer change is
        stored as its value (see :meth:`settle`), so its inputs are needed only until then.
        """
        protocol = self.protocol
        count = len(protocol.questions)
        until: dict[str, int] = {"score": count}

        def need(name: str, last: int) -> None:
            if name in _BAND_NAMES:
                name = "score"  # overrides and suicide levels are final conditions, settled on their own
            if until.get(name, -2) >= last:
                return
            until[name] = last
            if name in self.derived:
                settled = self.settle_at[("der", name)]
                for inp in self.derived[name].names:
                    need(inp, min(settled, last))

        for key, condition in self.final:
            if key[0] == "der":
                continue
            for name in condition.names:
                need(name, self.settle_at[key])
        for i, question in enumerate(protocol.questions):
            if question.when is not None:
                for name in question.when.names:
                    need(name, i)
            for _, condition in question.sets:
                for name in condition.names:
                    if name != "answer":
                        need(name, i)
        # live_after[i] = names whose last reader comes after question i, built from the end.
        ending: dict[int, list[str]] = {}
        for name, last in until.items():
            ending.setdefault(min(last, count), []).append(name)
        live_after: list[frozenset[str]] = [frozenset()] * count
        live = frozenset(ending.get(count, ()))
        for i in range(count - 1, -1, -1):
            live_after[i] = live
            if i in ending:
                live = live | frozenset(ending[i])
        return live_after, live

    # -- settling: final conditions whose inputs no later question can change ---------------------
    def _final_conditions(self) -> list[tuple[Key, Condition]]:
        protocol = self.protocol
        final: list[tuple[Key, Condition]] = [(("der", f), c) for f, c in protocol.derived_facts]
        final += [(("ovr", i), c) for i, (_, c) in enumerate(protocol.overrides)]
        final += [(("lvl", i), c) for i, (_, c) in enumerate(protocol.screen_levels)]
        for i, rule in enumerate(protocol.rules):
            if rule.when is not None:
                final.append((("rule", i), rule.when))
            for j, (_, condition) in enumerate(rule.also):
                if condition is not None:
                    final.append((("add", i, j), condition))
        final += [(("grt", i), c) for i, (_, c) in enumerate(protocol.guarantees)]
        return final

    def _settle_points(self) -> None:
        """When each final condition settles (index of the last question that can change an input)."""
        protocol = self.protocol
        writers: dict[str, int] = {}
        for i, question in enumerate(protocol.questions):
            writers[question.id] = i
            for fact, _ in question.sets:
                writers[fact] = i
        self.settle_at: dict[Key, int] = {}
        never = len(protocol.questions)
        for key, condition in self.final:
            inputs = self._expand(condition.names - _BAND_NAMES)
            if "score" in inputs or ("suicide_level" in inputs and key[0] != "ovr"):
                self.settle_at[key] = never  # read at the very end only
                continue
            self.settle_at[key] = max((writers.get(n, -1) for n in inputs), default=-1)
        self.settling: dict[int, list[tuple[Key, Condition]]] = {}
        self.settle_inputs: dict[int, frozenset[str]] = {}
        for key, condition in self.final:
            at = self.settle_at[key]
            if at < never:
                self.settling.setdefault(at, []).append((key, condition))
                self.settle_inputs[at] = self.settle_inputs.get(at, frozenset()) | frozenset(
                    self._expand(condition.names)
                )

    def settle(
        self, values: dict[Any, Any], ns: Mapping[str, Any], items: list[tuple[Key, Condition]], step: int
    ) -> None:
        """Store the conditions settled at question ``step`` in a path's summary (``values``), canonically."""
        protocol = self.protocol
        rules_changed = False
        for key, condition in items:
            kind = key[0]
            if kind == "der":
                if key[1] in (self.live_after[step] if step >= 0 else self.live_before):
                    values[key[1]] = bool(condition.evaluate(ns))
            elif kind == "ovr":
                if condition.evaluate(ns):
                    rank = self.rank_of[protocol.overrides[key[1]][0].at_least]
                    if rank > values.get(SUMMARY_OVERRIDE, 0):
                        values[SUMMARY_OVERRIDE] = rank
            elif kind == "lvl":
                if condition.evaluate(ns):
                    if self.level_read:
                        if key[1] > values.get(SUMMARY_LEVEL, -1):
                            values[SUMMARY_LEVEL] = key[1]
                    else:  # only its band matters: fold it into the overrides' rank
                        at_least = protocol.screen_levels[key[1]][0].at_least
                        rank = self.rank_of[at_least] if at_least else 0
                        if rank > values.get(SUMMARY_OVERRIDE, 0):
                            values[SUMMARY_OVERRIDE] = rank
            else:
                mask = self._band_mask(condition, ns)
                values[("\x01", *key)] = mask
                rules_changed = rules_changed or kind == "rule"
        if rules_changed:
            # A later rule only matters for bands no earlier settled rule already takes.
            covered = 0
            for i in range(len(protocol.rules)):
                rule_key = ("\x01", "rule", i)
                if rule_key in values:
                    values[rule_key] = values[rule_key] & ~covered
                    covered |= values[rule_key]
                    if values[rule_key] == 0:
                        for j in range(len(protocol.rules[i].also)):
                            values.pop(("\x01", "add", i, j), None)

    def _band_mask(self, condition: Condition, ns: Mapping[str, Any]) -> int:
        """Which bands the condition holds in, as bits (the band may still change after it settles)."""
        if not (_BAND_NAMES & condition.names):
            return self.all_bands if condition.evaluate(ns) else 0
        mask = 0
        for rank, band in enumerate(self.protocol.bands):
            if condition.evaluate(BandOverlay(ns, band.id, rank)):
                mask |= 1 << rank
        return mask

    def refresh_at(self, step: int) -> RefreshFrom:
        """The engine's band refresh for a path at question ``step``: overrides and suicide levels
        settled by then are in the path's summary (its starting rank and level), not evaluated again."""
        refresh = self._refresh_at.get(step)
        if refresh is None:
            settled = frozenset(key for key, at in self.settle_at.items() if key[0] in ("ovr", "lvl") and at <= step)
            refresh = self._refresh.get(settled)
            if refresh is None:
                refresh = self._refresh[settled] = build_refresh_from(self.protocol, settled)
            self._refresh_at[step] = refresh
        return refresh
