"""Issue 11's call events from the console's keys: interpreter requested and connected, a supervisor
consulted, help sent without consent; each recorded, shown on the call-events line and in the summaries."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from crisis_triage.engine import Answered
from crisis_triage.engine.events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from crisis_triage.engine.events_centre import SupervisorConsulted
from crisis_triage.store.journal import MemoryJournal
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.call_events import AskModal
from crisis_triage.tui.screens.dispatch import DispatchScreen
from crisis_triage.tui.screens.modals import ChoiceModal
from tests.tui.helpers import NOON, make_app, message_line, panel, run_async
from tests.tui.test_whole_calls import wait_for

#: A caller with a plan, the means at hand, tonight, who cannot keep safe: 988's imminent risk.
IMMINENT = {
    "location": "40 Dudley St",
    "caller_name": "Dee",
    "breathing_chest": "no",
    "hurt_or_unresponsive": "no",
    "fainted_or_seizure": "no",
    "took_substance": "no",
    "stopped_drinking_or_pills": "no",
    "attempt_now": "no",
    "weapon": "no",
    "violence": "no",
    "earlier_violence": "no",
    "threats": "no",
    "crime": "no",
    "children": "no",
    "wish_dead": "yes",
    "suicidal_thoughts": "yes",
    "method": "yes",
    "intent": "yes",
    "plan": "yes",
    "means_access": "yes",
    "timing": "yes",
    "alone_now": "no",
    "cannot_stay_safe": "yes",
}


async def _answer_as_asked(pilot, answers: dict) -> CallScreen:
    """Answer each question the protocol asks next, by its id, while the answers last."""
    screen = pilot.app.screen
    for _ in range(len(screen.protocol.question_by_id)):
        question = screen.assessment.next_question
        if question is None or question.id not in answers:
            break
        assert screen.record(Answered(at=NOON, question=question.id, value=answers[question.id]))
    await pilot.pause()
    return screen


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


@run_async
async def test_at_imminent_risk_the_supervisor_and_help_without_consent_are_one_key_each():
    journal = MemoryJournal()
    app = make_app(journal=journal, door="self", district="B2")
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        screen = await _answer_as_asked(pilot, IMMINENT)
        assert set(IMMINENT) <= set(screen.session.state.answers)  # every answer was asked for, in order
        assert screen.assessment.risk.suicide_level == "imminent"
        duties = panel(app, "#call-events")
        assert "IMMINENT RISK: consult a supervisor  (Ctrl+S)" in duties
        assert "Help without consent only if" in duties and "(Ctrl+R)" in duties

        await pilot.press("ctrl+s")
        await wait_for(pilot, AskModal)
        await _type(pilot, "sup-12")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AskModal)  # what was decided
        await _type(pilot, "agreed EMS")
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)

        await pilot.press("ctrl+r")
        await wait_for(pilot, ChoiceModal)
        await pilot.press("down", "enter")  # the second of 988's grounds: cannot keep safe
        await wait_for(pilot, AskModal)
        await pilot.press("enter")  # the note is optional on 988's own grounds
        await wait_for(pilot, CallScreen)

        events = journal.events("call-1")
        (consulted,) = [e for e in events if isinstance(e, SupervisorConsulted)]
        assert (consulted.supervisor, consulted.note) == ("sup-12", "agreed EMS")
        (rescue,) = [e for e in events if isinstance(e, RescueWithoutConsent)]
        assert rescue.reason == "cannot_keep_safe"
        duties = panel(app, "#call-events")
        assert "Supervisor sup-12 consulted" in duties and "agreed EMS" in duties
        assert "HELP SENT WITHOUT CONSENT" in duties and "the person cannot keep safe" in duties
        assert "IMMINENT RISK: consult" not in duties

        await pilot.press("f9")
        if not isinstance(app.screen, DispatchScreen):  # a safety question left: accept anyway
            await pilot.press("a")
        await wait_for(pilot, DispatchScreen)
        summary = app.screen.query_one("#dispatch-text", TextArea).text
        assert "Supervisor sup-12 consulted 12:00: agreed EMS" in summary
        assert "HELP SENT WITHOUT CONSENT 12:00: cannot keep safe" in summary


@run_async
async def test_an_interpreter_is_requested_and_connected_while_the_location_is_being_typed():
    journal = MemoryJournal()
    app = make_app(journal=journal, door="self", district="C11", language="ht")
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        screen = app.screen
        box = screen.query_one("#q-input", Input)
        await pilot.press("enter")  # the location is an optional typed answer: Enter starts typing
        assert screen.focused is box
        assert "No interpreter requested (ht)  (Ctrl+L)" in panel(app, "#call-events")
        await _type(pilot, "12 Wa")
        await pilot.press("ctrl+o")  # connected before any request: refused, with the key to press
        await pilot.pause()
        assert "Request the interpreter first (Ctrl+L)" in message_line(app)
        await pilot.press("ctrl+l")
        await wait_for(pilot, AskModal)
        assert app.screen.query_one("#ask-input", Input).value == "ht"  # the call's language, prefilled
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)
        assert "Interpreter requested" in panel(app, "#call-events") and "(Ctrl+O)" in panel(app, "#call-events")
        await pilot.press("ctrl+o")
        await wait_for(pilot, AskModal)
        await pilot.press("enter")  # the id is required: an empty Enter keeps the dialog open
        await pilot.pause()
        assert isinstance(app.screen, AskModal)
        await _type(pilot, "LL-4411")
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)
        assert box.value == "12 Wa"  # what was being typed is still there
        events = journal.events("call-1")
        assert [e.language for e in events if isinstance(e, InterpreterRequested)] == ["ht"]
        assert [e.interpreter_id for e in events if isinstance(e, InterpreterConnected)] == ["LL-4411"]
        assert "Interpreter LL-4411 on the line (ht) since" in panel(app, "#call-events")
        handoff = screen.session.handoff()
        assert handoff is not None and "interpreter LL-4411 on the line (ht)" in handoff.summary


@run_async
async def test_the_console_checks_a_receiving_service_against_its_directory():
    from crisis_triage.engine import RecommendationAccepted
    from crisis_triage.engine.events_response import DispositionRecorded

    app = make_app(door="family", district="B2")
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, CallScreen)
        screen = app.screen
        assert screen.session.directory is app.directory and app.directory is not None
        assert screen.record(RecommendationAccepted(at=NOON, model="co_response", recommended="co_response"))
        refused = DispositionRecorded(at=NOON, code="connected_to_care", details={"service": "peer_warm"})
        assert not screen.record(refused)
        await pilot.pause()
        assert 'did you mean "peer_warmline"' in message_line(app)
        assert screen.record(
            DispositionRecorded(at=NOON, code="connected_to_care", details={"service": "peer_warmline"})
        )
