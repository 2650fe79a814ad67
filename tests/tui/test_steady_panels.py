"""What the call-taker sees stays right while the panels keep their size from key to key
(tui/widgets/side_panel.py, open_safety.py, question.py's border): the border of a safety question
and of typing, across themes; the open safety questions, then "all answered", then the panel gone."""

from __future__ import annotations

from textual.color import Color

from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.widgets.open_safety import ALL_ANSWERED, QUIET_SECONDS, OpenSafety
from crisis_triage.tui.widgets.question import QuestionPanel
from tests.tui.helpers import make_app, run_async, small
from tests.tui.test_whole_calls import wait_for


def _border(app) -> tuple[str, Color]:
    edge, colour = app.screen.query_one(QuestionPanel).styles.border_top
    return edge, colour


@run_async
async def test_the_question_border_says_safety_and_typing_and_follows_the_theme():
    app = make_app(protocol=small(), door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        warning = lambda: Color.parse(app.theme_variables["warning"])  # noqa: E731
        primary = lambda: Color.parse(app.theme_variables["primary"])  # noqa: E731
        assert _border(app) == ("double", warning())  # the location takes typing at once
        await pilot.press(*"12", "space", *"Dudley", "space", *"St", "enter")
        await pilot.pause()
        assert _border(app) == ("heavy", primary())  # the caller's name: not a safety question
        await pilot.press("enter", *"Ana", "enter", "n")  # name, then hurt: the weapon question
        await pilot.pause()
        assert app.screen.session.assessment.next_question.safety
        assert _border(app) == ("heavy", warning())
        seen = {warning()}
        for _ in range(3):  # every console theme (tui/themes.py): the border follows each
            app.action_cycle_theme()
            await pilot.pause()
            await pilot.pause()
            assert _border(app) == ("heavy", warning()), app.theme
            seen.add(warning())
        assert len(seen) > 1  # the themes do differ in that colour


@run_async
async def test_open_safety_says_all_answered_then_gives_its_lines_to_the_list():
    app = make_app(protocol=small(), door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        panel = app.screen.query_one(OpenSafety)
        await pilot.press(*"12", "space", *"Dudley", "space", *"St", "enter")
        await pilot.press("enter", *"Ana", "enter")
        await pilot.press("n", "n", "n", "n")  # hurt, weapon, violence, wished dead: every safety question
        await pilot.pause()
        assert app.screen.session.assessment.next_question is not None
        assert panel.display and panel.text().plain == ALL_ANSWERED
        await pilot.pause(QUIET_SECONDS * 3)
        assert not panel.display  # the keys paused: the list below has its lines
