"""The recommendation card: model, team, why, fallback, what was ruled out. Always visible, live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .question import screen_dispatch
from .side_panel import SidePanel

if TYPE_CHECKING:
    from ...engine.assessment import Recommendation


class RecommendationCard(SidePanel):
    """Renders the engine's :class:`Recommendation`; decides nothing."""

    reserve = 2
    """Its reason, "nothing found yet" at first, is often a line or two longer once something is."""

    def show(
        self,
        protocol,
        recommendation: Recommendation,
        *,
        language: str = "en",
        accept_key: str | None = "F9",
        compact: bool = False,
        open_safety: tuple[str, ...] = (),
        found_anything: bool = True,
    ) -> None:
        """``open_safety``: safety questions not asked yet (while nothing has been found, the reason
        says so instead of "no risk"). The call screen lists them in a panel of their own under the
        question (widgets/open_safety.py): in the card they changed it on almost every answer."""
        # the engine is loaded by now (the first frame may come before it: tui/launch.py)
        from ...engine.views import localized, model_name, role_names

        rec = recommendation
        dispatched = screen_dispatch(self) if accept_key is not None else None
        text = Text()
        text.append(model_name(protocol, rec.model, language).upper(), style="bold")
        if dispatched is not None:  # no longer provisional: the team is on its way
            text.append(f"  {dispatched.headline.lower()}", style="bold green")
        elif rec.provisional:
            text.append("  provisional", style="italic dim")
        text.append("\nSend: ", style="bold")
        text.append(", ".join(role_names(protocol, rec.team, language)))
        if rec.notify:
            text.append("\nNotify: ", style="bold")
            text.append(", ".join(role_names(protocol, rec.notify, language)))
        if open_safety and not found_anything:
            text.append("\nWhy: ", style="bold")
            text.append("nothing found yet, because nothing has been asked", style="italic")
        else:
            text.append("\nWhy: ", style="bold")
            text.append(localized(rec.because, language))
        if rec.deciding_values and not compact:
            values = ", ".join(f"{name}={_short(value)}" for name, value in rec.deciding_values)
            text.append(f"\nrule {rec.rule}: {values}", style="dim")
        for addition in rec.additions:
            text.append(f"\n+ {role_names(protocol, [addition.role], language)[0]}: ", style="bold")
            text.append(localized(addition.because, language))
        for guarantee in rec.guarantees:
            text.append(f"\n! {guarantee.action}: ", style="bold")
            text.append(localized(guarantee.because, language))
        for note in rec.notes:
            text.append(f"\nNote: {localized(note, language)}", style="italic")
        if rec.dedicated:
            text.append(f"\n{localized(rec.dedicated, language)}", style="italic")
        for step in rec.fallbacks:
            if step.from_model != step.to_model:
                text.append("\nFallback: ", style="bold yellow")
                text.append(f"{model_name(protocol, step.from_model, language)} unavailable ({step.reason})")
            else:
                text.append(f"\n{step.reason}", style="yellow")
        if not compact and rec.ruled_out:
            text.append("\nRuled out:", style="bold dim")
            for item in rec.ruled_out:
                text.append(f"\n- {model_name(protocol, item.model, language)}: {item.reason}", style="dim")
        if dispatched is not None:
            text.append(f"\nResponse: {dispatched.status}", style="bold")
            text.append(f"\n{accept_key} shows the dispatch", style="dim")
        elif accept_key is not None:  # the author's preview accepts nothing
            text.append(f"\n{accept_key} accepts", style="dim")
        self.show_text(text)


def _short(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "?"
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    return str(value)
