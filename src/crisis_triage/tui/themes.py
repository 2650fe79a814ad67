"""The console's high-contrast theme (beside Textual's light and dark ones)."""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = Theme(
    name="crisis-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFFFF",
    warning="#FFB000",
    error="#FF4040",
    success="#00FF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    boost="#333333",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
)

#: The themes a call-taker can pick in settings or the palette.
CONSOLE_THEMES = ("textual-dark", "textual-light", HIGH_CONTRAST.name)
