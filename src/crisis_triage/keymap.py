"""Every console key binding in one place: its id (for remapping via ``settings.keys``), default key,
what it does, and the screen it belongs to. Screens build their ``BINDINGS`` from here and the help
screen lists it, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table itself is headless: the protocol linter reads it without Textual
    from textual.binding import Binding


@dataclass(frozen=True)
class KeySpec:
    id: str
    key: str
    action: str
    description: str
    where: str
    show: bool = True
    priority: bool = False

    def binding(self) -> "Binding":
        from textual.binding import Binding

        return Binding(
            self.key,
            self.action,
            self.description,
            show=self.show,
            id=self.id,
            priority=self.priority,
            tooltip=f"binding id: {self.id}",
        )


# Function keys for anything that must work at any moment, even while typing into an answer box:
# they never collide with a protocol's one-letter answer keys. Nothing time-critical is on Escape.
KEYS: tuple[KeySpec, ...] = (
    KeySpec("help", "f1", "app.help", "Help", "everywhere"),
    KeySpec("interrupt", "f2", "interrupt", "Interrupt", "call", priority=True),
    KeySpec("accept", "f9", "accept", "ACCEPT", "call", priority=True),
    KeySpec("end_call", "f10", "end_call", "End call", "call", priority=True),
    KeySpec("revise", "f4", "revise", "Revise", "call", priority=True),
    KeySpec("notes", "f3", "note", "Note", "call", priority=True),
    KeySpec("skip", "f5", "skip", "Skip", "call", priority=True),
    KeySpec("language", "f6", "language", "Lang", "call", priority=True),
    KeySpec("district", "f7", "district", "District", "call", show=False, priority=True),
    KeySpec("unavailable", "f8", "unavailable", "Team unavailable", "call", show=False, priority=True),
    KeySpec("dispatch_copy", "c", "copy", "Copy summary", "dispatch"),
    KeySpec("dispatch_handoff", "h", "handoff", "Handoff", "dispatch"),
    KeySpec("back_to_call", "b", "back", "Back to call", "dispatch / handoff"),
    KeySpec("other_team", "o", "other_team", "Send another team", "dispatch / handoff"),
    KeySpec("handoff_step", "space", "step_done", "Step done", "handoff"),
    KeySpec("handoff_copy", "c", "copy", "Copy summary", "handoff"),
    KeySpec("next_call", "n", "next_call", "Next call", "call ended / home"),
    KeySpec("home", "ctrl+h", "app.home", "Home", "everywhere", show=False),
    KeySpec("theme_cycle", "ctrl+t", "app.cycle_theme", "Theme", "everywhere", show=False),
    KeySpec("quit", "ctrl+q", "app.quit_console", "Quit", "everywhere", show=False),
)


def bindings(where: str) -> list["Binding"]:
    """The bindings of one screen (``where`` as in :data:`KEYS`)."""
    return [spec.binding() for spec in KEYS if spec.where == where]


def key_for(binding_id: str, keymap: dict[str, str] | None = None) -> str:
    """The key in force for ``binding_id`` (a remapped key wins), for labels on screen."""
    if keymap and binding_id in keymap:
        return keymap[binding_id]
    for spec in KEYS:
        if spec.id == binding_id:
            return spec.key
    return "?"


def key_label(key: str) -> str:
    """``f2`` -> ``F2``, ``ctrl+n`` -> ``Ctrl+N``, ``space`` -> ``Space``."""
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))
