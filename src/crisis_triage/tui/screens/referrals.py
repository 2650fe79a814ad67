"""Give a referral: pick a service (those offered first, then every service serving the district) and
say whether it went to the caller or to the family. Returns ``(service id, to, rule)``; the call
screen that opened it records the :class:`ReferralGiven` event.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...engine.referral_views import ReferralView, directory_views, referral_event, referral_views
from ...keymap import bindings, key_for, key_label
from ..widgets.referrals import ReferralPanel
from .modals import _Modal

Given = tuple[str, str, str]
"""(service id, ``caller`` or ``family``, the rule that offered it or empty)."""


def _label(view: ReferralView) -> Text:
    text = Text()
    text.append(view.name, style="bold" if view.open_now else "")
    text.append(f"  {view.kind_label}", style="dim")
    text.append(f"  {view.open_text}", style="green" if view.open_now else "yellow")
    if view.to == "family":
        text.append("  for family", style="italic")
    if not view.speaks_language:
        text.append("  not in caller's language", style="dim")
    text.append(f"\n   {view.contact}", style="dim")
    return text


class ReferralPicker(_Modal):
    """The services to choose from; Enter or the caller key gives to the caller, the family key to the family."""

    BINDINGS = _Modal.BINDINGS + bindings("referral picker")

    def __init__(
        self, offered: tuple[ReferralView, ...], others: tuple[ReferralView, ...], keymap: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.offered = offered
        self.others = [v for v in others if v.service not in {o.service for o in offered}]
        self.keymap = keymap or {}
        self.rows: dict[str, ReferralView] = {}

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        for view in self.offered:
            self.rows[f"offer:{view.service}:{view.to}"] = view
            options.append(Option(_label(view), id=f"offer:{view.service}:{view.to}"))
        if self.others:
            options.append(Option(Text("Other services serving this district", style="bold"), disabled=True))
            for view in self.others:
                self.rows[f"any:{view.service}"] = view
                options.append(Option(_label(view), id=f"any:{view.service}"))
        caller = key_label(key_for("referral_caller", self.keymap))
        family = key_label(key_for("referral_family", self.keymap))
        with Vertical(classes="modal-box"):
            yield Static(
                Text("Give a referral (offered first, then the directory)", style="bold"), classes="modal-title"
            )
            yield OptionList(*options, id="referral-list")
            yield Static(
                f"Up/Down picks    Enter or {caller}: given to the caller    {family}: given to the family    "
                "Escape cancels",
                classes="modal-help",
            )

    def on_mount(self) -> None:
        self.query_one("#referral-list", OptionList).focus()

    def _highlighted(self) -> ReferralView | None:
        options = self.query_one("#referral-list", OptionList)
        if options.highlighted is None:
            return None
        return self.rows.get(options.get_option_at_index(options.highlighted).id or "")

    def _give(self, view: ReferralView | None, to: str) -> None:
        if view is not None:
            self.dismiss((view.service, to, view.rule))

    @on(OptionList.OptionSelected, "#referral-list")
    def _picked(self, message: OptionList.OptionSelected) -> None:
        view = self.rows.get(message.option.id or "")
        self._give(view, "family" if view is not None and view.to == "family" else "caller")

    def action_to_caller(self) -> None:
        self._give(self._highlighted(), "caller")

    def action_to_family(self) -> None:
        self._give(self._highlighted(), "family")


# -- what the call screen calls (kept here so its hooks stay one line each) -------------------------
def referral_panels(app) -> list[ReferralPanel]:
    """The referral panel for the call screen's side column, when the console has a directory."""
    return [ReferralPanel(id="referrals")] if getattr(app, "directory", None) is not None else []


def show_referrals(screen) -> None:
    """Repaint the call screen's referral panel (if it has one) from the engine's offer."""
    directory = getattr(screen.app, "directory", None)
    if directory is None:
        return
    panel = screen.query_one("#referrals", ReferralPanel)
    session = screen.session
    offered = referral_views(screen.protocol, directory, session.state, session.assessment)
    keymap = getattr(screen.app, "keymap_in_force", {})
    panel.show(
        offered,
        tuple(session.state.referrals),
        give_key=key_label(key_for("referral", keymap)),
        example=directory.document.directory.example,
        compact=screen.has_class("-short"),
    )


def open_referral_picker(screen) -> None:
    """The referral key: pick a service, record it as given (to the caller or the family)."""
    directory = getattr(screen.app, "directory", None)
    if directory is None:
        screen.notify("No referral directory on this console (the protocol names none).")
        return
    session = screen.session
    state = session.state
    offered = referral_views(screen.protocol, directory, state, session.assessment)
    others = directory_views(directory, state.district, state.language, state.now)

    def done(given: Given | None) -> None:
        if given is not None:
            service, to, rule = given
            screen.record(referral_event(directory, service, to, screen.now(), rule))

    screen.app.push_screen(ReferralPicker(offered, others, getattr(screen.app, "keymap_in_force", {})), done)
