"""Practice calls driven by keys alone: briefing, the caller pane, a call to its debrief, an exam."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crisis_triage.config import Settings
from crisis_triage.training.history import History
from crisis_triage.tui.practice_app import PracticeApp
from crisis_triage.tui.screens.debrief import DebriefScreen
from crisis_triage.tui.screens.practice import BriefScreen
from crisis_triage.tui.screens.practice_call import PracticeCallScreen
from crisis_triage.tui.screens.practice_results import ExamResultsScreen
from crisis_triage.tui.widgets.caller import CallerPane
from tui.helpers import FixedClock, run_async  # tests/ is on sys.path (rootdir-relative packages)

MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def Clock() -> FixedClock:
    """The wall clock, moved by the test: each key press below takes the seconds we say."""
    return FixedClock(MORNING)


def make_app(boston, scenarios, clock, exam=False):
    return PracticeApp(
        Settings(console_id="training-1"),
        boston,
        scenarios,
        trainee="trainee-7",
        exam=exam,
        clock=clock,
        announce_startup=False,
        cursor_blink=False,
    )


async def wait_for(pilot, kind):
    for _ in range(100):
        if isinstance(pilot.app.screen, kind):
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError(f"expected {kind.__name__}, on {type(pilot.app.screen).__name__}")


async def answer(pilot, clock, *keys, seconds=8):
    for key in keys:
        clock.at += timedelta(seconds=seconds)
        await pilot.press(key)
    await pilot.pause()


async def type_text(pilot, clock, text):
    clock.at += timedelta(seconds=10)
    await pilot.press(*[("space" if c == " " else c) for c in text], "enter")
    await pilot.pause()


async def type_location(pilot, clock, text):
    """The location is optional: Enter starts typing it."""
    await pilot.press("enter")
    await type_text(pilot, clock, text)


async def play_caller_until(pilot, clock, scenario, until=None, seconds=8):
    """Answer each question asked with what the scripted caller means, until `until` is next (None: all)."""
    script = scenario.document.script
    for _ in range(80):
        question = pilot.app.screen.session.assessment.next_question
        if question is None or question.id == until:
            return
        means = script.answers.get(question.id, script.default).means
        options = [option.id for option in (question.options or [])]
        clock.at += timedelta(seconds=seconds)
        if question.type == "text" and question.id in script.answers:
            await pilot.press("enter")
            await type_text(pilot, clock, str(means))
        elif question.type == "multi" and isinstance(means, list):
            await pilot.press(*[str(options.index(m) + 1) for m in means], "enter")
        elif means in options:
            await pilot.press(question.options[options.index(means)].key)
        else:  # not something this caller says: not given
            await pilot.press("f5")
        await pilot.pause()
    raise AssertionError(f"never reached {until}")


async def pick_up(pilot, door_key):
    """Enter on the briefing, then on the setup screen the door the caller's words suggest, and Enter."""
    from crisis_triage.tui.screens.practice import PracticeSetupScreen

    await wait_for(pilot, BriefScreen)
    await pilot.press("enter")
    setup = await wait_for(pilot, PracticeSetupScreen)
    assert "The caller:" in str(setup.query_one("#practice-opening").content)
    await pilot.press(door_key, "enter")
    return await wait_for(pilot, PracticeCallScreen)


def caller_lines(app):
    return app.screen.query_one(CallerPane).lines


async def knife_call_until_weapon(pilot, clock, knife):
    call = await pick_up(pilot, "f")
    assert "PRACTICE" in str(call.query_one("#practice-banner").content)
    assert caller_lines(pilot.app)[-1].startswith("[location]")
    await type_location(pilot, clock, "42A")
    await pilot.press("enter")  # the name is optional: Enter starts typing it
    await type_text(pilot, clock, "R")
    # with_person yes; the medical and suicide questions asked before the weapon: as the caller says (no)
    await play_caller_until(pilot, clock, knife, until="weapon")
    await answer(pilot, clock, "u")  # weapon: the caller is vague -> unknown
    return call


async def finish_knife_call(pilot, clock, knife, *, record_knife: bool, dispatch_wait: int = 0):
    if record_knife:
        clock.at += timedelta(seconds=4)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("k")  # weapon in use
        await pilot.pause()
    # the rest as the caller says: violence no; earlier: broke things; wish_dead yes; presentation: voices,
    # agitated; age 18-64; about the person: not sleeping, stopped medication; provider, police concern no
    assert pilot.app.screen.session.assessment.next_question.id == "violence"
    await play_caller_until(pilot, clock, knife)
    clock.at += timedelta(seconds=5 + dispatch_wait)
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press("f10")
    await pilot.pause()
    await pilot.press("d")  # outcome: dispatched
    return await wait_for(pilot, DebriefScreen)


