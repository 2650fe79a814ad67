"""The referral panel beside the recommendation: services the engine offers, and those given.

Shows what :mod:`crisis_triage.engine.referral_views` says; decides nothing. Only on a console whose
protocol names a referral directory (no directory: no panel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .side_panel import SidePanel

if TYPE_CHECKING:
    from ...engine.events_referrals import ReferralGiven
    from ...engine.referral_views import ReferralView


def referral_text(
    offered: tuple[ReferralView, ...],
    given: tuple[ReferralGiven, ...],
    *,
    give_key: str,
    example: bool,
    compact: bool = False,
) -> Text:
    """The panel's text: one entry per service offered (open or when it opens, language, how to refer,
    why), then the referrals already given."""
    # the engine is loaded by now (the first frame may come before it: tui/launch.py)
    from ...engine.referral_views import given_line

    text = Text()
    if example:
        text.append("EXAMPLE DIRECTORY: verify before use\n", style="bold yellow")
    if not offered:
        text.append("No referral fits this call yet.", style="dim")
    given_ids = {(g.service, g.to) for g in given}
    for number, view in enumerate(offered, 1):
        done = (view.service, "family" if view.to == "family" else "caller") in given_ids
        text.append(f"{number} ", style="bold")
        text.append(view.name, style="bold" if view.open_now else "")
        if view.to == "family":
            text.append("  for family", style="italic")
        text.append(f"  {view.open_text}", style="green" if view.open_now else "yellow")
        if not view.speaks_language:
            text.append("  not in caller's language", style="dim")
        if done:
            text.append("  GIVEN", style="bold green")
        text.append(f"\n  {view.kind_label}: {view.contact}", style="dim")
        if not compact and view.because:
            text.append(f"\n  {view.because}", style="italic dim")
        text.append("\n")
    for event in given:
        text.append("\nGiven: ", style="bold green")
        text.append(given_line(event))
    text.append(f"\n{give_key} gives a referral to the caller or the family", style="dim")
    return text


class ReferralPanel(SidePanel):
    """Renders the offered referrals; the call screen feeds it after every event."""

    DEFAULT_CSS = """
    ReferralPanel {
        height: auto;
        border: round $secondary;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.border_title = "Referrals"

    def show(self, offered, given, *, give_key: str, example: bool, compact: bool = False) -> None:
        self.show_text(referral_text(offered, given, give_key=give_key, example=example, compact=compact))


def load_console_directory(protocol, notify):
    """The directory ``protocol`` names, or None: none named, or it does not load (then ``notify`` is
    told why, once; the console works on without referrals)."""
    from ...protocol.errors import ProtocolError
    from ...store.protocol_cache import load_directory_cached

    if protocol is None:
        return None
    try:
        return load_directory_cached(protocol)  # the same checks, skipped only for bytes already checked
    except ProtocolError as exc:
        first = exc.problems[0] if exc.problems else "unreadable"
        notify(f"The referral directory does not load ({first}); no referrals on this console.", severity="warning")
        return None
