"""The risk panel: the band as a coloured meter, the score, what produced it, the active interrupts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .side_panel import SidePanel

if TYPE_CHECKING:
    from ...engine.assessment import Assessment
    from ...engine.views import BandView, InterruptView

#: Band colours from protocols are Rich colour names; a meter cell per band.
METER_CELL = 4


def css_colour(name: str) -> str:
    """A protocol's band colour (a Rich colour name such as ``dark_orange``) as a CSS hex colour."""
    from rich.color import Color, ColorParseError

    try:
        return Color.parse(name).get_truecolor().hex
    except ColorParseError:
        return "#ffffff"


def band_meter(band: BandView) -> Text:
    text = Text()
    filled = (band.rank + 1) * METER_CELL
    total = band.of * METER_CELL
    text.append("#" * filled, style=f"bold {band.colour}")
    text.append("." * (total - filled), style="dim")
    text.append(f" {band.label.upper()}", style=f"bold {band.colour}")
    return text


class RiskPanel(SidePanel):
    """Rendered from an :class:`Assessment` (and views the engine module built); no scoring here."""

    def show(
        self,
        assessment: Assessment,
        band: BandView,
        points_band: BandView,
        interrupts: tuple[InterruptView, ...],
        *,
        interrupt_key: str,
        language: str = "en",
    ) -> None:
        # the engine is loaded by now (the first frame may come before it: tui/launch.py)
        from ...engine.views import localized, question_label

        risk = assessment.risk
        text = Text()
        text.append_text(band_meter(band))
        text.append(f"\nscore {risk.score}")
        if points_band.id != band.id:
            text.append(f" (points alone: {points_band.label})", style="dim")
        for override in risk.overrides:
            text.append(f"\n^ at least {override.at_least}: ", style="bold")
            text.append(localized(override.reason, language))
        if risk.suicide_level:
            text.append("\nsuicide screen: ", style="bold")
            text.append(localized(risk.suicide_reason, language) if risk.suicide_reason else risk.suicide_level)
        for contribution in risk.contributions:
            text.append(
                f"\n+{contribution.points:<2} {question_label(contribution.question)}: {contribution.answer}",
                style="dim" if contribution.points < 3 else "",
            )
        active = [i for i in interrupts if i.active]
        if active:
            text.append("\n")
            for item in active:
                text.append(f"\n! {item.label}", style="bold reverse red")
        else:
            text.append(f"\n\n{interrupt_key} then a key records an interrupt", style="dim")
        for warning in assessment.warnings:
            text.append(f"\n? {warning}", style="italic yellow")
        self.show_text(text)
