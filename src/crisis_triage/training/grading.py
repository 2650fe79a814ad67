"""Grade a trainee's practice call from its events: pure functions, no clock.

The grade compares what the trainee recorded with what the scripted caller meant, and what they
dispatched with what the call needed:

* each question: asked when the protocol said so, answer recorded as the caller meant it
  (right, acceptable for a vague reply, wrong, or never asked);
* each volunteered danger: recorded as an interrupt, and how many seconds after the caller said it;
* each correction the caller made: applied or not;
* the dispatch: right, acceptable or wrong; CRITICAL when it leaves out a role the call needs
  (police with a weapon or violence, EMS with a medical emergency), judged on the *true* call;
* the warm-handoff steps done; the time from pick-up to dispatch against the target.

"The true call" is the scenario played by the scripted perfect trainee
(:func:`crisis_triage.training.runner.play_perfect`): what the call is, whatever the trainee recorded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..engine.assessment import answer_label
from ..engine.events import (
    Answered,
    AnyEvent,
    CallStarted,
    HandoffStepDone,
    InterruptRecorded,
    InterruptWithdrawn,
    RecommendationAccepted,
    Revised,
    Skipped,
)
from ..engine.session import CallSession, SessionError
from ..engine.views import question_view
from ..protocol.compiled import Protocol
from ..protocol.models import localized
from .caller import ScriptedCaller, volunteer_moments
from .library import Scenario
from .results import PASS_MARK, WEIGHTS, AnswerGrade, ExamResult, Grade, InterruptGrade, RecommendationGrade, Step
from .runner import Outcome, expected_handoff_steps, play_perfect


def _label(protocol: Protocol, qid: str, value: Any, language: str = "en") -> str:
    if value is None:
        return "nothing usable (skip)"
    question = protocol.question_by_id.get(qid)
    if question is None:
        return str(value)
    return answer_label(question, value, language) or str(value)


def _same(question_type: str, recorded: Any, meant: Any) -> bool:
    if question_type == "text":
        if meant is None:
            return recorded is None
        text = str(recorded or "").strip()
        # Free text is never compared word for word, but a wrong house number sends the team to
        # the wrong door: the first number the caller gave must be the one recorded.
        numbers = re.findall(r"\d+", str(meant))
        return bool(text) and (not numbers or numbers[0] in re.findall(r"\d+", text))
    if question_type == "multi":
        return set(recorded or ()) == set(meant or ())
    return recorded == meant


def required_roles(protocol: Protocol, truth: CallSession, scenario: Scenario) -> dict[str, str]:
    """Roles the true call needs, each with the reason: the scenario's ``team_includes`` and every
    protocol safety guarantee whose condition holds on the true call."""
    roles: dict[str, str] = {}
    for needed in truth.assessment.recommendation.required:  # the engine's list for the true call
        roles.setdefault(needed.role, localized(needed.because, "en") or needed.source)
    for role in scenario.document.expect.team_includes:
        roles.setdefault(role, "this call needs it (the scenario's expected team)")
    return roles


def grade_call(
    protocol: Protocol, scenario: Scenario, events: Sequence[AnyEvent], truth: Outcome | None = None
) -> Grade:
    """Grade a practice call's events (the first must be CallStarted) against ``scenario``."""
    if not events or not isinstance(events[0], CallStarted):
        raise ValueError("a practice call's events begin with call_started")
    truth = truth or play_perfect(protocol, scenario)
    caller = ScriptedCaller(scenario.document, protocol)
    document = scenario.document
    start = events[0].at
    language = events[0].language
    door = events[0].door

    def secs(at: datetime) -> float:
        return round((at - start).total_seconds(), 1)

    moments = volunteer_moments(caller, events)
    steps: list[Step] = []
    session = CallSession(protocol, events[0])
    heard: set[int] = set()
    out_of_order: list[str] = []
    first_value: dict[str, Any] = {}
    accepted: RecommendationAccepted | None = None
    first_dispatch: datetime | None = None
    accepted_recommendation = None
    handoff_done: list[str] = []
    interrupt_times: dict[str, datetime] = {}
    answered_order: list[str] = []
    door_grade = _grade_door(protocol, document, door)
    steps.append(
        Step(
            0.0,
            "door",
            f"Who is calling? {door_grade.recorded}",
            f'caller: "{document.caller.opening}"',
            door_grade.verdict,
        )
    )
    for index in caller.due(answered_order, heard):
        heard.add(index)
        steps.append(Step(0.0, "caller", f"Caller: {caller.volunteer(index).says}"))
    for event in events[1:]:
        before = session.assessment
        expected_next = before.next_question
        first_new = len(steps)
        try:
            session.apply(event)
        except SessionError as exc:
            steps.append(Step(secs(event.at), "rejected", f"{event.kind} not accepted", str(exc)))
            continue
        at = secs(event.at)
        match event:
            case Answered(question=qid) | Revised(question=qid):
                recorded = session.state.answers.get(qid)
                meant = caller.meaning(qid, heard)
                ok = _same(protocol.question_by_id[qid].type, recorded, meant)
                acceptable = recorded in caller.accepted_answers(qid, heard)
                verdict = "right" if ok else "acceptable" if acceptable else "wrong"
                is_revision = qid in first_value
                first_value.setdefault(qid, recorded)
                if not is_revision and expected_next is not None and expected_next.id != qid:
                    out_of_order.append(qid)
                    verdict = verdict if verdict != "right" else "out_of_order"
                said = "" if is_revision else f'caller: "{caller.reply(qid).says}" / '
                steps.append(
                    Step(
                        at,
                        "revision" if is_revision else "question",
                        _ask(protocol, qid, language, door),
                        f"{said}recorded: {_label(protocol, qid, recorded, language)}",
                        verdict,
                    )
                )
            case Skipped(question=qid):
                first_value.setdefault(qid, None)
                meant = caller.meaning(qid, heard)
                steps.append(
                    Step(
                        at,
                        "skip",
                        _ask(protocol, qid, language, door),
                        "skipped",
                        "right" if meant is None else "wrong",
                    )
                )
            case InterruptRecorded(interrupt=interrupt):
                interrupt_times.setdefault(interrupt, event.at)
                steps.append(
                    Step(at, "interrupt", f"Interrupt: {localized(protocol.interrupts[interrupt].label, 'en')}")
                )
            case InterruptWithdrawn(interrupt=interrupt):
                steps.append(
                    Step(
                        at,
                        "withdrawn",
                        f"Interrupt withdrawn: {localized(protocol.interrupts[interrupt].label, 'en')}",
                        event.reason,
                    )
                )
            case RecommendationAccepted(model=model, recommended=recommended):
                # The last dispatch is what was sent; the first is when help was first on its way.
                accepted, accepted_recommendation = event, session.assessment.recommendation
                first_dispatch = first_dispatch or event.at
                departure = (
                    (
                        f" (the console recommended {_model(protocol, recommended)}"
                        f"{': ' + event.reason if event.reason else ''})"
                    )
                    if model != recommended
                    else ""
                )
                steps.append(Step(at, "dispatch", f"Dispatched: {_model(protocol, model)}{departure}"))
            case HandoffStepDone(step=step_id):
                handoff_done.append(step_id)
                script = protocol.document.handoff.steps if protocol.document.handoff else []
                title = next((localized(s.title, "en") for s in script if s.id == step_id), step_id)
                steps.append(Step(at, "handoff", f"Handoff step: {title}"))
            case _:
                pass
        after = session.assessment
        turned = after.recommendation.model != before.recommendation.model
        for i in range(first_new, len(steps)):  # what this event showed on the console
            steps[i] = replace(
                steps[i],
                band=localized(protocol.band(after.risk.band).label, "en"),
                recommended=_model(protocol, after.recommendation.model),
                turned=turned,
            )
        if isinstance(event, (Answered, Revised, Skipped)) and event.question not in answered_order:
            answered_order.append(event.question)
            for index in caller.due(answered_order, heard):
                heard.add(index)
                steps.append(Step(at, "caller", f"Caller: {caller.volunteer(index).says}"))

    truth_session = CallSession.replay(protocol, truth.events) if truth.events else None
    answers = (door_grade,) + _grade_answers(protocol, caller, session, truth, moments, language, door)
    interrupts = _grade_interrupts(
        protocol,
        caller,
        moments,
        interrupt_times,
        set(session.state.interrupts),
        start,
        document.targets.interrupt_seconds,
    )
    recommendation = _grade_recommendation(protocol, scenario, accepted, accepted_recommendation, truth_session)
    unsupported = _unsupported(protocol, session, truth_session, interrupt_times)
    handoff_expected = expected_handoff_steps(protocol, scenario, truth.handoff)
    seconds = secs(first_dispatch) if first_dispatch else None
    for i, step in enumerate(steps):
        if step.kind == "dispatch":
            verdict = "critical" if recommendation.missing_roles else recommendation.verdict
            steps[i] = replace(step, verdict=verdict)
    parts = _parts(
        answers,
        interrupts,
        recommendation,
        handoff_expected,
        handoff_done,
        seconds,
        document.targets.recommendation_seconds,
    )
    return Grade(
        scenario.id,
        scenario.title,
        tuple(steps),
        answers,
        interrupts,
        recommendation,
        tuple(handoff_expected),
        tuple(handoff_done),
        seconds,
        document.targets.recommendation_seconds,
        parts,
        unsupported,
        tuple(out_of_order),
    )


