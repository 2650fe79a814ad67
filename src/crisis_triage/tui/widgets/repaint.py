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


def update_if_changed(widget: Static, content: Any, *, layout: bool = True, grow_only: bool = False) -> bool:
    """``widget.update(content)`` unless it already shows exactly that; True when it repainted.

    A layout pass costs a frame: Textual paints the other changes first and the re-laid-out widget
    a frame later. So unchanged panels are left alone, and a panel whose text keeps its height is
    repainted in place (the risk panel and the recommendation card on most changes). With
    ``grow_only`` the panel never gets shorter (its text is padded to its tallest so far).
    """
    shown = getattr(widget, "_ct_shown", _UNSET)
    if shown == content:
        return False
    # Once per repaint, and only when a layout pass or the padding depends on it: wrapping the text
    # is the costly part. Unmeasured, the next layout-deciding call lays out (never skips one wrongly).
    height = _height(widget, content) if layout or grow_only else None
    drawn = content
    tallest = getattr(widget, "_ct_tallest", 0)
    if grow_only and height is not None and height < tallest:
        # A panel that shrinks on most answers (the card as its open safety questions are answered)
        # keeps its tallest height: blank lines at its foot cost nothing, a layout pass a frame.
        drawn = content.copy()
        drawn.append("\n" * (tallest - height))
        height = tallest
    if height is not None:
        widget._ct_tallest = max(tallest, height)
    if layout and shown is not _UNSET:
        before = getattr(widget, "_ct_height", None)
        layout = before is None or height is None or before != height
    widget._ct_shown = content
    widget._ct_height = height
    widget.update(drawn, layout=layout)
    return True


def measure_at_width(widget: Static, reserve: int = 0) -> None:
    """At a new width (the first layout, a terminal resize, a narrow screen's compact text), start the
    widget's height afresh from the text it shows, plus ``reserve`` blank lines at its foot, so the
    next :func:`update_if_changed` compares against a height it measured (an unmeasured height always
    lays out). Blank lines padded at another width are dropped. Called from the widget's resize."""
    width = widget.content_size.width
    shown = getattr(widget, "_ct_shown", None)
    if width <= 0 or not isinstance(shown, Text) or width == getattr(widget, "_ct_width", None):
        return
    widget._ct_width = width
    height = len(shown.wrap(widget.app.console, width))
    if reserve:
        padded = shown.copy()
        padded.append("\n" * reserve)
        widget.update(padded)  # laid out with the resize that caused it
        height += reserve
    elif widget.content is not shown:  # padded to a height of another width
        widget.update(shown)
    widget._ct_height = widget._ct_tallest = height
