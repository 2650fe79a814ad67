"""Nothing the call-taker needs is hidden: the header fits, options keep their key, messages have a line."""

from __future__ import annotations

from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.ended import CallEndedScreen
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.screens.modals import EndCallModal
from crisis_triage.tui.widgets.header import CallHeader
from tests.tui.helpers import make_app, message_line, panel, run_async, screen_text
from tests.tui.test_whole_calls import wait_for


@run_async
async def test_the_header_keeps_the_protocol_version_at_80_and_110_columns():
    for size, line in (((80, 24), "e911"), ((110, 32), "alt_line")):
        app = make_app(door="self", line=line)
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, CallScreen)
            header = app.screen.query_one(CallHeader)
            text = panel(app, "#call-header")
            assert app.protocol.version in text and len(text) <= size[0], (size, text)
            assert header.size.width == size[0]


@run_async
async def test_the_end_call_dialog_suggests_no_dispatch_on_a_call_line_call():
    app = make_app(door="self")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f9", "a")  # the call line, before the questions (deliberately)
        await wait_for(pilot, HandoffScreen)
        await pilot.press("f10")
        await wait_for(pilot, EndCallModal)
        assert "Responders dispatched  (suggested)" not in screen_text(app)


@run_async
async def test_the_call_ended_screen_counts_in_words_and_clears_the_calls_messages():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2", "w")
        assert "Risk band RAISED" in message_line(app)
        await pilot.press("f10", "x")
        await wait_for(pilot, CallEndedScreen)
        text = panel(app, "#ended-text")
        assert "1 interrupt," in text and "1 interrupts" not in text
        assert message_line(app) == ""  # the call's messages went with it
