"""What the trainee sees, pinned: the practice call just after the caller blurts out a knife.

A fixed clock, no cursor blink, short answers. Update with ``pytest --snapshot-update`` after
checking the new pictures by eye.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crisis_triage.config import Settings
from crisis_triage.tui.screens.practice_app import PracticeApp

MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("America/New_York"))


def knife_app(scenario, boston):
    return PracticeApp(Settings(console_id="training-1"), boston, [scenario("knife_in_kitchen")], trainee="trainee-7",
                       clock=lambda: MORNING, announce_startup=False, cursor_blink=False)


async def _to_the_knife(pilot) -> None:
    await pilot.pause()
    await pilot.press("enter", "f", "enter")
    await pilot.pause()
    await pilot.press("4", "2", "enter", "R", "enter")
    await pilot.press("y", "n", "n", "n", "u")  # with_person, hurt, substance, attempt, weapon unknown
    await pilot.pause()


def test_practice_call_with_the_caller_pane(snap_compare, scenario, boston):
    assert snap_compare(knife_app(scenario, boston), terminal_size=(120, 36), run_before=_to_the_knife)
