"""Walk every distinct path through a protocol, one door at a time, with answers grouped into
equivalence classes, and say where each path ends (band, rule, recommendation).

The walk follows the engine's own semantics (questions in order, a question's condition sees the
call as it stands before it, answers to questions that do not apply are not given) but keeps, for
each partial path, only what can still matter: the score (capped where no threshold can tell
higher scores apart) and the values of names some later condition reads. Paths that agree on
those are merged, with a count of how many answer sequences they stand for. Answers are grouped
into classes that behave alike (same risk points, same facts set, same value as seen by every
condition that reads the question), so a yes/no question nobody reads after it adds no branches.

The final recommendation of every end state is chosen by the engine's own
:func:`crisis_triage.engine.recommend.recommend`, and :func:`verify` replays example paths through
a real :class:`~crisis_triage.engine.CallSession` (tests do this for the shipped protocol).

On protocols whose paths do not merge (many independent facts read at the end), the number of
states is held to ``budget`` by sampling, deterministically; the result then says it is
approximate, and reachability claims ("never asked") are withheld.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..engine.evaluate import defaults
from ..engine.recommend import recommend
from ..engine.state import CallState
from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.conditions import ANSWERED, RANK_SUFFIX
from .answers import AnswerClass, answer_classes
from .domains import NameUse, context_values, protocol_uses, reads_other_names
from .walk_state import FULL, SUMMARY_LEVEL, SUMMARY_OVERRIDE, BandOverlay, Namespace, State, Values, trail_answers

MAX_BUDGET = 3000
"""At most this many partial paths are kept per step; below it the walk is exact."""
MIN_BUDGET = 12
WORK_BUDGET = 200_000
"""Branches the walk may take in all (states x answer classes x questions, roughly): the state
budget shrinks on large protocols so that ``paths`` answers in seconds at 2,000 questions."""


def auto_budget(protocol: Protocol, classes: dict[str, list["AnswerClass"]]) -> int:
    """States to keep per step for this protocol (see :data:`WORK_BUDGET`)."""
    branches = sum(len(c) for c in classes.values()) or 1
    return max(MIN_BUDGET, min(MAX_BUDGET, WORK_BUDGET // branches))


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """Where a path ends: what the engine recommends for it."""

    band: str
    rule: str
    preferred_model: str
    model: str
    team: tuple[str, ...]
    guarantees: tuple[str, ...]


@dataclass
class EndClass:
    """End states with the same door and outcome, merged: one row of the coverage table."""

    door: str
    outcome: Outcome
    paths: int
    """How many distinct paths (sequences of answer classes) end here."""
    example: dict[str, Any]
    """The answers of one such path, question id -> answer (as an engine would take it)."""
    example_context: dict[str, Any]
    states: int = 1
    skipped: tuple[str, ...] = ()
    """Optional questions the example path skips."""
    noise: int = 0
    """Answers on the example other than the plain one (the plainest path is kept)."""


@dataclass
class Exploration:
    protocol: Protocol
    doors: tuple[str, ...]
    ends: list[EndClass]
    asked: dict[str, set[str]]
    """Question id -> doors on which some path asks it."""
    classes_taken: dict[str, set[int]]
    """Question id -> indexes of the answer classes some path took."""
    classes: dict[str, list[AnswerClass]]
    exact: bool
    notes: list[str] = field(default_factory=list)
    peak_states: int = 0
    hour: float = 12.0
    district: str | None = None
    budget: int = 0
    """Partial paths kept per step (per door group) before sampling starts."""

    @property
    def bands_reached(self) -> set[str]:
        return {e.outcome.band for e in self.ends}

    @property
    def rules_fired(self) -> set[str]:
        return {e.outcome.rule for e in self.ends}

    def total_paths(self, door: str | None = None) -> int:
        return sum(e.paths for e in self.ends if door is None or e.door == door)


# -- the walk ------------------------------------------------------------------------------------
class _Walker:
    def __init__(self, protocol: Protocol, *, hour: float, district: str | None, budget: int | None, seed: int):
        self.protocol = protocol
        self.hour = hour
        self.district = district
        self.rng = random.Random(seed)
        self.derived = dict(protocol.derived_facts)
        self.uses = protocol_uses(protocol)
        self.exact = True
        self.notes: list[str] = []
        self.peak = 0
        self.classes: dict[str, list[AnswerClass]] = {}
        for question in protocol.questions:
            classes, complete = answer_classes(question, self.uses.get(question.id))
            self.classes[question.id] = classes
            if not complete:
                self.exact = False
                self.notes.append(
                    f'"{question.id}" has too many options to try every combination; single options were tried'
                )
        self.budget = budget or auto_budget(protocol, self.classes)
        self.cap = self._score_cap()
        self.all_bands = (1 << len(protocol.bands)) - 1
        self.rank_of = {b: i for i, b in enumerate(protocol.band_ids)}
        self.level_read = "suicide_level" in self.uses
        self.top_rank = len(protocol.bands) - 1
        self.answered_read = {name for name, use in self.uses.items() if use.answered}
        self.current_step = -1
        self.final = self._final_conditions()
        self._settle_points()
        self.live_after, self.live_before = self._liveness()
        self.drops = []
        previous = self.live_before
        for live in self.live_after:
            self.drops.append(tuple(sorted(previous - live)))
            previous = live
        # Per question: names to hold while settling, names that die after it, whether answered() sets shrink.
        self.step_plan = []
        for i, question in enumerate(protocol.questions):
            live = self.live_after[i]
            written = {question.id} | {fact for fact, _ in question.sets}
            dead = tuple(set(self.drops[i]) | (written - live))
            keep = written & (live | self.settle_inputs.get(i, frozenset()))
            self.step_plan.append((keep, dead, bool(self.answered_read & set(dead))))

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
            elif name in ("band", "band" + RANK_SUFFIX):
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
            if name in ("band", "band" + RANK_SUFFIX):
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

    # -- band, as the engine works it out ----------------------------------------------------------
    def compute_band(self, ns: Namespace) -> None:
        """The engine's band for a partial path. Overrides and suicide levels already settled (their
        inputs can no longer change) come from the path's summary; the others are evaluated."""
        protocol = self.protocol
        memo = ns.memo
        memo["score"] = ns.score
        rank = 0
        for i, band in enumerate(protocol.bands):
            if ns.score >= band.min_score:
                rank = i
        full = ns.values.get(FULL, False)
        step = self.current_step
        settled = ns.values.get(SUMMARY_OVERRIDE, 0)
        rank = max(rank, settled)
        for i, (override, condition) in enumerate(protocol.overrides):
            if not full and self.settle_at[("ovr", i)] <= step:
                continue
            if condition.evaluate(ns):
                rank = max(rank, self.rank_of[override.at_least])
        level_index = ns.values.get(SUMMARY_LEVEL, -1)
        for i, (_screen_level, condition) in enumerate(protocol.screen_levels):
            if not full and self.settle_at[("lvl", i)] <= step:
                if not self.level_read:  # folded into the overrides' rank, level unknown but unread
                    continue
                continue
            if i > level_index and condition.evaluate(ns):
                level_index = i
        level = protocol.screen_levels[level_index][0] if level_index >= 0 else None
        if level is not None and level.at_least:
            rank = max(rank, self.rank_of[level.at_least])
        memo["suicide_level"] = level.id if level else "none"
        memo["band"] = protocol.bands[rank].id
        memo["band" + RANK_SUFFIX] = rank

    # -- settling: final conditions whose inputs no later question can change ---------------------
    def _final_conditions(self) -> list[tuple[tuple, Any]]:
        protocol = self.protocol
        final: list[tuple[tuple, Any]] = [(("der", f), c) for f, c in protocol.derived_facts]
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
        self.settle_at: dict[tuple, int] = {}
        self.unsettled: list[tuple[tuple, Any]] = []
        never = len(protocol.questions)
        for key, condition in self.final:
            inputs = self._expand(condition.names - {"band", "band" + RANK_SUFFIX})
            if inputs & {"score", "suicide_level"} and key[0] not in ("ovr",):
                self.settle_at[key] = never  # read at the very end only
                self.unsettled.append((key, condition))
                continue
            if key[0] == "ovr" and "score" in inputs:
                self.settle_at[key] = never
                self.unsettled.append((key, condition))
                continue
            self.settle_at[key] = max((writers.get(n, -1) for n in inputs), default=-1)
        self.settling: dict[int, list[tuple[tuple, Any]]] = {}
        self.settle_inputs: dict[int, frozenset[str]] = {}
        for key, condition in self.final:
            at = self.settle_at[key]
            if at < never:
                self.settling.setdefault(at, []).append((key, condition))
                self.settle_inputs[at] = self.settle_inputs.get(at, frozenset()) | frozenset(
                    self._expand(condition.names)
                )

    def settle(self, values: dict[str, Any], ns: Namespace, items: list[tuple[tuple, Any]]) -> None:
        """Store the settled conditions' values in a path's summary (``values``), canonically."""
        protocol = self.protocol
        rules_changed = False
        for key, condition in items:
            kind = key[0]
            if kind == "der":
                if (
                    key[1] in self.live_after[self.current_step]
                    if self.current_step >= 0
                    else key[1] in self.live_before
                ):
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
                values[("\x01",) + key] = mask
                rules_changed = rules_changed or kind == "rule"
        if rules_changed:
            # A later rule only matters for bands no earlier settled rule already takes.
            covered = 0
            for i in range(len(protocol.rules)):
                key = ("\x01", "rule", i)
                if key in values:
                    values[key] = values[key] & ~covered
                    covered |= values[key]
                    if values[key] == 0:
                        for j in range(len(protocol.rules[i].also)):
                            values.pop(("\x01", "add", i, j), None)

    def _band_mask(self, condition: Any, ns: Namespace) -> int:
        if not ({"band", "band" + RANK_SUFFIX} & condition.names):
            return self.all_bands if condition.evaluate(ns) else 0
        mask = 0
        for rank, band in enumerate(self.protocol.bands):
            if condition.evaluate(BandOverlay(ns, band.id, rank)):
                mask |= 1 << rank
        return mask

    def namespace(self, state: State, base: Mapping[str, Any]) -> Namespace:
        if state.ns is None:
            state.ns = Namespace(base, state.values, state.score, self)
        return state.ns

    # -- one door ---------------------------------------------------------------------------------
    def starts(self, door_id: str) -> list[dict[str, Any]]:
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
            values = context_values(protocol, name, self.uses.get(name))
            if not values or (name == "district" and self.district is not None):
                continue
            contexts = [dict(c, **{name: v}) for c in contexts for v in values]
        return contexts

    def walk(
        self, door_id: str, asked: dict[str, set[str]], taken: dict[str, set[int]]
    ) -> list[tuple[State, dict[str, Any]]]:
        protocol = self.protocol
        results: list[tuple[State, dict[str, Any]]] = []
        for context in self.starts(door_id):
            base = dict(defaults(protocol))
            base.update(context)
            base["hour"] = self.hour
            values: dict[str, Any] = Values()
            self.current_step = -1
            if -1 in self.settling:
                self.settle(values, Namespace(base, values, 0, self), self.settling[-1])
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
        merged: dict[Any, State] = {}
        live = self.live_after[index]
        classes = self.classes[question.id]
        settling = self.settling.get(index)
        cap = self.cap
        qid = question.id
        context_free_sets = not reads_other_names(question)
        applies_to_door = question.doors is None or door_id in question.doors

        keep, dead, prune_answered = self.step_plan[index]

        def add(
            values: dict[str, Any], score: int, count: int, trail: tuple | None, noise: int, reuse: State | None = None
        ) -> None:
            if settling:
                self.current_step = index
                self.settle(values, Namespace(base, values, score, self), settling)
                self.current_step = index - 1
            for name in dead:
                values.pop(name, None)
            if prune_answered and ANSWERED in values:
                values[ANSWERED] = frozenset(q for q in values[ANSWERED] if q in live)
            if self.cap is not None and values.get(SUMMARY_OVERRIDE, 0) == self.top_rank and "score" not in self.uses:
                score = self.cap  # the band is already the highest: points can no longer change anything
            key = (score, values.h)
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
                    if qid in self.answered_read:
                        values[ANSWERED] = values.get(ANSWERED, frozenset()) | {qid}
                    if question.sets:
                        if context_free_sets:
                            facts = cls.facts
                        else:
                            ns = Namespace(base, dict(values, answer=stored, **{qid: stored}), state.score, self)
                            facts = {f for f, condition in question.sets if condition.evaluate(ns)}
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

    def full_namespace(self, trail: tuple | None, base: dict[str, Any]) -> Namespace:
        """The whole namespace at the end of a path, rebuilt from its answers (no summaries)."""
        values: dict[str, Any] = {FULL: True}
        answered: set[str] = set()
        score = 0
        for qid, cls in trail_answers(trail):
            if cls.skipped:
                continue
            question = self.protocol.question_by_id[qid]
            stored = frozenset(cls.value) if question.type == "multi" else cls.value
            values[qid] = stored
            answered.add(qid)
            values[ANSWERED] = frozenset(answered)
            score += cls.points
            if question.sets:
                ns = Namespace(base, dict(values, answer=stored), score, self)
                for fact, condition in question.sets:
                    if condition.evaluate(ns):
                        values[fact] = True
        return Namespace(base, values, score, self)


