"""The call so far: answered questions with their answers, selectable to revise one."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...engine.assessment import Assessment
from ...engine.views import question_label


class CallSoFar(OptionList):
    """Each answered or skipped question is one line; Enter on a line revises that answer."""

    def show(
        self,
        assessment: Assessment,
        *,
        changed: frozenset[str] = frozenset(),
        from_interrupt: frozenset[str] = frozenset(),
    ) -> None:
        """One line per answered or skipped question, in the call's language (label and answer alike);
        an answer an interrupt gave is marked "from interrupt"."""
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option] = []
        for asked in assessment.asked:
            if asked.status == "pending":
                continue
            line = Text()
            if asked.status == "skipped":
                line.append("- ", style="dim")
                line.append(question_label(asked.question, asked.language), style="dim")
                line.append("  skipped", style="dim italic")
            else:
                line.append("* " if asked.question.id in changed else "  ", style="bold")
                line.append(question_label(asked.question, asked.language))
                line.append("  ")
                line.append(asked.label, style="bold")
                if asked.points:
                    line.append(f"  +{asked.points}", style="bold")
                if asked.revised:
                    line.append("  revised", style="italic")
                elif asked.question.id in from_interrupt:
                    line.append("  from interrupt", style="italic yellow")
            options.append(Option(line, id=asked.question.id))
        for dropped in assessment.dropped:
            options.append(
                Option(
                    Text(
                        f"  {question_label(dropped.question)}  {dropped.label}  no longer asked",
                        style="dim strike",
                    ),
                    id=f"dropped:{dropped.question.id}",
                    disabled=True,
                )
            )
        rows = [(o.id, o.prompt, o.disabled) for o in options]
        shown = getattr(self, "_ct_rows", [])
        if rows == shown:
            return
        if shown and len(rows) > len(shown) and rows[: len(shown)] == shown and not any(d for _, _, d in rows):
            # The common case, one more answer: add its line instead of redrawing the list.
            self.add_options(options[len(shown) :])
        else:
            self.clear_options()
            self.add_options(options)
        self._ct_rows = rows
        ids = [o.id for o in options]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
        elif options:
            self.highlighted = len([o for o in options if not o.disabled]) - 1
