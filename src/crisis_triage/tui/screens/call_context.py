"""The call screen's context keys: an interrupt, a note, a referral, the language, the district, F8.

Each key opens its dialog (or steps the language) and records one event through the screen's
:meth:`record`.

A mixin of :class:`~crisis_triage.tui.screens.call.CallScreen` (``self`` typed by call_parts.py).
"""

from __future__ import annotations

from ...engine import ContextChanged, InterruptRecorded, InterruptWithdrawn
from ...engine.views import interrupt_views
from .call_parts import CallScreenParts
from .referrals import open_referral_picker


class CallContextKeys:
    """Mixin: the keys that record what the call-taker learns beside the questions."""

    def action_interrupt(self: CallScreenParts) -> None:
        from .modals import InterruptModal

        def done(choice: tuple[str, bool] | None) -> None:
            if choice is None:
                return
            interrupt, record = choice
            if record:
                self.record(InterruptRecorded(at=self.now(), interrupt=interrupt))
            else:
                self.record(
                    InterruptWithdrawn(at=self.now(), interrupt=interrupt, reason="withdrawn by the call-taker")
                )

        views = interrupt_views(self.protocol, self.assessment.active_interrupts, self.session.state.language)
        self.app.push_screen(InterruptModal(views), done)

    def action_referral(self: CallScreenParts) -> None:
        open_referral_picker(self)

    def action_note(self: CallScreenParts) -> None:
        from .modals import ask_note

        ask_note(self.app, self.record, self.now)

    def action_language(self: CallScreenParts) -> None:
        languages = self.protocol.languages
        current = self.session.state.language
        following = languages[(languages.index(current) + 1) % len(languages)] if current in languages else languages[0]
        self.set_language(following)

    def set_language(self: CallScreenParts, language: str) -> None:
        if language != self.session.state.language:
            self.record(ContextChanged(at=self.now(), language=language))

    def action_district(self: CallScreenParts) -> None:
        from .modals import ChoiceModal

        choices = [(d, f"{d}  {name}") for d, name in self.protocol.districts.items()]

        def done(district: str | None) -> None:
            if district and district != self.session.state.district:
                self.record(ContextChanged(at=self.now(), district=district))

        self.app.push_screen(ChoiceModal("District", choices, self.session.state.district), done)

    def action_unavailable(self: CallScreenParts) -> None:
        """F8: a team unavailable for this call (with a centre, also a unit out of service centre-wide)."""
        from ..team_unavailable import pick

        pick(self)
