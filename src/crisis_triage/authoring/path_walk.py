"""The path walk of one door: partial paths stepped through the questions in order, merged when
they agree on everything that can still matter, sampled when there are too many.

The walk follows the engine's own semantics (questions in order, a question's condition sees the
call as it stands before it, answers to questions that do not apply are not given) and records
answers and works out the band with the engine's own compiled code (see :mod:`.path_plan`). What
it adds is bookkeeping: for each partial path only the score (capped where no threshold can tell
higher scores apart) and the values of names some later condition reads.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from ..engine.evaluate import defaults
from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED
from .domains import context_values, reads_other_names
from .path_plan import PathPlan
from .walk_state import SUMMARY_LEVEL, SUMMARY_OVERRIDE, Namespace, State, Values


class PathWalker:
    """One run of the walk: its sampling budget, random source and what it found out on the way."""

    def __init__(self, plan: PathPlan, *, hour: float, district: str | None, budget: int, seed: int):
        self.plan = plan
        self.protocol: Protocol = plan.protocol
        self.derived = plan.derived
        self.hour = hour
        self.district = district
        self.budget = budget
        self.rng = random.Random(seed)
        self.exact = plan.complete
        self.notes = list(plan.notes)
        self.peak = 0
        self.current_step = -1
        """The question being stepped through: overrides and levels settled by then come from summaries."""

    # -- the band, by the engine's own refresh ------------------------------------------------------
    def compute_band(self, ns: Namespace) -> None:
        """The engine's band for a partial path (see :class:`.walk_state.Namespace`). Overrides and
        suicide levels already settled come from the path's summary; the others are evaluated."""
        refresh = self.plan.refresh_at(self.current_step)
        values = ns.values
        refresh(ns, ns.score, values.get(SUMMARY_OVERRIDE, 0), values.get(SUMMARY_LEVEL, -1))

    def namespace(self, state: State, base: Mapping[str, Any]) -> Namespace:
        if state.ns is None:
            state.ns = Namespace(base, state.values, state.score, self)
        return state.ns

    # -- one door ---------------------------------------------------------------------------------
    def starts(self, door_id: str) -> list[dict[str, Any]]:
        """The call settings worth walking from a door: one per class of line, language and district."""
        protocol = self.protocol
        door = protocol.doors[door_id]
        contexts = [
            {
                "door": door_id,
                "caller": door.caller,
                "line": protocol.document.lines[0].id if protocol.document.lines else None,
                "language": "en",
                "district": self.district,
            }
        ]
        for name in ("line", "language", "district"):
            values = context_values(protocol, name, self.plan.uses.get(name))
            if not values or (name == "district" and self.district is not None):
                continue
            contexts = [dict(c, **{name: v}) for c in contexts for v in values]
        return contexts

    def walk(
        self, door_id: str, asked: dict[str, set[str]], taken: dict[str, set[int]]
    ) -> list[tuple[State, dict[str, Any]]]:
        """Every end state of the door's paths, each with the call settings it started from."""
        protocol = self.protocol
        plan = self.plan
        results: list[tuple[State, dict[str, Any]]] = []
        for context in self.starts(door_id):
            base = dict(defaults(protocol))
            base.update(context)
            base["hour"] = self.hour
            values: Values = Values()
            self.current_step = -1
            if -1 in plan.settling:
                plan.settle(values, Namespace(base, values, 0, self), plan.settling[-1], -1)
            states: list[State] = [State(values, 0, 1, None)]
            for index, question in enumerate(protocol.questions):
                states = self._step(index, question, states, base, door_id, asked, taken)
            results += [(s, base) for s in states]
        return results

    def _step(
        self,
        index: int,
        question: CompiledQuestion,
        states: list[State],
        base: dict[str, Any],
        door_id: str,
        asked: dict[str, set[str]],
        taken: dict[str, set[int]],
    ) -> list[State]:
        plan = self.plan
        merged: dict[Any, State] = {}
        live = plan.live_after[index]
        classes = plan.classes[question.id]
        settling = plan.settling.get(index)
        cap = plan.cap
        qid = question.id
        record = plan.effects[qid].record
        context_free_sets = not reads_other_names(question)
        applies_to_door = question.doors is None or door_id in question.doors
        answered_read = qid in plan.answered_read
        top_rank_caps = cap is not None and "score" not in plan.uses

        keep, dead, prune_answered = plan.step_plan[index]

        def add(
            values: Values,
            score: int,
            count: int,
            trail: tuple[Any, ...] | None,
            noise: int,
            reuse: State | None = None,
        ) -> None:
            if settling:
                self.current_step = index
                plan.settle(values, Namespace(base, values, score, self), settling, index)
                self.current_step = index - 1
            for name in dead:
                values.pop(name, None)
            if prune_answered and ANSWERED in values:
                values[ANSWERED] = frozenset(q for q in values[ANSWERED] if q in live)
            if top_rank_caps and cap is not None and values.get(SUMMARY_OVERRIDE, 0) == plan.top_rank:
                score = cap  # the band is already the highest: points can no longer change anything
            key: Any = (score, values.h)
            existing = merged.get(key)
            if existing is not None and existing.values != values:  # a hash collision: tell them apart
                key = (score, frozenset(values.items()))
                existing = merged.get(key)
            if existing is None:
                merged[key] = reuse if reuse is not None else State(values, score, count, trail, noise)
            else:
                existing.count += count
                if noise < existing.noise:
                    existing.trail, existing.noise = trail, noise

        self.current_step = index - 1
        for state in states:
            applies = applies_to_door and (question.when is None or question.when.evaluate(self.namespace(state, base)))
            if not applies:
                if settling or any(name in state.values for name in dead):
                    add(state.values.copy(), state.score, state.count, state.trail, state.noise)
                else:
                    add(state.values, state.score, state.count, state.trail, state.noise, reuse=state)
                continue
            asked.setdefault(qid, set()).add(door_id)
            seen = taken.setdefault(qid, set())
            for number, cls in enumerate(classes):
                seen.add(number)
                values = state.values.copy()
                score = state.score
                if not cls.skipped:
                    stored = frozenset(cls.value) if question.type == "multi" else cls.value
                    if qid in keep:
                        values[qid] = stored
                    if answered_read:
                        values[ANSWERED] = values.get(ANSWERED, frozenset()) | {qid}
                    if question.sets:
                        facts: Iterable[str]
                        if context_free_sets:
                            facts = cls.facts
                        else:  # the engine records the answer on this path's namespace
                            _, facts = record(Namespace(base, dict(values), state.score, self), set(), cls.value)
                        for fact in facts:
                            if fact in keep:
                                values[fact] = True
                    score += cls.points
                    if cap is not None and score > cap:
                        score = cap
                add(values, score, state.count * cls.weight, (qid, cls, state.trail), state.noise + (not cls.plain))
        result = list(merged.values())
        self.peak = max(self.peak, len(result))
        if len(result) > self.budget:
            if self.exact:
                self.notes.append(
                    f'more than {self.budget} distinct partial paths at question "{qid}"; '
                    "a deterministic sample was followed from there on (counts and coverage are lower bounds; "
                    "--max-states raises the limit)"
                )
            self.exact = False
            result = self._sample(result)
        return result

    def _sample(self, states: list[State]) -> list[State]:
        """Keep ``budget`` states, spread over scores and band summaries so low-risk paths survive
        alongside high-risk ones (a plain random sample drifts to the top band on long protocols)."""
        strata: dict[Any, list[State]] = {}
        for state in states:
            strata.setdefault((state.score, state.values.get(SUMMARY_OVERRIDE, 0)), []).append(state)
        for members in strata.values():
            self.rng.shuffle(members)
        kept: list[State] = []
        queues = [strata[k] for k in sorted(strata, key=lambda k: (k[1], k[0]))]
        round_ = 0
        while len(kept) < self.budget:
            progressed = False
            for queue in queues:
                if round_ < len(queue):
                    kept.append(queue[round_])
                    progressed = True
                    if len(kept) == self.budget:
                        break
            if not progressed:
                break
            round_ += 1
        return kept
