"""Connected to care, on the console: the disposition's receiving service is picked from the engine's
list (given on the call first) or named as "other" when the directory does not list it; the record
holds what the engine checks (a directory id or ``other: <name>``)."""

from __future__ import annotations

from crisis_triage.engine.referral_views import referral_event
from crisis_triage.tui.screens.disposition import DispositionModal
from crisis_triage.tui.screens.modals import NoteModal
from crisis_triage.tui.screens.receiving_service import ReceivingServicePicker
from crisis_triage.tui.screens.response_status import ResponseStatusModal

from .helpers import make_app, run_async, screen_text
from .test_after_response import dispatch, opens, until


async def _connected_to_care(pilot) -> None:
    await opens(pilot, "f11", ResponseStatusModal)
    await opens(pilot, "d", DispositionModal)
    await opens(pilot, "c", ReceivingServicePicker)  # connected to care (the protocol's key)


@run_async
async def test_the_service_given_on_the_call_comes_first_and_its_id_is_recorded():
    app = make_app(door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app)
        given = app.directory.services[-1].spec  # not the first the engine would offer on its own
        assert call.record(referral_event(app.directory, given.id, "caller", app.clock()))
        await pilot.pause()
        await _connected_to_care(pilot)
        assert "given to the caller" in screen_text(app) and "Other (name it)" in screen_text(app)
        await pilot.press("enter")
        assert await until(pilot, lambda: call.session.state.after.disposition is not None)
        disposition = call.session.state.after.disposition
        assert disposition.code == "connected_to_care" and disposition.details["service"] == given.id


@run_async
async def test_a_service_the_directory_does_not_list_is_recorded_as_other_with_its_name():
    app = make_app(door="self")
    async with app.run_test(size=(140, 45)) as pilot:
        call = dispatch(app)
        await pilot.pause()
        await _connected_to_care(pilot)
        await pilot.press("end")  # "Other (name it)" is the last line
        await opens(pilot, "enter", NoteModal)
        await pilot.press("enter")  # an empty name records nothing and leaves the picker open
        assert await until(pilot, lambda: isinstance(app.screen, ReceivingServicePicker))
        assert call.session.state.after.disposition is None
        await pilot.press("end")
        await opens(pilot, "enter", NoteModal)
        for key in "Bay Cove walk-in":
            await pilot.press("space" if key == " " else ("minus" if key == "-" else key))
        await pilot.press("enter")
        assert await until(pilot, lambda: call.session.state.after.disposition is not None)
        assert call.session.state.after.disposition.details["service"] == "other: Bay Cove walk-in"
