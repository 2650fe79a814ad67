"""The shared availability on a call screen: the centre's marks, the claim on accept, the offline state.

The call screen holds one :class:`CallCentre` when the console runs with a centre file; the screen
keeps its own logic and calls three things: :meth:`CallCentre.sync` (after a change of district or of
the centre), :meth:`CallCentre.claim` (before recording the dispatch), :meth:`CallCentre.banner`.
What is free and why comes from :mod:`engine.units`; every mark is an event, journalled first.

App-wide, :func:`attach` gives the app a :class:`~.centre_status.CentreWatch` (read it with
:func:`~.centre_status.centre_watch`, also importable from here): whether the centre store is
reachable, since when not, and the words every screen shows about it; it calls its subscribers and
posts :class:`~.centre_status.CentreStatusChanged` to the app when that changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..engine.evaluate import local_hour
from ..engine.events import ContextChanged, HandoffEnded, RecommendationAccepted
from ..engine.events_centre import SupervisorConsulted, UnitAssigned
from ..engine.events_response import ResponseStatusChanged
from ..engine.units import covers, expected_clear, sync_events, unavailable_models, why_busy
from ..store.availability import UNIT_STATUS
from ..store.centre_link import CentreLink
from .app_thread import on_app_thread, remember_app_thread
from .centre_status import CentreStatus, CentreStatusChanged, CentreWatch, centre_watch, status_of

__all__ = [
    "CallCentre",
    "CentreStatus",
    "CentreStatusChanged",
    "CentreWatch",
    "attach",
    "call_centre",
    "centre_watch",
    "parse_reason",
]

if TYPE_CHECKING:
    from textual.screen import Screen


class CallCentre:
    """The centre as one call screen uses it."""

    def __init__(self, screen: Screen, link: CentreLink) -> None:
        # The call screen that owns this (typed as a Screen: call.py imports this module, not back).
        self.screen = screen
        self.link = link
        self.tz = ZoneInfo(screen.protocol.document.protocol.timezone)
        self._conflicts_told = 0

    @property
    def call_id(self) -> str:
        return self.screen.meta.call_id

    def _hour(self) -> float:
        return local_hour(self.screen.protocol, self.screen.now())

    def sync(self) -> None:
        """Bring the call's centre marks in line with the units (before dispatch only: after it, the
        record shows what was known when the call-taker decided)."""
        screen = self.screen
        state = screen.session.state
        if state.accepted is not None or state.ended is not None:
            self._consultations()
            return
        wanted = unavailable_models(
            self.link.centre, state.district, self._hour(), self.link.states, self.tz, call_id=self.call_id
        )
        for event in sync_events(screen.session.events, wanted, state.unavailable, screen.now()):
            screen.record(event)
        self._consultations()
        self._conflicts()

    def after(self, event: Any) -> None:
        """What an event of this call means for the centre: another district, or the call line freed."""
        if isinstance(event, ContextChanged):
            self.sync()  # another district: other units cover it
        elif isinstance(event, RecommendationAccepted):
            self._stand_down(event)
        elif isinstance(event, ResponseStatusChanged) and event.status in UNIT_STATUS:
            # The team's own report moves its unit: the board and every console see it.
            handoff = self.screen.protocol.document.handoff
            for assignment in self.link.states.of_call(self.call_id):
                unit = self.link.centre.units.get(assignment.unit_id)
                if unit is not None and handoff is not None and unit.model == handoff.model:
                    continue  # the call line's seat: freed when the handoff ends, not by the team's status
                self.link.set_status(self.call_id, assignment.unit_id, UNIT_STATUS[event.status], at=event.at)
        elif isinstance(event, HandoffEnded):
            # The counsellor has the caller (or the caller is gone): the call line's seat is free again.
            handoff = self.screen.protocol.document.handoff
            for assignment in self.link.states.of_call(self.call_id):
                unit = self.link.centre.units.get(assignment.unit_id)
                if unit is not None and handoff is not None and unit.model == handoff.model:
                    self.link.set_status(self.call_id, unit.id, "cleared", at=event.at)

    def _stand_down(self, event: RecommendationAccepted) -> None:
        """Another team sent instead: the field units of the earlier one are free for other calls.

        The call line's seat is not: it is freed when the handoff ends (a team may go as well)."""
        handoff = self.screen.protocol.document.handoff
        for assignment in self.link.states.of_call(self.call_id):
            unit = self.link.centre.units.get(assignment.unit_id)
            if unit is None or unit.model == event.model or (handoff is not None and unit.model == handoff.model):
                continue
            self.link.set_status(self.call_id, unit.id, "cleared", at=event.at)

    def release(self, model: str) -> None:
        """Give back a unit of ``model`` claimed for a dispatch that was then not recorded."""
        accepted = self.screen.session.state.accepted
        if accepted is not None and accepted[0] == model:
            return  # the call holds it by a recorded dispatch
        for assignment in self.link.states.of_call(self.call_id):
            unit = self.link.centre.units.get(assignment.unit_id)
            if unit is not None and unit.model == model:
                self.link.set_status(self.call_id, unit.id, "cleared", at=self.screen.now())

    def busy_models(self) -> dict[str, str]:
        """The models the centre has no free unit for on this call, with why."""
        state = self.screen.session.state
        return unavailable_models(
            self.link.centre, state.district, self._hour(), self.link.states, self.tz, call_id=self.call_id
        )

    def _consultations(self) -> None:
        screen = self.screen
        recorded = {e.supervisor for e in screen.session.events if isinstance(e, SupervisorConsulted)}
        for consultation in self.link.consultations:
            if (
                consultation.call_id == self.call_id
                and consultation.supervisor not in recorded
                and screen.session.state.ended is None
            ):
                screen.record(SupervisorConsulted(at=screen.now(), supervisor=consultation.supervisor))
                screen.notify(f"Supervisor {consultation.supervisor} consulted on this call", timeout=8)

    def _conflicts(self) -> None:
        conflicts = self.link.conflicts[self._conflicts_told :]
        self._conflicts_told = len(self.link.conflicts)
        for conflict in conflicts:
            if conflict.call_id == self.call_id:
                unit = self.link.centre.units[conflict.unit_id]
                self.screen.notify(
                    f"{unit.name} was also dispatched to call {conflict.holder} while the centre was offline: "
                    "confirm by radio which call it is going to",
                    title="DOUBLE DISPATCH WHILE OFFLINE",
                    severity="error",
                    timeout=60,
                )

    def claim(self, model: str, *, lost_hint: Callable[[], str] | None = None) -> bool:
        """Ask the centre for a unit of ``model`` for this call; True to go on with the dispatch.

        A model the centre does not track here (no covering unit on duty) needs no claim. A lost
        race marks the model unavailable with who holds the units, so the card shows the fallback;
        ``lost_hint`` gives the words for what to do next (read after the loss).
        """
        screen = self.screen
        centre = self.link.centre
        district = screen.session.state.district
        hour = self._hour()
        now = screen.now()
        candidates = [u for u in centre.units_of(model) if covers(u, district, hour)]
        if not candidates:
            return True
        claim = self.link.claim(self.call_id, [(u.id, expected_clear(u, now)) for u in candidates], at=now)
        if claim.unit_id is not None:
            if not claim.already_held:
                screen.record(UnitAssigned(at=now, unit=claim.unit_id, model=model))
            return True
        states = claim.states or self.link.states
        taken = "; ".join(why_busy(u, states, self.tz, except_call=self.call_id) for u in candidates)
        self.sync()
        hint = lost_hint() if lost_hint else "The recommendation now shows the fallback; accept again to send it."
        screen.notify(
            f"Another console got there first: {taken}. {hint}",
            title="TEAM TAKEN",
            severity="error",
            timeout=15,
        )
        return False

    def unit_choices(self) -> list[tuple[str, str]]:
        """Every unit of the centre with its state in words, for F8's centre-wide lines."""
        states = self.link.states
        return [
            (u.id, ("[out] " if u.id in states.out_of_service else "") + why_busy(u, states, self.tz))
            for u in self.link.centre.units.values()
        ]

    def unit_picked(self, unit_id: str) -> None:
        """A unit picked on F8: back in service if it was out, else ask why (and minutes until back)."""
        from .screens.modals import NoteModal

        screen = self.screen
        link = self.link
        name = link.centre.units[unit_id].name
        if unit_id in link.states.out_of_service:
            link.return_to_service(unit_id)
            screen.notify(f"{name} back in service", timeout=6)
            return

        def reason_given(text: str | None) -> None:
            if not text:
                return
            reason, minutes = parse_reason(text)
            now = screen.now()
            back = now + timedelta(minutes=minutes) if minutes else None
            by = f"{screen.meta.call_taker_id} at {screen.meta.console_id}"
            link.set_out_of_service(unit_id, reason, at=now, expected_return=back, by=by)
            screen.notify(f"{name} out of service for the whole centre: {reason}", timeout=6)

        screen.app.push_screen(
            NoteModal(f"Why is {name} out of service? (add minutes until back: 'flat tyre 45')", "reason"),
            reason_given,
        )


