"""Play a scenario headlessly with a scripted perfect trainee, and compare the outcome with the scenario.

The perfect trainee asks whatever the engine says is next, records exactly what the caller means,
records each volunteered danger as its interrupt a few seconds after hearing it, applies each
correction at once, dispatches the recommendation and completes the warm handoff when there is one.
What that call ends in is the scenario's *outcome* against a protocol; ``scenarios check`` compares
it with what the scenario expects, so a protocol edit cannot silently change a known outcome.

Pure: the call's clock is made up (a fixed date at the scenario's time of day), nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..engine.events import (
    Answered,
    AnyEvent,
    AvailabilityChanged,
    CallEnded,
    CallStarted,
    HandoffEnded,
    HandoffStepDone,
    InterruptRecorded,
    RecommendationAccepted,
    Revised,
    Skipped,
)
from ..engine.session import CallSession, SessionError
from ..protocol.compiled import Protocol
from .caller import ScriptedCaller
from .library import Scenario

#: The day practice calls happen on (a Tuesday); only the time of day matters to the protocol.
PRACTICE_DATE = date(2026, 3, 10)
SECONDS_PER_QUESTION = 10
"""How long the perfect trainee takes per question: asking, hearing, pressing the key."""
SECONDS_TO_INTERRUPT = 3
SECONDS_PER_HANDOFF_STEP = 8


def call_start(protocol: Protocol, scenario: Scenario, day: date = PRACTICE_DATE) -> datetime:
    """The moment the practice call is picked up: the scenario's time of day in the protocol's zone."""
    hour, minute = scenario.document.call.hour_minute
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(protocol.document.protocol.timezone))


def opening_events(protocol: Protocol, scenario: Scenario, at: datetime) -> list[AnyEvent]:
    """The call's context as the scenario sets it: door, line, district, language, unavailable teams."""
    call = scenario.document.call
    line = call.line or (protocol.document.lines[0].id if protocol.document.lines else None)
    language = scenario.document.caller.language
    events: list[AnyEvent] = [CallStarted(at=at, door=call.door, line=line, district=call.district, language=language)]
    for model, reason in call.unavailable.items():
        events.append(AvailabilityChanged(at=at, model=model, available=False, reason=reason))
    return events


def expected_handoff_steps(protocol: Protocol, scenario: Scenario, handoff: bool) -> list[str]:
    """The handoff steps the scenario expects done: as written, or every step when the call ends in a handoff."""
    if scenario.document.expect.handoff_steps is not None:
        return list(scenario.document.expect.handoff_steps)
    if handoff and protocol.document.handoff:
        return [s.id for s in protocol.document.handoff.steps]
    return []


@dataclass
class Outcome:
    """Where the perfect trainee's call ended."""

    model: str | None = None
    preferred_model: str | None = None
    team: tuple[str, ...] = ()
    band: str | None = None
    rule: str | None = None
    handoff: bool = False
    questions: tuple[str, ...] = ()
    """Questions asked, in order."""
    volunteered: tuple[int, ...] = ()
    """Volunteered statements heard, in order."""
    events: list[AnyEvent] = field(default_factory=list)
    error: str | None = None
    """Why the call could not be played (the caller has no answer for a required question ...)."""