def _model(protocol: Protocol, model_id: str) -> str:
    model = protocol.models.get(model_id)
    return localized(model.name, "en") if model else model_id


def _ask(protocol: Protocol, qid: str, language: str, door: str | None = None) -> str:
    """The words the trainee read (the console's own wording: ``ask_other`` for a third party)."""
    return question_view(protocol, protocol.question_by_id[qid], door, language).text


def _grade_door(protocol: Protocol, document, door: str | None) -> AnswerGrade:
    """The door the trainee chose on pick-up against the caller's real relation to the person."""
    doors = protocol.doors

    def label(door_id: str | None) -> str:
        return localized(doors[door_id].label, "en") if door_id is not None and door_id in doors else "not chosen"

    expected = document.call.door
    verdict = "right" if door == expected else "wrong"
    return AnswerGrade("door", "Who is calling?", document.caller.opening, label(door), label(expected), verdict)


def _grade_answers(protocol, caller, session, truth, moments, language, door) -> tuple[AnswerGrade, ...]:
    heard = set(moments)
    state = session.state
    trainee_applies = {a.question.id for a in session.assessment.asked}
    pending = [a.question.id for a in session.assessment.asked if a.status == "pending" and a.question.spec.required]
    wanted = list(truth.questions)
    wanted += [q for q in [*state.answers, *pending] if q not in wanted]
    grades = []
    for qid in wanted:
        question = protocol.question_by_id[qid]
        reply = caller.reply(qid)
        meant = caller.meaning(qid, heard)
        revised_by_caller = any(qid in caller.volunteer(i).revise for i in heard)
        if qid in state.answers and qid in trainee_applies:
            recorded = state.answers[qid]
            if _same(question.type, recorded, meant):
                verdict = "right"
            elif recorded in caller.accepted_answers(qid, heard):
                verdict = "acceptable"
            else:
                verdict = "wrong"
            recorded_label = _label(protocol, qid, recorded, language)
        elif qid in state.skipped:
            verdict = "right" if meant is None else "wrong"
            recorded_label = "skipped"
        else:
            if meant is None and not question.spec.required:
                continue  # nothing to record and nothing lost
            verdict, recorded_label = "missed", "not asked"
        grades.append(
            AnswerGrade(
                qid,
                _ask(protocol, qid, language, door),
                reply.says,
                recorded_label,
                _label(protocol, qid, meant, language),
                verdict,
                reply.vague,
                revised_by_caller,
            )
        )
    return tuple(grades)


