"""Repaint only what changed: a keypress should cost one question's worth of drawing, not a screen's."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

_UNSET = object()


def _height(widget: Static, content: Any) -> int | None:
    """Lines ``content`` takes at the widget's current width (None when that cannot be known)."""
    width = widget.content_size.width
    if width <= 0 or not isinstance(content, Text):
        return None
    return len(content.wrap(widget.app.console, width))


def update_if_changed(widget: Static, content: Any, *, layout: bool = True) -> bool:
    """``widget.update(content)`` unless it already shows exactly that; True when it repainted.

    A layout pass costs a frame: Textual paints the other changes first and the re-laid-out widget
    a frame later. So unchanged panels are left alone, and a panel whose text keeps its height is
    repainted in place (the risk panel and the recommendation card on most changes).
    """
    shown = getattr(widget, "_ct_shown", _UNSET)
    if shown == content:
        return False
    height = _height(widget, content)  # once per repaint: wrapping the text is the costly part
    if layout and shown is not _UNSET:
        before = getattr(widget, "_ct_height", None)
        layout = before is None or height is None or before != height
    widget._ct_shown = content
    widget._ct_height = height
    widget.update(content, layout=layout)
    return True