def play_perfect(protocol: Protocol, scenario: Scenario) -> Outcome:
    """Play ``scenario`` with the scripted perfect trainee; never raises for a bad scenario."""
    caller = ScriptedCaller(scenario.document, protocol)
    now = call_start(protocol, scenario)
    outcome = Outcome()
    try:
        session = CallSession.replay(protocol, opening_events(protocol, scenario, now))
        asked: list[str] = []
        heard: list[int] = []

        def hear(at: datetime) -> datetime:
            for index in caller.due(asked, heard):
                heard.append(index)
                volunteer = caller.volunteer(index)
                if volunteer.record:
                    at += timedelta(seconds=SECONDS_TO_INTERRUPT)
                    session.apply(InterruptRecorded(at=at, interrupt=volunteer.record))
                for qid in volunteer.revise:
                    if qid in session.state.answers or qid in session.state.skipped:
                        at += timedelta(seconds=SECONDS_TO_INTERRUPT)
                        value = caller.meaning(qid, heard)
                        session.apply(
                            Revised(at=at, question=qid, value=_event_value(value))
                            if value is not None
                            else Skipped(at=at, question=qid)
                        )
            return at

        now = hear(now)
        for _ in range(len(protocol.questions) * 2 + 2):  # every question once, plus margin; never loops forever
            question = session.assessment.next_question
            if question is None:
                break
            now += timedelta(seconds=SECONDS_PER_QUESTION)
            value = caller.meaning(question.id, heard)
            if value is None:
                if question.spec.required:
                    raise SessionError(
                        f'the caller has no answer for the required question "{question.id}": '
                        f"add script.answers.{question.id}"
                    )
                session.apply(Skipped(at=now, question=question.id))
            else:
                session.apply(Answered(at=now, question=question.id, value=_event_value(value)))
            asked.append(question.id)
            now = hear(now)
        assessment = session.assessment
        recommendation = assessment.recommendation
        now += timedelta(seconds=SECONDS_PER_QUESTION)
        session.apply(RecommendationAccepted(at=now, model=recommendation.model, recommended=recommendation.model))
        for step in expected_handoff_steps(protocol, scenario, recommendation.handoff):
            now += timedelta(seconds=SECONDS_PER_HANDOFF_STEP)
            session.apply(HandoffStepDone(at=now, step=step))
        if recommendation.handoff and protocol.document.handoff:
            session.apply(HandoffEnded(at=now, outcome=protocol.document.handoff.outcomes[0]))
        session.apply(CallEnded(at=now))
    except SessionError as exc:
        outcome.error = str(exc)
        return outcome
    outcome.model = recommendation.model
    outcome.preferred_model = recommendation.preferred_model
    outcome.team = recommendation.team
    outcome.band = assessment.risk.band
    outcome.rule = recommendation.rule
    outcome.handoff = recommendation.handoff
    outcome.questions = tuple(asked)
    outcome.volunteered = tuple(heard)
    outcome.events = list(session.events)
    return outcome


def _event_value(value):
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Difference:
    what: str
    expected: str
    got: str


@dataclass(frozen=True)
class CheckResult:
    """A scenario's outcome against a protocol, compared with what the scenario expects."""

    scenario: Scenario
    outcome: Outcome
    differences: tuple[Difference, ...]

    @property
    def status(self) -> str:
        """``ok``, ``differs``, ``disputed`` (differs, and the scenario says the protocol is believed wrong) or ``error``."""
        if self.outcome.error:
            return "error"
        if not self.differences:
            return "ok"  # a scenario marked disputed that now matches: see `resolved`
        return "disputed" if self.scenario.document.expect.disputed else "differs"

    @property
    def resolved(self) -> bool:
        """Marked disputed, yet the protocol now gives what it expects: ``expect.disputed`` can go."""
        return self.status == "ok" and bool(self.scenario.document.expect.disputed)

    @property
    def failed(self) -> bool:
        return self.status in ("error", "differs")


def contradictions(protocol: Protocol, scenario: Scenario) -> list[Difference]:
    """The caller's lines against the scenario's own answers: a danger the caller volunteers (recorded
    as an interrupt) that a reply of the same caller, meant once that was said, then denies.

    Checked for every question that can record the danger, asked or not in the perfect run: a trainee
    who follows the caller may reach it (knife_in_kitchen once answered "is anyone holding it?" with
    the default "No" right after "he's waving it around", and graded the safe answer wrong).
    """
    caller = ScriptedCaller(scenario.document, protocol)
    found: list[Difference] = []
    for index, volunteer in enumerate(scenario.document.script.volunteers):
        if volunteer.record is None or volunteer.record not in protocol.interrupts:
            continue
        fact = protocol.interrupts[volunteer.record].fact
        heard = range(index + 1)
        # Only the question that records this danger itself: "no" to one of several questions that can
        # each establish a medical emergency denies nothing the caller said.
        recording = [q for q in protocol.questions if any(name == fact for name, _ in q.sets)]
        if len(recording) != 1:
            continue
        for question in recording:
            conditions = [condition for name, condition in question.sets if name == fact]
            if question.type not in ("yes_no", "choice"):
                continue
            meant = caller.meaning(question.id, heard)
            if meant is None or meant == "unknown":
                continue  # not knowing is not denying

            if _establishes(protocol, conditions, meant) or not any(
                _establishes(protocol, conditions, o.id) for o in question.options
            ):
                continue
            scripted = question.id in scenario.document.script.answers
            found.append(
                Difference(
                    "contradiction",
                    f'volunteers[{index}] ("{_short(volunteer.says)}") records {volunteer.record}',
                    f'{question.id} is answered "{meant}"'
                    + ("" if scripted else " by the default line")
                    + f": script a reply to {question.id} (or a revise) that agrees with what the caller said",
                )
            )
    return found


