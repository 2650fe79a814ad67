"""Repaint only what changed: a keypress should cost one question's worth of drawing, not a screen's."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

_UNSET = object()


def update_if_changed(widget: Static, content: Any, *, layout: bool = True) -> bool:
    """``widget.update(content)`` unless it already shows exactly that; True when it repainted.

    Static.update re-lays-out the screen by default, which is most of a keypress's cost; unchanged
    panels (the risk and the recommendation, on most answers) are left alone.
    """
    if getattr(widget, "_ct_shown", _UNSET) == content:
        return False
    widget._ct_shown = content
    widget.update(content, layout=layout)
    return True
