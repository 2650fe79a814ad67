"""The call so far: answered questions with their answers, selectable to revise one.

Every answer stays in view without scrolling (the README promises no scrolling at 100x30): when the
rows outgrow the panel's height they flow into a second (third...) column, and a row that does not
fit its column keeps its answer whole and shortens the question's label first.

Drawn in a panel of fixed size, so an answer repaints this panel only: a list widget's growing
scroll area forces a layout pass of the whole screen on every answer. Within the panel, an answer
repaints only the lines it changed (most often one: the new row), not the whole list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from ...keymap import bindings

if TYPE_CHECKING:
    from ...engine.assessment import Assessment

_COLUMN_GAP = 2


@dataclass(frozen=True)
class SoFarRow:
    """One line of the list: ``id`` is the question id (``dropped:<id>`` for an answer no longer asked)."""

    id: str
    label: Text
    """The question's short name, with its mark (``*`` changed by a revision, ``-`` skipped)."""
    answer: Text
    """The answer and what goes with it (points, revised, from interrupt); empty for a skipped question."""
    disabled: bool = False

    @property
    def prompt(self) -> Text:
        """The whole row as one line of text."""
        line = self.label.copy()
        if self.answer.plain:
            line.append("  ")
            line.append_text(self.answer)
        return line


class CallSoFar(Widget, can_focus=True):
    """Each answered or skipped question is one row; Enter on a row revises that answer."""

    BINDINGS = bindings("call so far")
    DEFAULT_CSS = """
    CallSoFar {
        padding: 0 1;
    }
    """

    class Chosen(Message):
        """Enter on a row: ``row.id`` is the question to revise."""

        def __init__(self, row: SoFarRow) -> None:
            super().__init__()
            self.row = row

        @property
        def option(self) -> SoFarRow:
            return self.row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: tuple[SoFarRow, ...] = ()
        self.highlighted: int | None = None
        """The row Enter revises (moved with the arrow keys while the list has the focus)."""
        self._drawn: tuple[tuple, list[Text]] | None = None
        """The lines last laid out, and what they were laid out for (rows, size, focus, highlight)."""
        self._rows_version = 0

    # -- what other code reads ------------------------------------------------------------------------
    @property
    def option_count(self) -> int:
        return len(self.rows)

    def get_option_at_index(self, index: int) -> SoFarRow:
        return self.rows[index]

    @property
    def highlighted_option(self) -> SoFarRow | None:
        return self.rows[self.highlighted] if self.highlighted is not None and self.rows else None

    def lines(self) -> list[str]:
        """The rows as plain text, in order (what the call-taker can read here)."""
        return [row.prompt.plain for row in self.rows]

    # -- filling ------------------------------------------------------------------------------------------
    def show(
        self,
        assessment: Assessment,
        *,
        changed: frozenset[str] = frozenset(),
        from_interrupt: frozenset[str] = frozenset(),
    ) -> None:
        """One row per answered or skipped question, in the call's language (label and answer alike);
        an answer an interrupt gave is marked "from interrupt"."""
        # the engine is loaded by now (the first frame may come before it: tui/launch.py)
        from ...engine.views import question_label

        rows: list[SoFarRow] = []
        for asked in assessment.asked:
            if asked.status == "pending":
                continue
            name = question_label(asked.question, asked.language)
            if asked.status == "skipped":
                rows.append(
                    SoFarRow(asked.question.id, Text(f"- {name}", style="dim"), Text("skipped", style="dim italic"))
                )
                continue
            label = Text("* " if asked.question.id in changed else "  ", style="bold")
            label.append(name)
            answer = Text(asked.label, style="bold")
            if asked.points:
                answer.append(f"  +{asked.points}", style="bold")
            if asked.revised:
                answer.append("  revised", style="italic")
            elif asked.question.id in from_interrupt:
                answer.append("  from interrupt", style="italic yellow")
            rows.append(SoFarRow(asked.question.id, label, answer))
        for dropped in assessment.dropped:
            rows.append(
                SoFarRow(
                    f"dropped:{dropped.question.id}",
                    Text(f"  {question_label(dropped.question)}", style="dim strike"),
                    Text(f"{dropped.label}  no longer asked", style="dim strike"),
                    disabled=True,
                )
            )
        if tuple(rows) == self.rows:
            return
        kept = self.highlighted_option.id if self.highlighted_option is not None else None
        before = self._drawn if self._drawn is not None and self._drawn[0] == self._layout_key() else None
        self.rows = tuple(rows)
        self._rows_version += 1
        ids = [row.id for row in rows]
        if kept in ids:
            self.highlighted = ids.index(kept)
        else:
            enabled = [i for i, row in enumerate(rows) if not row.disabled]
            self.highlighted = enabled[-1] if enabled else None
        # The panel's size never depends on its rows: a repaint, no layout pass; and only of the
        # lines that changed when the panel was drawn before at this size.
        width = self.content_size.width
        if before is None or width <= 0:
            self.refresh()
            return
        old = before[1]
        new = self._lines()
        self._drawn = (self._layout_key(), new)
        dirty = [y for y in range(max(len(old), len(new))) if y >= len(old) or y >= len(new) or old[y] != new[y]]
        if dirty:
            self.refresh(*(Region(0, y, width, 1) for y in dirty))

    # -- keys -------------------------------------------------------------------------------------------
    def _move(self, step: int) -> None:
        if not self.rows:
            return
        index = self.highlighted if self.highlighted is not None else len(self.rows) - 1
        target = index + step
        while 0 <= target < len(self.rows) and self.rows[target].disabled:
            target += 1 if step > 0 else -1
        if 0 <= target < len(self.rows):
            self.highlighted = target
            self.refresh()

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_left(self) -> None:
        self._move(-self._rows_per_column())

    def action_cursor_right(self) -> None:
        self._move(self._rows_per_column())

    def action_select(self) -> None:
        row = self.highlighted_option
        if row is not None and not row.disabled:
            self.post_message(self.Chosen(row))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------------------
    def _rows_per_column(self) -> int:
        return max(1, self.content_size.height)

    def _layout_key(self) -> tuple:
        return (self._rows_version, self.content_size, self.has_focus, self.highlighted)

    def render(self) -> Text:
        """The whole list as one text (what the panel shows, line for line)."""
        return Text("\n").join(self._lines())

    def render_line(self, y: int) -> Strip:
        """One line of the panel, drawn as the whole text's line ``y`` would be."""
        key = self._layout_key()
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, self._lines())
        lines = self._drawn[1]
        width = self.content_size.width
        if y >= len(lines) or width <= 0:
            return Strip.blank(width, self.visual_style.rich_style)
        return Visual.to_strips(self, visualize(self, lines[y]), width, 1, self.visual_style)[0]

    def _lines(self) -> list[Text]:
        width = self.content_size.width
        per_column = self._rows_per_column()
        if not self.rows or width <= 0:
            return [Text("")]
        columns = math.ceil(len(self.rows) / per_column)
        cell = max(1, (width - _COLUMN_GAP * (columns - 1)) // columns)
        lines = [Text() for _ in range(min(per_column, len(self.rows)))]
        for index, row in enumerate(self.rows):
            column, line = divmod(index, per_column)
            text = _fit(row, cell)
            if self.has_focus and index == self.highlighted:
                text.stylize("reverse")
            if column:
                lines[line].append(" " * _COLUMN_GAP)
            lines[line].append_text(text)
        return lines


def _fit(row: SoFarRow, width: int) -> Text:
    """The row in ``width`` cells, padded: the label shortened first (to half the cell at the
    least), then a long answer's end."""
    answer = row.answer
    label = row.label.copy()
    room_for_label = width - (answer.cell_len + 2 if answer.plain else 0)
    room_for_label = max(room_for_label, min(label.cell_len, width // 2))
    if label.cell_len > room_for_label:
        label.truncate(max(3, room_for_label), overflow="ellipsis")
    text = label
    if answer.plain:
        text.append("  ")
        text.append_text(answer)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