def _establishes(protocol: Protocol, conditions, value: str) -> bool:
    """Whether answering ``value`` makes one of ``conditions`` (a question's sets for one fact) hold."""
    from ..engine.evaluate import defaults

    namespace = {**defaults(protocol), "answer": value}
    return any(condition.evaluate(namespace) for condition in conditions)


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def offered_kinds(protocol: Protocol, events: list[AnyEvent]) -> set[str]:
    """The kinds of service the referral rules offer at the end of a played call (any hour, any directory)."""
    from ..engine.referrals import referral_kinds, referral_names

    session = CallSession.replay(protocol, events)
    return {
        kind for _, kind, _ in referral_kinds(protocol, referral_names(protocol, session.state, session.assessment))
    }


def check_scenario(protocol: Protocol, scenario: Scenario) -> CheckResult:
    """Play the scenario and list every way its outcome differs from its expectation."""
    outcome = play_perfect(protocol, scenario)
    expect = scenario.document.expect
    differences: list[Difference] = contradictions(protocol, scenario)
    if outcome.error:
        return CheckResult(scenario, outcome, ())
    if outcome.model != expect.recommendation:
        differences.append(Difference("recommendation", expect.recommendation, str(outcome.model)))
    if expect.band is not None and outcome.band != expect.band:
        differences.append(Difference("band", expect.band, str(outcome.band)))
    missing = [r for r in expect.team_includes if r not in outcome.team]
    if missing:
        differences.append(
            Difference("team", "includes " + ", ".join(expect.team_includes), ", ".join(outcome.team) or "nobody")
        )
    if expect.referrals_offer:
        offered = offered_kinds(protocol, outcome.events)
        if any(kind not in offered for kind in expect.referrals_offer):
            differences.append(
                Difference(
                    "referrals",
                    "offers " + ", ".join(expect.referrals_offer),
                    "offers " + (", ".join(sorted(offered)) or "nothing"),
                )
            )
    if expect.fallback_from is not None and outcome.preferred_model != expect.fallback_from:
        got = outcome.preferred_model if outcome.preferred_model != outcome.model else "no fallback"
        differences.append(Difference("fallback", f"from {expect.fallback_from}", str(got)))
    if expect.handoff_steps and not outcome.handoff:
        differences.append(Difference("handoff", "warm handoff to the call line", "no handoff"))
    dispatched = next((e.at for e in outcome.events if isinstance(e, RecommendationAccepted)), None)
    target = scenario.document.targets.recommendation_seconds
    if dispatched is not None and (dispatched - outcome.events[0].at).total_seconds() > target:
        seconds = (dispatched - outcome.events[0].at).total_seconds()
        differences.append(
            Difference(
                "time",
                f"dispatch within {target}s",
                f"even a perfect trainee needs {seconds:.0f}s: raise targets.recommendation_seconds",
            )
        )
    unheard = [i for i in range(len(scenario.document.script.volunteers)) if i not in outcome.volunteered]
    if unheard:
        differences.append(
            Difference(
                "volunteered",
                "every statement said",
                "never reached: " + ", ".join(f"volunteers[{i}]" for i in unheard),
            )
        )
    return CheckResult(scenario, outcome, tuple(differences))
