"""The call screen's accept, dispatch, handoff and end of call (the keys in keymap.py, block "call").

Accepting records what the engine recommends (with a deliberate second key when safety questions
are open or the district is unknown), then opens the dispatch summary or the warm handoff; what
those screens ask for as they close comes back to :meth:`CallAccept._after_dispatch`.

A mixin of :class:`~crisis_triage.tui.screens.call.CallScreen` (``self`` typed by call_parts.py).
"""

from __future__ import annotations

from ...engine import CallEnded, RecommendationAccepted
from ...engine.views import model_name, open_safety_labels
from .call_link import AfterCall, CallLink
from .call_parts import CallScreenParts
from .confirm import AcceptAnywayModal


class CallAccept:
    """Mixin: accepting the recommendation, the dispatch and handoff screens, ending the call."""

    def action_accept(self: CallScreenParts) -> None:
        """Dispatch what the engine recommends; then the dispatch summary, or the handoff for the call line.

        Accepting before the safety questions are asked, or sending a team with no district, needs a
        deliberate second key: the dialog says what is not known."""
        if self.session.state.accepted is not None:  # accepting is idempotent: show the dispatch already made
            self.show_dispatch()
            return
        reasons = self.accept_warnings()
        if not reasons:
            self._accept()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._accept()

        self.app.push_screen(
            AcceptAnywayModal(
                f"Accept {model_name(self.protocol, self.assessment.recommendation.model)} now?",
                reasons,
                "accept anyway",
                "back to the questions",
            ),
            confirmed,
        )

    def accept_warnings(self: CallScreenParts) -> list[str]:
        """What is not known yet that accepting now would pass over (empty when nothing is)."""
        reasons = []
        open_safety = open_safety_labels(self.assessment)
        if open_safety:
            reasons.append(f"Safety questions NOT ASKED: {', '.join(open_safety)}")
        handoff = self.protocol.document.handoff
        sends_team = handoff is None or self.assessment.recommendation.model != handoff.model
        if sends_team and self.session.state.district is None:
            reasons.append(f"District unknown: the team is sent without one ({self._key('district')} sets it)")
        return reasons

    def _accept(self: CallScreenParts) -> None:
        rec = self.assessment.recommendation
        if self.centre is not None and not self.centre.claim(rec.model):
            return  # another console took the last unit: the card now shows the fallback
        if self.record(RecommendationAccepted(at=self.now(), model=rec.model, recommended=rec.model)):
            self.show_dispatch()
        elif self.centre is not None:
            self.centre.release(rec.model)  # not dispatched after all: the unit goes back to the centre

    def link(self: CallScreenParts) -> CallLink:
        """This call as the screens above it see it (read-only state, this screen's recorder)."""
        return CallLink(self.protocol, self.session, self.now, self.record, self.meta.call_id)

    def show_dispatch(self: CallScreenParts) -> None:
        """The dispatch summary, or the warm handoff when the engine's recommendation is the call line
        itself (``rec.handoff`` alone also holds for a team that includes the call line's roles: they
        get the dispatch summary, with H for the handoff)."""
        handoff = self.protocol.document.handoff
        # What was dispatched decides (a resumed call's recommendation may have moved since).
        accepted = self.session.state.accepted
        model = accepted[0] if accepted is not None else self.assessment.recommendation.model
        if handoff is not None and model == handoff.model:
            self.show_handoff()
        else:
            self._show_dispatch_summary()

    def _show_dispatch_summary(self: CallScreenParts) -> None:
        from .dispatch import DispatchScreen  # not on the first paint's path (start-up time)

        self.app.push_screen(DispatchScreen(self.link()), self._after_dispatch)

    def show_handoff(self: CallScreenParts) -> None:
        from .handoff import HandoffScreen

        self.app.push_screen(HandoffScreen(self.link()), self._after_dispatch)

    def _after_dispatch(self: CallScreenParts, after: AfterCall | None) -> None:
        """What the dispatch or handoff screen asked for as it closed."""
        if after == "end_call":
            self.action_end_call()
        elif after == "interrupt":
            self.action_interrupt()
        elif after == "handoff":
            self.show_handoff()
        elif after == "dispatch":
            self._show_dispatch_summary()

    def action_end_call(self: CallScreenParts) -> None:
        from .modals import EndCallModal

        def done(outcome: str | None) -> None:
            if outcome:
                self.record(CallEnded(at=self.now(), outcome=outcome))

        handoff = self.protocol.document.handoff
        self.app.push_screen(EndCallModal(self.session.state, handoff.model if handoff else None), done)
