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

from textual.widgets import Static

from .repaint import measure_at_width, update_if_changed


class SidePanel(Static):
    grow_only = True
    """Keep the tallest height of the call (a shrinking panel would cost a layout pass)."""
    reserve = 0
    """Blank lines kept at the foot from each new width on: room for the text to grow in place."""

    def show_text(self, text: Any) -> bool:
        """Show ``text`` (repainted only when it changed; laid out only when it is taller)."""
        return update_if_changed(self, text, grow_only=self.grow_only)

    def on_resize(self) -> None:
        # At a new width the panel's height starts afresh from the text it shows (repaint.py owns
        # the measuring and the comparison with the next text).
        measure_at_width(self, self.reserve)