def _grade_interrupts(protocol, caller, moments, interrupt_times, active, start, target) -> tuple[InterruptGrade, ...]:
    grades = []
    for index, volunteer in enumerate(caller.script.volunteers):
        if not volunteer.record:
            continue
        said = moments.get(index)
        expected = volunteer.record
        accepted = [expected, *volunteer.also_accept]
        times = [interrupt_times[i] for i in accepted if i in interrupt_times]
        recorded = min(times) if times else None
        said_s = round((said - start).total_seconds(), 1) if said else None
        recorded_s = round((recorded - start).total_seconds(), 1) if recorded else None
        if recorded is not None and not active.intersection(accepted):
            verdict, delay = "missed", None  # recorded, then withdrawn: the danger is not on the call any more
        elif said is None:
            verdict, delay = ("on_time", 0.0) if recorded else ("not_reached", None)
        elif recorded is None:
            verdict, delay = "missed", None
        else:
            delay = max(0.0, round((recorded - said).total_seconds(), 1))
            verdict = "on_time" if delay <= target else "slow"
        grades.append(InterruptGrade(volunteer.says, expected, said_s, recorded_s, delay, verdict))
    return tuple(grades)


def _grade_recommendation(protocol, scenario, accepted, recommendation, truth_session) -> RecommendationGrade:
    expect = scenario.document.expect
    needed = (
        required_roles(protocol, truth_session, scenario) if truth_session else dict.fromkeys(expect.team_includes, "")
    )
    engine_model = None
    if accepted is None:
        team: tuple[str, ...] = ()
        verdict = "none"
        dispatched = None
    else:
        dispatched = accepted.model
        engine_model = recommendation.model if recommendation else None
        if recommendation is not None and recommendation.model == dispatched:
            team = recommendation.team
        else:
            team = tuple(protocol.models[dispatched].team)
        verdict = (
            "right"
            if dispatched == expect.recommendation
            else "acceptable"
            if dispatched in expect.acceptable
            else "wrong"
        )
    missing = tuple(r for r in needed if r not in team)
    reasons = tuple(f"no {r}: {needed[r]}" for r in missing)
    return RecommendationGrade(
        dispatched,
        expect.recommendation,
        tuple(expect.acceptable),
        verdict,
        tuple(team),
        missing,
        reasons,
        engine_model,
    )


