"""What the call-taker sees, pinned: first question, after an interrupt, the recommendation, the
handoff stepper, and the call screen at 80x24. A fixed clock, fixed call ids, no cursor blink and a
held change highlight keep every capture the same. Update with ``pytest --snapshot-update`` after
checking the new pictures by eye.
"""

from __future__ import annotations

from tests.tui.helpers import boston_2026_11, make_app as _make_app


def make_app(**kwargs):
    """These tests drive exact question orders: the frozen 2026.11.1 protocol."""
    return _make_app(protocol=boston_2026_11(), **kwargs)


async def _to_weapon(pilot) -> None:
    await pilot.pause()
    await pilot.press(*"12", "space", *"Dudley", "space", *"St", "enter")
    await pilot.press("enter", *"Ana", "enter")
    await pilot.press("y", "n", "n", "n")  # with_person, hurt, substance, attempt


async def _after_interrupt(pilot) -> None:
    await _to_weapon(pilot)
    await pilot.press("n")  # weapon: no; then the caller says there is a knife
    await pilot.press("f2", "w")
    await pilot.pause()


async def _whole_co_response_call(pilot) -> None:
    await _after_interrupt(pilot)
    await pilot.press("n", "n", "n", "n")  # violence, threats, crime, children
    await pilot.press("n", "n", "n")  # wish_dead, suicidal_thoughts, past_behaviour
    await pilot.press("4", "enter", "y", "y")  # agitated; provider; fears police
    await pilot.pause()


async def _handoff(pilot) -> None:
    await pilot.pause()
    await pilot.press(*"40", "space", *"Blue", "space", *"Hill", "space", *"Ave", "enter", "f5")
    await pilot.press("n", "n", "n", "n", "n", "n", "n", "n", "y", "n", "n", "1", "enter", "n", "n", "p")
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press("space", "space")
    await pilot.pause()


def test_first_question(snap_compare):
    assert snap_compare(make_app(door="family"), terminal_size=(100, 30))


def test_mid_call_after_an_interrupt(snap_compare):
    assert snap_compare(make_app(door="family"), terminal_size=(100, 30), run_before=_after_interrupt)


def test_the_recommendation(snap_compare):
    assert snap_compare(make_app(door="family"), terminal_size=(100, 30), run_before=_whole_co_response_call)


def test_the_handoff_stepper(snap_compare):
    assert snap_compare(make_app(door="self", line="alt_line"), terminal_size=(100, 30), run_before=_handoff)


def test_mid_call_at_80x24(snap_compare):
    assert snap_compare(make_app(door="family", language="es"), terminal_size=(80, 24), run_before=_after_interrupt)
