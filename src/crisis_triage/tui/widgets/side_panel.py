"""A panel of the side column (risk, recommendation, referrals) that keeps its height from key to key.

A panel that changes height costs a layout pass of the whole screen (two, in fact: Textual lays out
again when the resized panel's virtual size is updated), ~10-20 ms on the key that caused it. So:

- the panel grows but never shrinks during a call (``update_if_changed(..., grow_only=True)``: its
  text is padded with blank lines at its foot to its tallest so far);
- a panel may keep ``reserve`` blank lines at its foot, so that the usual growth of its text (the
  recommendation's reason, one line at first, longer once the safety questions are answered)
  repaints in place;
- it is measured as soon as it has a width. Its first text is shown before the screen is laid out
  (no width, no height known), and :func:`~.repaint.update_if_changed` lays out whenever the height
  shown is unknown (and cannot pad to a height it never measured); measured here at each new width,
  the next change repaints in place when it fits.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from .repaint import update_if_changed


class SidePanel(Static):
    grow_only = True
    """Keep the tallest height of the call (a shrinking panel would cost a layout pass)."""
    reserve = 0
    """Blank lines kept at the foot from each new width on: room for the text to grow in place."""

    def show_text(self, text: Any) -> bool:
        """Show ``text`` (repainted only when it changed; laid out only when it is taller)."""
        return update_if_changed(self, text, grow_only=self.grow_only)

    def on_resize(self) -> None:
        # At a new width (the first layout, a terminal resize, the narrow screen's compact text) the
        # panel starts its height afresh: the text it shows is measured there, and blank lines padded
        # at another width are dropped. That height is what update_if_changed compares the next
        # text with (repaint.py's attributes: that module owns the comparison).
        width = self.content_size.width
        shown = getattr(self, "_ct_shown", None)
        if width <= 0 or not isinstance(shown, Text) or width == getattr(self, "_ct_width", None):
            return
        self._ct_width = width
        height = len(shown.wrap(self.app.console, width))
        if self.reserve:
            padded = shown.copy()
            padded.append("\n" * self.reserve)
            self.update(padded)  # laid out with the resize that caused it
            height += self.reserve
        elif self.content is not shown:  # padded to a height of another width
            self.update(shown)
        self._ct_height = self._ct_tallest = height