@run_async
async def test_a_practice_call_plays_the_caller_and_ends_in_a_graded_debrief(boston, scenario):
    clock = Clock()
    knife = scenario("knife_in_kitchen")
    app = make_app(boston, [knife], clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await knife_call_until_weapon(pilot, clock, knife)
        lines = caller_lines(app)
        assert lines[0].startswith("\u201cPlease, you have to send someone")
        assert any(line.startswith("[weapon]") and "knives in the kitchen" in line for line in lines)
        # Said right after the weapon answer, before the caller answers the next question.
        assert lines[-2].startswith("CALLER VOLUNTEERS:") and "picked up a knife" in lines[-2]
        assert lines[-1].startswith("[violence]")
        # The call runs at the scenario's time of day (19:40 in Boston), not the wall clock's 09:00.
        assert app.screen.session.state.started_at.hour == 19

        debrief = await finish_knife_call(pilot, clock, knife, record_knife=True)
        grade = debrief.grade
        assert grade.score == 100 and grade.passed and not grade.critical
        assert grade.recommendation.dispatched == "police_emergency"
        assert grade.interrupts[0].verdict == "on_time" and grade.interrupts[0].delay == 4.0
        text = str(debrief.query_one("#debrief-grade").content)
        assert "Score 100/100" in text and "PASSED" in text
        # Walk the steps with the keyboard: the detail panel follows the highlighted row.
        table = debrief.query_one("#debrief-steps")
        assert table.row_count == len(grade.steps)
        detail = debrief.query_one("#debrief-detail")
        assert "Who is calling? Family member or friend" in str(detail.content)
        assert "caller meant: Family member or friend" in str(detail.content)
        await pilot.press("down", "down")
        await pilot.pause()
        assert "What is your first name?" in str(detail.content)
        # Nothing went to live records: the practice journal holds the call, flagged practice.
        (meta,) = app.journal.calls.values()
        assert meta.practice and meta.call_id.startswith("practice-")
        assert app.practice.queue.reports is not None and app.practice.queue.reports[0].exists()
        (record,) = History.open().sessions("trainee-7")
        assert record.score == 100
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0


@run_async
async def test_a_missed_knife_and_a_slow_dispatch_show_in_the_debrief(boston, scenario):
    clock = Clock()
    knife = scenario("knife_in_kitchen")
    app = make_app(boston, [knife], clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await knife_call_until_weapon(pilot, clock, knife)
        # The trainee ignores "he just picked up a knife", hesitates, and dispatches what the screen says.
        clock.at += timedelta(seconds=400)
        await pilot.press("f9", "a")  # safety questions still open: accepted anyway
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("d")
        debrief = await wait_for(pilot, DebriefScreen)
        grade = debrief.grade
        assert grade.interrupts[0].verdict == "missed" and not grade.passed
        assert grade.time_verdict == "slow"
        assert {a.verdict for a in grade.answers if a.question == "violence"} == {"missed"}
        # Without the interrupt the console recommended co-response: police, so acceptable, not critical.
        assert grade.recommendation.dispatched == "co_response" and grade.recommendation.verdict == "acceptable"
        text = str(debrief.query_one("#debrief-grade").content)
        assert "NOT PASSED" in text and "never recorded" in text and "SLOW" in text
        # R: the same scenario again; the graded call is in the history once.
        await pilot.press("r")
        brief = await wait_for(pilot, BriefScreen)
        assert brief.run.scenario.id == "knife_in_kitchen" and brief.run.grades == []
        assert len(History.open().sessions("trainee-7")) == 1


@run_async
async def test_an_exam_of_two_calls_runs_end_to_end_by_keyboard(boston, scenario):
    clock = Clock()
    panic = scenario("panic_wants_to_talk")
    app = make_app(boston, [panic, scenario("lonely_evening_wants_visit")], clock, exam=True)
    async with app.run_test(size=(120, 36)) as pilot:
        brief = await wait_for(pilot, BriefScreen)
        assert "call 1 of 2" in str(brief.query_one("#brief-text").content)
        await pick_up(pilot, "s")
        await type_location(pilot, clock, "H")
        await pilot.press("enter")  # the name is optional: Enter starts typing it
        await type_text(pilot, clock, "G")
        # medical, safety and suicide questions all no; presentation: distressed; age and the rest about
        # her: not given; provider yes, police concern no, phone
        await play_caller_until(pilot, clock, panic)
        await pilot.press("f9")  # accept the call line: the handoff screen
        await pilot.pause()
        await answer(pilot, clock, *["space"] * 5, "a")  # five steps, then accepted
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("h")
        first = await wait_for(pilot, DebriefScreen)
        assert first.grade.score == 100, first.grade.parts
        assert first.grade.handoff_missing == ()
        await pilot.press("enter")

        brief = await wait_for(pilot, BriefScreen)
        assert "call 2 of 2" in str(brief.query_one("#brief-text").content)
        await pick_up(pilot, "s")
        await type_location(pilot, clock, "27A")
        await pilot.press("f5")  # skip the name
        await pilot.pause()
        await answer(pilot, clock, "n", "n")
        await pilot.press("f10")  # the caller hangs up after two medical questions
        await pilot.pause()
        await pilot.press("x")
        second = await wait_for(pilot, DebriefScreen)
        assert second.grade.recommendation.verdict == "none" and not second.grade.critical
        assert any(a.verdict == "missed" for a in second.grade.answers)
        await pilot.press("enter")

        results = await wait_for(pilot, ExamResultsScreen)
        text = str(results.query_one("#exam-results-text").content)
        total = round((first.grade.score + second.grade.score) / 2)
        assert f"Exam score {total}/100" in text and "0 critical" in text and "NOT PASSED" in text
        assert app.practice.queue.reports[0].name.endswith("-trainee-7-exam-2.md")
        assert len(History.open().sessions("trainee-7")) == 2
        await pilot.press("1")  # review the first call's debrief, then back to the results
        review = await wait_for(pilot, DebriefScreen)
        assert review.grade is first.grade
        await pilot.press("enter")
        await wait_for(pilot, ExamResultsScreen)
        assert len(History.open().sessions("trainee-7")) == 2  # reviewing saves nothing twice
        await pilot.press("enter")
        await pilot.pause()


@run_async
async def test_the_console_home_opens_practice_and_returns_home(boston):
    from crisis_triage.store.journal import MemoryJournal
    from crisis_triage.tui.app import ConsoleApp
    from crisis_triage.tui.screens.home import HomeScreen
    from crisis_triage.tui.screens.practice import ScenarioPickerScreen

    live = MemoryJournal()
    clock = Clock()
    app = ConsoleApp(
        Settings(call_taker_id="ct-9"),
        boston,
        journal=live,
        clock=clock,
        home=True,
        announce_startup=False,
        cursor_blink=False,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, HomeScreen)
        await pilot.press("p")
        picker = await wait_for(pilot, ScenarioPickerScreen)
        assert picker.query_one("#picker-list").option_count >= 24
        await pilot.press("enter")
        call = await pick_up(pilot, "s")
        assert call.meta.call_taker_id == "ct-9" and call.journal is not live
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("x")  # the caller hung up
        debrief = await wait_for(pilot, DebriefScreen)
        assert debrief.grade.recommendation.verdict == "none"
        await pilot.press("escape")
        await wait_for(pilot, HomeScreen)
    assert live.calls == {}  # the live journal never saw the practice call


@run_async
async def test_spanish_caller_lines_come_with_a_translation_and_dispatch_notices_show(boston, scenario):
    clock = Clock()
    app = make_app(
        boston, [scenario("violencia_hermano_es"), scenario("shelter_threat_co_response_busy")], clock, exam=True
    )
    async with app.run_test(size=(120, 36)) as pilot:
        call = await pick_up(pilot, "f")
        assert call.session.state.language == "es"
        await type_location(pilot, clock, "3C")
        lines = caller_lines(app)
        assert "Mi hermano está muy alterado" in lines[0] and "(Please, help me!" in lines[0]
        assert lines[-2].startswith("CALLER VOLUNTEERS:") and "(Oh my God, now he's hitting my dad!)" in lines[-2]
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("x")
        debrief = await wait_for(pilot, DebriefScreen)
        assert debrief.grade.critical  # nobody was sent to a beating in progress
        await pilot.press("enter")
        await wait_for(pilot, BriefScreen)
        assert "unavailable: Co-response" in str(app.screen.query_one("#brief-text").content)
        await pick_up(pilot, "p")
        assert caller_lines(app)[0].startswith("Dispatch: Co-response (police + clinician) unavailable")
        assert "co_response" in app.screen.session.state.unavailable
        await pilot.press("escape")  # nothing bound on the call: the call stays
        assert isinstance(app.screen, PracticeCallScreen)


@run_async
async def test_a_grading_failure_is_reported_and_the_console_survives(boston, scenario, monkeypatch, tmp_path):
    import crisis_triage.training.practice_queue as practice

    def broken(*args, **kwargs):
        raise RuntimeError("grader bug")

    monkeypatch.setattr(practice, "grade_call", broken)
    monkeypatch.setenv("CRISIS_TRIAGE_LOG_DIR", str(tmp_path / "logs"))
    clock = Clock()
    app = make_app(boston, [scenario("knife_in_kitchen")], clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pick_up(pilot, "f")
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
    assert app.return_code == 0
    assert list((tmp_path / "logs").glob("crash-*.txt"))


@run_async
async def test_train_with_no_scenario_opens_the_picker_and_returns_to_it(boston, library):
    from crisis_triage.tui.screens.practice import ScenarioPickerScreen

    app = PracticeApp(
        Settings(),
        boston,
        [],
        trainee="t",
        clock=Clock(),
        announce_startup=False,
        cursor_blink=False,
        library=library.filter(["spanish"]),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        picker = await wait_for(pilot, ScenarioPickerScreen)
        assert picker.query_one("#picker-list").option_count == len(library.filter(["spanish"]))
        await pilot.press("enter")
        call = await pick_up(pilot, "f")
        assert call.journal is app.journal  # practice calls stay in the practice app's memory journal
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("x")
        await wait_for(pilot, DebriefScreen)
        await pilot.press("escape")  # leave this scenario: back to the picker
        await wait_for(pilot, ScenarioPickerScreen)
        await pilot.press("escape")  # leave practice
        await pilot.pause()
    assert app.return_code == 0
