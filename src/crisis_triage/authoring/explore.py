"""Walk every distinct path through a protocol, one door at a time, with answers grouped into
equivalence classes, and say where each path ends (band, rule, recommendation).

The walk follows the engine's own semantics (questions in order, a question's condition sees the
call as it stands before it, answers to questions that do not apply are not given) but keeps, for
each partial path, only what can still matter: the score (capped where no threshold can tell
higher scores apart) and the values of names some later condition reads. Paths that agree on
those are merged, with a count of how many answer sequences they stand for. Answers are grouped
into classes that behave alike (same risk points, same facts set, same value as seen by every
condition that reads the question), so a yes/no question nobody reads after it adds no branches.

The outcome of every end state is the engine's own: its example answers are walked by the
engine's compiled walk and decided by :func:`crisis_triage.engine.recommend.choose`; while walking,
answers are recorded and bands worked out by the same compiled code (:mod:`.path_plan`). The walk
is split by job: :mod:`.path_plan` (what is worked out once per protocol), :mod:`.path_walk`
(stepping partial paths through one door), :mod:`.walk_state` (a partial path and its namespace),
:mod:`.exploration` (the results) and this module (doors, outcomes, :func:`verify`, which replays
example paths through a real :class:`~crisis_triage.engine.CallSession`).

On protocols whose paths do not merge (many independent facts read at the end), the number of
states is held to ``budget`` by sampling, deterministically; the result then says it is
approximate, and reachability claims ("never asked") are withheld.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..engine.evaluate import walk_answers
from ..engine.recommend import choose
from ..engine.state import CallState
from ..protocol.compiled import Protocol
from .answers import AnswerClass, answer_classes
from .domains import NameUse
from .exploration import EndClass, Exploration, Outcome
from .path_plan import PathPlan
from .path_walk import PathWalker
from .walk_state import State, trail_answers

MAX_BUDGET = 3000
"""At most this many partial paths are kept per step; below it the walk is exact."""
MIN_BUDGET = 12
WORK_BUDGET = 200_000
"""Branches the walk may take in all (states x answer classes x questions, roughly): the state
budget shrinks on large protocols so that ``paths`` answers in seconds at 2,000 questions."""


def auto_budget(protocol: Protocol, classes: dict[str, list[AnswerClass]]) -> int:
    """States to keep per step for this protocol (see :data:`WORK_BUDGET`)."""
    branches = sum(len(c) for c in classes.values()) or 1
    return max(MIN_BUDGET, min(MAX_BUDGET, WORK_BUDGET // branches))


def _outcome(protocol: Protocol, state: State, base: dict[str, Any], moment: datetime) -> Outcome:
    """What the engine decides for a path's example answers (its own walk, not the path summary)."""
    call = CallState(
        started_at=moment,
        now=moment,
        door=base["door"],
        line=base["line"],
        district=base["district"],
        language=base["language"],
        answers={qid: cls.value for qid, cls in trail_answers(state.trail) if not cls.skipped},
    )
    ns = walk_answers(protocol, call)
    chosen = choose(protocol, ns, call)
    return Outcome(
        ns["band"],
        chosen.rule.spec.id,
        chosen.rule.spec.recommend,
        chosen.model,
        tuple(chosen.team),
        tuple(g.guarantee for g in chosen.guarantees),
    )


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
    plan = PathPlan(protocol)
    walker = PathWalker(
        plan, hour=hour, district=district, budget=budget or auto_budget(protocol, plan.classes), seed=seed
    )
    door_ids = tuple(doors or protocol.doors)
    asked: dict[str, set[str]] = {}
    taken: dict[str, set[int]] = {}
    ends: dict[tuple[str, Outcome], EndClass] = {}
    moment = example_moment(protocol, hour)
    groups = _door_groups(protocol, door_ids, plan.uses)
    if budget is None and len(groups) > 1:
        # The work budget is for the whole run: doors that behave differently share it.
        walker.budget = max(MIN_BUDGET, walker.budget // len(groups)) if walker.budget < MAX_BUDGET else walker.budget
    for door_id, twins in groups:
        for state, base in walker.walk(door_id, asked, taken):
            outcome = _outcome(protocol, state, base, moment)
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
        plan.classes,
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


def example_session(protocol: Protocol, end: Any, moment: datetime, *, skips: bool = True) -> Any:
    """A real CallSession of an end class's example call, taken at ``moment`` in its own context, with
    the questions the example skipped recorded as skipped (``skips=False`` leaves them unanswered)."""
    from ..engine.events import Skipped
    from ..engine.session import session_from_answers

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
    if skips:
        for qid in end.skipped:
            session.apply(Skipped(at=moment, question=qid))
    return session


def verify(exploration: Exploration) -> list[str]:
    """Replay each end class's example through a real CallSession; describe every disagreement."""
    protocol = exploration.protocol
    moment = example_moment(protocol, exploration.hour)
    problems = []
    for end in exploration.ends:
        assessment = example_session(protocol, end, moment).assessment
        rec = assessment.recommendation
        got = (assessment.risk.band, rec.rule, rec.model)
        want = (end.outcome.band, end.outcome.rule, end.outcome.model)
        if got != want or assessment.next_question is not None:
            problems.append(
                f"{end.door} {end.example}: walk said {want}, engine says {got}"
                + (f", still asking {assessment.next_question.id}" if assessment.next_question else "")
            )
    return problems


__all__ = [
    "EndClass",
    "Exploration",
    "Outcome",
    "answer_classes",
    "auto_budget",
    "example_moment",
    "example_session",
    "explore",
    "verify",
]