def call_centre(app: Any, call_id: str) -> CallCentre | None:
    """The centre as the call ``call_id`` uses it (for the screens opened above the call), or None."""
    for screen in app.screen_stack:
        centre = getattr(screen, "centre", None)
        if isinstance(centre, CallCentre) and centre.call_id == call_id:
            return centre
    return None


def parse_reason(text: str) -> tuple[str, int | None]:
    """``"flat tyre 45"`` -> ("flat tyre", 45): a trailing number is the minutes until the unit is back."""
    match = re.match(r"^(.*?)[\s,]+(\d{1,4})\s*(?:min(?:utes)?)?$", text.strip())
    if match and match.group(1).strip():
        return match.group(1).strip(), int(match.group(2))
    return text.strip(), None


def attach(app: Any, link: CentreLink, tz: tzinfo | None = None) -> CentreWatch:
    """Give a running console app the link; its changes reach every call screen on the app's thread,
    and its reachability every screen through the app's :class:`CentreWatch` (returned)."""
    app.centre = link
    if getattr(app, "ui_thread", None) is None:  # given its link on the thread that runs it
        remember_app_thread(app)
    if tz is None:
        protocol = getattr(app, "protocol", None)
        tz = ZoneInfo(protocol.document.protocol.timezone) if protocol is not None else ZoneInfo("UTC")
    watch = CentreWatch(tz, status_of(link))
    app.centre_watch = watch

    def reachability() -> None:
        before = watch.status
        if not watch.update(status_of(link)):
            return
        app.post_message(CentreStatusChanged(watch.status, watch.words))
        if before.offline_since is not None and watch.status.online:
            app.notify(
                f"Centre store reachable again (offline since {before.offline_since.astimezone(tz):%H:%M}); "
                "availability resynced",
                title="CENTRE BACK",
                timeout=10,
            )

    def changed() -> None:
        reachability()
        for screen in app.screen_stack:
            # Call screens (and only they) take centre changes; found by the method, not the class,
            # so this module does not import the call screen that imports it.
            handler = getattr(screen, "centre_changed", None)
            if handler is not None:
                handler()

    def relay() -> None:
        if not app.is_running:
            return
        on_app_thread(app, changed)  # a change this console made: after the action that made it

    link.on_change = relay
    return watch