def _unsupported(protocol, session, truth_session, interrupt_times) -> tuple[str, ...]:
    if truth_session is None:
        return ()
    true_facts = set(truth_session.assessment.facts)
    return tuple(i for i in interrupt_times if protocol.interrupts[i].fact not in true_facts)


def _parts(answers, interrupts, recommendation, handoff_expected, handoff_done, seconds, target) -> dict[str, float]:
    value = {"right": 1.0, "acceptable": 0.5}
    answer_share = sum(value.get(a.verdict, 0.0) for a in answers) / len(answers) if answers else 1.0
    reached = [i for i in interrupts if i.verdict != "not_reached"]
    interrupt_value = {"on_time": 1.0, "slow": 0.5}
    interrupt_share = sum(interrupt_value.get(i.verdict, 0.0) for i in reached) / len(reached) if reached else 1.0
    rec_share = (
        0.0 if recommendation.missing_roles else {"right": 1.0, "acceptable": 0.5}.get(recommendation.verdict, 0.0)
    )
    handoff_share = (
        (sum(1 for s in handoff_expected if s in handoff_done) / len(handoff_expected)) if handoff_expected else 1.0
    )
    if seconds is None:
        time_share = 0.0
    elif seconds <= target:
        time_share = 1.0
    else:
        time_share = max(0.0, 1.0 - (seconds - target) / target)  # nothing left at twice the target
    shares = {
        "answers": answer_share,
        "interrupts": interrupt_share,
        "recommendation": rec_share,
        "handoff": handoff_share,
        "time": time_share,
    }
    return {part: round(WEIGHTS[part] * share, 1) for part, share in shares.items()}


__all__ = [
    "PASS_MARK",
    "WEIGHTS",
    "AnswerGrade",
    "ExamResult",
    "Grade",
    "InterruptGrade",
    "RecommendationGrade",
    "Step",
    "grade_call",
    "required_roles",
]
