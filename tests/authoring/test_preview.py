"""The preview app (Pilot): walks a path with the answer keys, reloads on save, shows problems in place."""

from __future__ import annotations

import asyncio
import os
import shutil

from textual.widgets import Input, Static

from crisis_triage.tui.preview_app import PreviewApp
from tests.authoring.conftest import ROOT, SMALL

BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"


def run(coroutine):
    return asyncio.run(coroutine)


def text_of(app: PreviewApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def wait_until(pilot, condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the preview did not catch up")


def save(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime + 2  # a different mtime even on coarse file systems
    os.utime(path, (stamp, stamp))


def test_walk_a_path_with_keys_and_see_the_engine_outcome(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")

    async def body():
        app = PreviewApp(path, poll_seconds=0.05)
        async with app.run_test(size=(110, 36)) as pilot:
            assert "Is there a weapon?" in text_of(app, "#question")
            await pilot.press("n")  # weapon: no
            assert "Phone or visit?" in text_of(app, "#question")
            await pilot.press("2")  # support: visit (digits are given in order)
            assert app.answers == [("weapon", "no"), ("support", "visit")]
            assert (
                "peers" in text_of(app, "#recommendation").lower()
                and "rule visit" in text_of(app, "#recommendation").lower()
            )
            await pilot.press("f4")  # undo
            assert app.answers == [("weapon", "no")]
            await pilot.press("ctrl+r")
            await pilot.press("y")
            assert "high" in text_of(app, "#risk").lower() and "+6  weapon" in text_of(app, "#risk").lower()
            assert "police" in text_of(app, "#recommendation").lower()
            await pilot.press("ctrl+r", "n")
            await pilot.click("#option-phone")  # clicking an option answers too
            assert app.answers == [("weapon", "no"), ("support", "phone")]
            assert "call line" in text_of(app, "#recommendation").lower()

    run(body())


def test_reloads_on_save_keeps_the_path_and_shows_problems_in_place(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")

    async def body():
        app = PreviewApp(path, poll_seconds=0.05)
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("n", "2")
            assert "peers" in text_of(app, "#recommendation").lower()
            # the author sends visits to the call line instead: the preview follows the saved file
            save(path, SMALL.replace("recommend: peers", "recommend: call_line"))
            await wait_until(pilot, lambda: app.reloads >= 2)
            assert app.answers == [("weapon", "no"), ("support", "visit")]
            assert "call line" in text_of(app, "#recommendation").lower()
            # a typo: the problem shows with its line, and the last good version stays on screen
            save(path, SMALL.replace("recommend: peers", "recommend: peerz"))
            await wait_until(pilot, lambda: bool(app.problems))
            problems = text_of(app, "#problems")
            line = next(i for i, text in enumerate(SMALL.splitlines(), start=1) if "recommend: peers" in text)
            assert f"small.yaml:{line}:" in problems and 'did you mean "peers"' in problems
            assert f"{line:>4} |       recommend: peerz" in problems
            assert "problem" in text_of(app, "#status") and "call line" in text_of(app, "#recommendation").lower()
            save(path, SMALL)
            await wait_until(pilot, lambda: not app.problems)
            assert "peers" in text_of(app, "#recommendation").lower()

    run(body())


def test_text_answers_and_door_switch_on_the_shipped_protocol(tmp_path):
    path = tmp_path / "boston.yaml"
    shutil.copy(BOSTON, path)

    async def body():
        app = PreviewApp(path, poll_seconds=0.5)
        async with app.run_test(size=(120, 40)) as pilot:
            assert app.door == "self"
            app.query_one("#free", Input).focus()
            await pilot.press(*"12 Dudley St", "enter")
            assert app.answers == [("location", "12 Dudley St")]
            await pilot.press("f6")
            assert app.door == "family" and "door: family" in text_of(app, "#status")
            assert app.answers == [("location", "12 Dudley St")]

    run(body())


def test_an_interrupt_recorded_with_f2_changes_the_outcome_at_once(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")

    async def body():
        app = PreviewApp(path, poll_seconds=0.5)
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("n", "1")
            assert "call line" in text_of(app, "#recommendation").lower()
            await pilot.press("f2")
            assert "[w] Weapon seen" in text_of(app, "#path")
            await pilot.press("w")
            assert app.interrupts == ["weapon_seen"]
            assert "police" in text_of(app, "#recommendation").lower()
            # the answers are kept; the engine drops "support", which is not asked once a weapon is known
            assert app.answers == [("weapon", "no"), ("support", "phone")]
            assert [d.question.id for d in app.session.assessment.dropped] == ["support"]
            await pilot.press("f2", "w")  # withdraw
            assert app.interrupts == [] and "call line" in text_of(app, "#recommendation").lower()

    run(body())


def test_the_answer_box_has_the_focus_and_an_empty_enter_skips_an_optional_question(tmp_path):
    path = tmp_path / "boston.yaml"
    shutil.copy(BOSTON, path)

    async def body():
        app = PreviewApp(path, poll_seconds=0.5)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.focused is app.query_one("#free", Input)  # type at once, no click first
            await pilot.press(*"12 Dudley St", "enter")
            await pilot.pause()
            assert "What is your first name?" in text_of(app, "#question")
            await pilot.press("enter")  # the name is optional: an empty Enter skips it
            await pilot.pause()
            assert app.answers[-1][0] == "caller_name" and "caller_name=(skipped)" in text_of(app, "#path")
            assert app.focused is not app.query_one("#free", Input)  # answer keys work on the next question

    run(body())
