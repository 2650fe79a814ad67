"""The scripted caller: what they say when asked a question, what they mean, what they volunteer and when.

Pure: no clock and no screen. The practice console, the headless runner and the grader all ask
the same object, so the moment a statement is volunteered means the same thing everywhere:

* ``after: QUESTION``: as soon as that question has been answered or skipped;
* ``after_questions: N``: as soon as N different questions have been answered or skipped
  (0: right after the call is picked up).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..engine.events import Answered, AnyEvent, CallStarted, Revised, Skipped
from ..protocol.compiled import CompiledQuestion, Protocol
from .scenario import Reply, ScenarioDocument, Volunteer


@dataclass(frozen=True)
class CallerLine:
    """One thing the caller says, as the caller pane shows it."""

    says: str
    translation: str | None = None
    question: str | None = None
    """The question it answers, or None for a volunteered statement or the opening."""
    volunteer: int | None = None
    """The index of the volunteered statement in the scenario's script."""
    vague: bool = False


def _fits(question: CompiledQuestion, value: Any) -> bool:
    options = [o.id for o in question.options]
    if question.type in ("yes_no", "choice"):
        return isinstance(value, str) and value in options
    if question.type == "multi":
        values = [value] if isinstance(value, str) else value
        return isinstance(values, list) and all(v in options for v in values)
    if question.type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def normalise(question: CompiledQuestion, value: Any) -> Any:
    """An answer in the shape the engine stores it (multi: a tuple of options in protocol order)."""
    if value is None:
        return None
    if question.type == "multi":
        values = [value] if isinstance(value, str) else list(value)
        order = [o.id for o in question.options]
        return tuple(sorted(set(values), key=lambda v: order.index(v) if v in order else len(order)))
    if question.type == "number" and isinstance(value, (int, float)):
        return float(value)
    if question.type in ("yes_no", "choice") and isinstance(value, bool):
        return "yes" if value else "no"
    return value


class ScriptedCaller:
    """The caller of one scenario, answering questions of one protocol."""

    def __init__(self, document: ScenarioDocument, protocol: Protocol):
        self.document = document
        self.protocol = protocol
        self.script = document.script

    # -- replies ---------------------------------------------------------------------------------
    def reply(self, question_id: str) -> Reply:
        """The scripted reply to a question, or the default reply (meaning adjusted to the question)."""
        scripted = self.script.answers.get(question_id)
        if scripted is not None:
            return scripted
        default = self.script.default
        question = self.protocol.question_by_id.get(question_id)
        if question is None or not _fits(question, default.means) or question.type == "text":
            # A default "no" cannot answer "what is your name?" or a list of options: nothing usable.
            return Reply(says=default.says, translation=default.translation, means=None)
        return default

    def opening(self) -> CallerLine:
        persona = self.document.caller
        return CallerLine(persona.opening, persona.opening_translation)

    def line_for(self, question_id: str) -> CallerLine:
        """What the caller says when asked ``question_id``."""
        reply = self.reply(question_id)
        return CallerLine(reply.says, reply.translation, question=question_id, vague=reply.vague)

    def volunteer_line(self, index: int) -> CallerLine:
        volunteer = self.script.volunteers[index]
        return CallerLine(volunteer.says, volunteer.translation, volunteer=index)

    # -- meaning -----------------------------------------------------------------------------------
    def meaning(self, question_id: str, heard: Iterable[int] = ()) -> Any:
        """The answer the caller means now, given the volunteered statements already heard
        (a later correction wins). None: nothing usable, the question should be skipped."""
        value = self.reply(question_id).means
        for index in sorted(heard):
            revise = self.script.volunteers[index].revise
            if question_id in revise:
                value = revise[question_id]
        question = self.protocol.question_by_id.get(question_id)
        return normalise(question, value) if question is not None else value

    def accepted_answers(self, question_id: str, heard: Iterable[int] = ()) -> list[Any]:
        """Other answers graded as acceptable (from the reply's ``also_accept``), normalised.

        After a correction the caller has been clear, so only the corrected answer counts."""
        heard = list(heard)
        if any(question_id in self.script.volunteers[i].revise for i in heard):
            return []
        question = self.protocol.question_by_id.get(question_id)
        reply = self.reply(question_id)
        if question is None:
            return list(reply.also_accept)
        return [normalise(question, v) for v in reply.also_accept]

    # -- volunteered statements ----------------------------------------------------------------------
    def due(self, answered: Sequence[str], said: Iterable[int]) -> list[int]:
        """Indexes of volunteered statements due now and not yet said, in script order.

        ``answered``: the distinct question ids answered or skipped so far, in the order asked."""
        said = set(said)
        done = set(answered)
        result = []
        for index, volunteer in enumerate(self.script.volunteers):
            if index in said:
                continue
            if (volunteer.after is not None and volunteer.after in done) or (
                volunteer.after_questions is not None and len(answered) >= volunteer.after_questions
            ):
                result.append(index)
        return result

    def volunteer(self, index: int) -> Volunteer:
        return self.script.volunteers[index]


def volunteer_moments(caller: ScriptedCaller, events: Sequence[AnyEvent]) -> dict[int, datetime]:
    """When each volunteered statement was said during a call (statements never reached are absent).

    A statement is said at the time of the event that made it due: the answer (or skip) of the
    question it follows, or the call's start for ``after_questions: 0``.
    """
    moments: dict[int, datetime] = {}
    answered: list[str] = []
    for event in events:
        if isinstance(event, (Answered, Skipped, Revised)):
            if event.question in answered:
                continue
            answered.append(event.question)
        elif not isinstance(event, CallStarted):  # the start is the moment of after_questions: 0
            continue
        for index in caller.due(answered, moments):
            moments[index] = event.at
    return moments