def explore(
    protocol: Protocol,
    *,
    doors: list[str] | None = None,
    hour: float = 12.0,
    district: str | None = None,
    budget: int | None = None,
    seed: int = 1,
) -> Exploration:
    """Every distinct path per door (answers in equivalence classes), with the engine's outcome of each."""
    walker = _Walker(protocol, hour=hour, district=district, budget=budget, seed=seed)
    door_ids = tuple(doors or protocol.doors)
    asked: dict[str, set[str]] = {}
    taken: dict[str, set[int]] = {}
    ends: dict[tuple[str, Outcome], EndClass] = {}
    zone = ZoneInfo(protocol.document.protocol.timezone)
    moment = datetime(2026, 1, 5, int(hour) % 24, int((hour % 1) * 60), tzinfo=zone)
    groups = _door_groups(protocol, door_ids, walker.uses)
    if budget is None and len(groups) > 1:
        # The work budget is for the whole run: doors that behave differently share it.
        walker.budget = max(MIN_BUDGET, walker.budget // len(groups)) if walker.budget < MAX_BUDGET else walker.budget
    for door_id, twins in groups:
        for state, base in walker.walk(door_id, asked, taken):
            walker.current_step = len(protocol.questions)
            ns = walker.full_namespace(state.trail, base)
            call = CallState(
                started_at=moment,
                now=moment,
                door=door_id,
                line=base["line"],
                district=base["district"],
                language=base["language"],
            )
            rec = recommend(protocol, ns, call, provisional=False)
            outcome = Outcome(
                ns["band"],
                rec.rule,
                rec.preferred_model,
                rec.model,
                rec.team,
                tuple(g.guarantee for g in rec.guarantees),
            )
            for door in (door_id,) + twins:
                key = (door, outcome)
                end = ends.get(key)
                if end is None or state.noise < end.noise:
                    answers = {qid: cls.value for qid, cls in trail_answers(state.trail) if not cls.skipped}
                    answers = {qid: (list(v) if isinstance(v, tuple) else v) for qid, v in answers.items()}
                    context = {k: base[k] for k in ("door", "line", "language", "district")} | {"door": door}
                    skipped = tuple(qid for qid, cls in trail_answers(state.trail) if cls.skipped)
                    example = EndClass(door, outcome, state.count, answers, context, skipped=skipped, noise=state.noise)
                    if end is None:
                        ends[key] = example
                        continue
                    end.example, end.example_context, end.skipped, end.noise = answers, context, skipped, state.noise
                end.paths += state.count
                end.states += 1
        for twin in twins:  # doors that behave alike were walked once
            for doors_asked in asked.values():
                if door_id in doors_asked:
                    doors_asked.add(twin)
    return Exploration(
        protocol,
        door_ids,
        list(ends.values()),
        asked,
        taken,
        walker.classes,
        walker.exact,
        walker.notes,
        walker.peak,
        hour,
        district,
        walker.budget,
    )


def _door_groups(
    protocol: Protocol, door_ids: tuple[str, ...], uses: dict[str, NameUse]
) -> list[tuple[str, tuple[str, ...]]]:
    """Doors no condition or door list can tell apart are walked once: (door walked, its twins)."""
    groups: dict[Any, list[str]] = {}
    door_use, caller_use = uses.get("door"), uses.get("caller")
    for door_id in door_ids:
        caller = protocol.doors[door_id].caller
        signature = (
            door_id if door_use and (door_use.opaque or door_id in door_use.literals) else None,
            caller if caller_use and (caller_use.opaque or caller in caller_use.literals) else None,
            tuple(q.doors is None or door_id in q.doors for q in protocol.questions),
        )
        groups.setdefault(signature, []).append(door_id)
    return [(members[0], tuple(members[1:])) for members in groups.values()]


def example_moment(protocol: Protocol, hour: float) -> datetime:
    """The moment example calls are taken at: a Monday at ``hour`` in the protocol's time zone."""
    zone = ZoneInfo(protocol.document.protocol.timezone)
    return datetime(2026, 1, 5, int(hour) % 24, round((hour % 1) * 60) % 60, tzinfo=zone)


def verify(exploration: Exploration) -> list[str]:
    """Replay each end class's example through a real CallSession; describe every disagreement."""
    from ..engine.events import Skipped
    from ..engine.session import session_from_answers

    protocol = exploration.protocol
    zone = ZoneInfo(protocol.document.protocol.timezone)
    hour = exploration.hour
    moment = datetime(2026, 1, 5, int(hour) % 24, int((hour % 1) * 60), tzinfo=zone)
    problems = []
    for end in exploration.ends:
        context = end.example_context
        session = session_from_answers(
            protocol,
            end.example,
            at=moment,
            door=context["door"],
            line=context["line"],
            district=context["district"],
            language=context["language"],
        )
        for qid in end.skipped:
            session.apply(Skipped(at=moment, question=qid))
        assessment = session.assessment
        rec = assessment.recommendation
        got = (assessment.risk.band, rec.rule, rec.model)
        want = (end.outcome.band, end.outcome.rule, end.outcome.model)
        if got != want or assessment.next_question is not None:
            problems.append(
                f"{end.door} {end.example}: walk said {want}, engine says {got}"
                + (f", still asking {assessment.next_question.id}" if assessment.next_question else "")
            )
    return problems
