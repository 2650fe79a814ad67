"""The call screen's widgets and their layout, without the call: importable without the engine.

:class:`~.call.CallScreen` is this layout plus the call (session, journal, keys). The layout alone,
hydrated from a launch snapshot (tui/launch.py), is the console's first frame while the engine,
the protocol and the record store load; the live call screen then takes its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from ...keymap import bindings
from ..widgets.header import CallHeader
from ..widgets.keybar import KeyBar
from ..widgets.message_line import MessageLine
from ..widgets.open_safety import OpenSafety
from ..widgets.question import QuestionPanel
from ..widgets.recommendation import RecommendationCard
from ..widgets.referrals import ReferralPanel
from ..widgets.response_line import ResponseLine
from ..widgets.risk import RiskPanel
from ..widgets.so_far import CallSoFar


class CallLayout(Screen):
    """The call screen's widget tree. ``launch``: a launch snapshot's screen state (tui/launch.py)
    painted on mount, for the first frame before the call is loaded (then nothing here answers a key:
    the app holds keys until the live call screen has replaced this one)."""

    BINDINGS = bindings("call")
    AUTO_FOCUS = ""  # nothing focused: one-letter answer keys go to the screen
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (95, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (28, "-tall")]

    practice = False

    def __init__(self, *, launch: dict[str, Any] | None = None, name: str | None = None) -> None:
        super().__init__(name=name)
        self.launch = launch

    def banner_text(self) -> str:
        return "PRACTICE CALL - nothing is recorded in live records"

    def compose_caller_pane(self) -> Iterable[Widget]:
        """Widgets for the caller pane (empty on a live call: the caller is on the phone)."""
        return ()

    def compose_side_extras(self) -> Iterable[Widget]:
        """Extra panels under the recommendation card (a feature's own widget file; empty by default)."""
        return ()

    def compose_call_events(self) -> ComposeResult:
        yield Static(id="call-events")

    def compose_response(self) -> Iterable[Widget]:
        line = ResponseLine("", id="response-line")
        line.display = False
        yield line

    def compose_referrals(self) -> Iterable[Widget]:
        """The referral panel, when the console has a referral directory."""
        if self.launch is not None:
            return [ReferralPanel(id="referrals")] if self.launch["screen"].get("referrals") is True else []
        from .referrals import referral_panels

        return referral_panels(self.app)

    def compose(self) -> ComposeResult:
        yield CallHeader(id="call-header")
        if self.practice:
            yield Static(self.banner_text(), id="practice-banner")
        with Horizontal(id="call-body"):
            with Vertical(id="call-main"):
                yield QuestionPanel(id="question")
                yield OpenSafety(id="open-safety")
                yield CallSoFar(id="so-far")
                yield Static(id="notes")
                yield from self.compose_call_events()
            with Vertical(id="caller-pane"):
                yield from self.compose_caller_pane()
            with VerticalScroll(id="call-side", can_focus=False):
                yield RiskPanel(id="risk")
                yield RecommendationCard(id="recommendation")
                yield from self.compose_side_extras()
                yield from self.compose_response()
                yield from self.compose_referrals()
        yield MessageLine(id="message-line")
        yield KeyBar(id="keybar")

    def on_mount(self) -> None:
        if self.launch is not None:
            from ..launch import hydrate

            hydrate(self, self.launch)

    def on_resize(self) -> None:
        if self.launch is not None:
            from ..launch import hydrate_header

            hydrate_header(self, self.launch)
