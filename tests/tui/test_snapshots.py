"""What the call-taker sees, pinned: first question, after an interrupt, the recommendation, the
handoff stepper, the call screen at 80x24 (Spanish). A fixed clock, fixed call ids, no cursor blink
and a held change highlight keep every capture the same. Update with ``pytest --snapshot-update``
after checking the new pictures by eye.

They run on the console's own test protocol (tests/fixtures/console-small.yaml), answering by
position: a clinical edit of the shipped protocol does not rewrite them.
"""

from __future__ import annotations

import subprocess
import sys

from tests.tui.helpers import ROOT, SMALL, make_app as _make_app, small


def make_app(**kwargs):
    return _make_app(protocol=small(), **kwargs)


async def _to_weapon(pilot) -> None:
    await pilot.pause()
    await pilot.press(*"12", "space", *"Dudley", "space", *"St", "enter")  # location (required: typed at once)
    await pilot.press("enter", *"Ana", "enter")  # caller_name (optional: Enter starts typing)
    await pilot.press("n")  # hurt


async def _after_interrupt(pilot) -> None:
    await _to_weapon(pilot)
    await pilot.press("n")  # weapon: no; then the caller says there is a knife
    await pilot.press("f2", "w")
    await pilot.pause()


async def _whole_co_response_call(pilot) -> None:
    await _after_interrupt(pilot)
    await pilot.press("n", "n")  # violence, wish_dead
    await pilot.press("v")  # support: someone should come
    await pilot.press("enter", *"34", "enter")  # age (optional number)
    await pilot.pause()


async def _handoff(pilot) -> None:
    await pilot.pause()
    await pilot.press(*"40", "space", *"Blue", "space", *"Hill", "space", *"Ave", "enter", "f5")  # name skipped
    await pilot.press("n", "n", "n", "n", "p", "f5")  # hurt, weapon, violence, wish_dead; phone; age skipped
    await pilot.press("f9")
    await pilot.pause()
    await pilot.press("space", "space")
    await pilot.pause()


def test_the_fixture_protocol_is_valid():
    result = subprocess.run(
        [sys.executable, "-m", "crisis_triage", "validate", str(SMALL)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


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


def test_first_question_at_80x24(snap_compare):
    """The key bar at 80 columns: shorter words, the least needed key dropped, F1 Help always shown."""
    assert snap_compare(make_app(door="family"), terminal_size=(80, 24))
