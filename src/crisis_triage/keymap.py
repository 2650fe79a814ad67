"""Every key of the console in one place: each binding's id (for remapping with ``[keys]`` in the
config file), default key, action, words and the screen it belongs to.

Screens build their ``BINDINGS`` from here; the key bar, help, the command palette and every key
named in on-screen text (``label("end_call", keymap)``) read it too, so a remapped key shows its
new label everywhere. Headless: the protocol linter reads it without Textual.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table itself is headless: the protocol linter reads it without Textual
    from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class KeySpec:
    """One binding: ``id`` names it in the config file; ``where`` is the screen (as help lists it)."""

    id: str
    key: str
    """Textual key name(s), comma-separated for alternatives (the first is the one shown)."""
    action: str
    description: str
    where: str
    show: bool = True
    """Shown in the screen's key bar / footer."""
    priority: bool = False
    """Works even while an answer box has the focus (function keys on the call screen)."""

    def binding(self, action: str | None = None) -> "Binding":
        """This key as a Textual binding (``action`` replaces the table's, e.g. to close help on F1)."""
        from textual.binding import Binding

        return Binding(
            self.key,
            action or self.action,
            self.description,
            show=self.show,
            id=self.id,
            priority=self.priority,
            tooltip=f"binding id: {self.id}",
        )


#: How a call can end: the CallEnded outcome code and its words (its key is ``end_<code>`` below).
CALL_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("dispatched", "Responders dispatched"),
    ("handoff_completed", "Warm handoff completed"),
    ("advice_only", "Advice or information only"),
    ("caller_disconnected", "Caller disconnected"),
    ("transferred", "Transferred elsewhere"),
    ("other", "Other (add a note)"),
)

#: The warm handoff's outcomes (the protocol's ``handoff.outcomes``), each with its key ``handoff_<outcome>``.
HANDOFF_OUTCOMES: tuple[str, ...] = ("accepted", "refused", "disconnected")

_OUTCOME_KEYS = {
    "dispatched": "d",
    "handoff_completed": "h",
    "advice_only": "a",
    "caller_disconnected": "x",
    "transferred": "t",
    "other": "o",
}

# Function keys for anything that must work at any moment, even while typing into an answer box:
# they never collide with a protocol's one-letter answer keys. Nothing time-critical is on Escape
# (terminals hold it ~100 ms). Ctrl+H is Backspace in most terminals, so Home is Ctrl+G.
KEYS: tuple[KeySpec, ...] = (
    KeySpec("help", "f1", "app.help", "Help", "everywhere"),
    KeySpec("home", "ctrl+g", "app.home", "Home", "everywhere", show=False),
    KeySpec("theme_cycle", "ctrl+t", "app.cycle_theme", "Theme", "everywhere", show=False),
    KeySpec("quit", "ctrl+q", "app.quit_console", "Quit", "everywhere", show=False),
    # the call
    # (key-bar order: what matters most in a hurry first, so a narrow bar cuts the least needed)
    KeySpec("interrupt", "f2", "interrupt", "Interrupt", "call", priority=True),
    KeySpec("accept", "f9", "accept", "ACCEPT", "call", priority=True),
    KeySpec("end_call", "f10", "end_call", "End call", "call", priority=True),
    KeySpec("revise", "f4", "revise", "Revise", "call", priority=True),
    KeySpec("notes", "f3", "note", "Note", "call", priority=True),
    KeySpec("skip", "f5", "skip", "Skip", "call", priority=True),
    KeySpec("language", "f6", "language", "Lang", "call", priority=True),
    KeySpec("district", "f7", "district", "District", "call", show=False, priority=True),
    KeySpec("unavailable", "f8", "unavailable", "Team unavailable", "call", show=False, priority=True),
    # referrals (issue 16): give one from the call screen; in the picker, to the caller or the family
    KeySpec("referral", "f12", "referral", "Referral", "call", priority=True),
    KeySpec("referral_caller", "c", "to_caller", "Given to caller", "referral picker"),
    KeySpec("referral_family", "f", "to_family", "Given to family", "referral picker"),
    # call events (issue 11): the interpreter step, a supervisor consulted, help sent without consent
    # (988). Ctrl+letters that no answer box uses (Input takes Ctrl+A/D/E/K/U/W/X/C/V; Ctrl+B is tmux's
    # prefix), priority so they work while typing; off the key bar (full at 80 columns): the call-events
    # line names each key when its duty is open, and help lists them.
    KeySpec(
        "interpreter", "ctrl+l", "interpreter_requested", "Interpreter requested", "call", show=False, priority=True
    ),
    KeySpec(
        "interpreter_connected",
        "ctrl+o",
        "interpreter_connected",
        "Interpreter on the line",
        "call",
        show=False,
        priority=True,
    ),
    KeySpec("supervisor", "ctrl+s", "supervisor_consulted", "Supervisor consulted", "call", show=False, priority=True),
    KeySpec("rescue", "ctrl+r", "rescue_without_consent", "Help without consent", "call", show=False, priority=True),
    # the call-so-far list (issue 15: answers in columns, never scrolled): move, and Enter revises
    KeySpec("so_far_up", "up", "cursor_up", "Up", "call so far", show=False),
    KeySpec("so_far_down", "down", "cursor_down", "Down", "call so far", show=False),
    KeySpec("so_far_left", "left", "cursor_left", "Column left", "call so far", show=False),
    KeySpec("so_far_right", "right", "cursor_right", "Column right", "call so far", show=False),
    KeySpec("so_far_revise", "enter", "select", "Revise this answer", "call so far"),
    # the end-call dialog: one key per outcome
    *(
        KeySpec(f"end_{code}", _OUTCOME_KEYS[code], f"outcome('{code}')", words, "end call", show=False)
        for code, words in CALL_OUTCOMES
    ),
    # after accepting
    KeySpec("dispatch_copy", "c", "copy", "Copy summary", "dispatch"),
    KeySpec("dispatch_handoff", "h", "handoff", "Handoff", "dispatch"),
    KeySpec("dispatch_eido", "e", "eido", "EIDO to CAD", "dispatch"),
    KeySpec("back_to_call", "b", "back", "Back to call", "dispatch / handoff"),
    KeySpec("other_team", "o", "other_team", "Send another team", "dispatch / handoff"),
    KeySpec("handoff_step", "space", "step_done", "Step done", "handoff"),
    KeySpec("handoff_copy", "c", "copy", "Copy summary", "handoff"),
    *(
        KeySpec(f"handoff_{outcome}", outcome[0], f"outcome('{outcome}')", outcome.capitalize(), "handoff")
        for outcome in HANDOFF_OUTCOMES
    ),
    # issue 12, after the dispatch: the response's status (one key each, in the response picker, on the
    # dispatch summary and on the active-calls list; chosen not to clash with the dispatch summary's
    # c/h/e/b/o), its disposition, the overdue-contact alert, the handoff's landing, the follow-up queue
    KeySpec("response", "f11", "response", "Response", "call", show=False, priority=True),
    KeySpec("active_calls", "ctrl+a", "app.active_calls", "Active calls", "everywhere", show=False),
    *(
        KeySpec(f"status_{status}", key, f"status('{status}')", words, "response status", show=False)
        for status, key, words in (
            ("assigned", "a", "Assigned"),
            ("en_route", "r", "En route"),
            ("on_scene", "s", "On scene"),
            ("contact_made", "m", "Contact made"),
            ("unable_to_locate", "u", "Unable to locate"),
            ("cleared", "x", "Cleared"),
        )
    ),
    KeySpec("disposition", "d", "disposition", "Disposition", "response status", show=False),
    KeySpec("acknowledge_alert", "k", "acknowledge", "Acknowledge alert", "response status", show=False),
    KeySpec("handoff_landed", "l", "landed", "Handoff landed", "response status", show=False),
    KeySpec("active_back", "escape", "back", "Back", "active calls / follow-ups"),
    KeySpec("active_followups", "f", "followups", "Follow-up queue", "active calls"),
    *(
        KeySpec(f"followup_{outcome}", key, f"attempt('{outcome}')", words, "follow-up queue")
        for outcome, key, words in (
            ("reached_safe", "s", "Reached, safe"),
            ("referred", "r", "Referred"),
            ("no_answer", "n", "No answer"),
            ("declined", "d", "Declined"),
        )
    ),
    KeySpec("home_active", "a", "active", "Active calls", "home"),
    KeySpec("home_followups", "f", "followups", "Follow-up queue", "home"),
    # dialogs
    KeySpec("modal_cancel", "escape", "cancel", "Cancel", "dialogs"),
    KeySpec("interrupt_withdraw", "minus", "toggle_withdraw", "Withdraw one", "interrupt picker"),
    KeySpec("help_close", "escape", "close", "Close", "help"),
    KeySpec("accept_anyway", "a", "confirm", "Accept anyway", "accept before safety questions"),
    KeySpec("quit_confirm", "y", "confirm", "Quit, the call stays open", "quit during a call"),
    KeySpec("confirm_from_interrupt", "enter", "-", "Confirm the answer an interrupt gave", "question"),
    KeySpec("type_answer", "enter", "-", "Start typing an optional answer", "question"),
    # before and after a call
    KeySpec("setup_start", "enter", "start", "Start call", "setup", priority=True),
    KeySpec("setup_language", "f6", "language", "Language", "setup"),
    KeySpec("setup_district", "f7", "district", "District", "setup"),
    KeySpec("resume_new", "n", "new", "New call instead", "resume"),
    KeySpec("next_call", "n", "next_call", "Next call", "call ended"),
    KeySpec("home_new_call", "n", "new_call", "New call", "home"),
    KeySpec("home_practice", "p", "practice", "Practice", "home"),
    KeySpec("home_protocols", "o", "protocols", "Protocols", "home"),
    KeySpec("home_recent", "r", "recent", "Recent calls", "home"),
    KeySpec("home_unfinished", "u", "unfinished", "Unfinished", "home"),
    # issue 13: the EIDO inbox (incidents transferred by subscription); Enter on one takes it as a call
    KeySpec("home_eido_inbox", "i", "eido_inbox", "EIDO inbox", "home"),
    KeySpec("eido_inbox_back", "escape", "back", "Back", "eido inbox"),
    KeySpec("problems_quit", "q,enter", "app.exit_with_problems", "Quit", "protocol problems"),
    # practice
    KeySpec("practice_pick_up", "enter", "pick_up", "Pick up the call", "practice briefing"),
    KeySpec("practice_leave", "escape", "leave", "Leave practice", "practice briefing"),
    KeySpec("practice_back", "escape", "back", "Back", "practice picker"),
    KeySpec("practice_exam", "x", "exam", "Exam of 5", "practice picker"),
    KeySpec("debrief_next", "enter", "next", "Next", "debrief", priority=True),
    KeySpec("debrief_retry", "r", "retry", "Retry scenario", "debrief"),
    KeySpec("debrief_leave", "escape", "leave", "Leave practice", "debrief"),
    KeySpec("exam_done", "enter", "leave", "Done", "exam results", priority=True),
    KeySpec("exam_leave", "escape", "leave", "Done", "exam results", show=False),
    # the protocol author's preview (crisis-triage preview)
    KeySpec("preview_interrupt", "f2", "interrupt", "Interrupt", "preview"),
    KeySpec("preview_undo", "f4", "undo", "Undo answer", "preview"),
    KeySpec("preview_door", "f6", "next_door", "Next door", "preview"),
    KeySpec("preview_reload", "f7", "reload", "Reload now", "preview"),
    KeySpec("preview_restart", "ctrl+r", "restart", "Restart path", "preview"),
    KeySpec("preview_quit", "ctrl+q", "quit", "Quit", "preview"),
    # the supervisor's board (crisis-triage board); "board / wall" keys change only the view
    KeySpec("board_sort", "s", "sort", "Sort", "board / wall"),
    KeySpec("board_filter", "f", "filter", "Filter", "board / wall"),
    KeySpec("board_consult", "c", "consult", "Consulted", "board"),
    KeySpec("board_out_of_service", "o", "out_of_service", "Unit out / back", "board"),
    KeySpec("board_on_scene", "e", "unit_on_scene", "Unit on scene", "board"),
    KeySpec("board_clear", "x", "unit_cleared", "Unit clear", "board"),
    KeySpec("board_quit", "q", "quit", "Quit", "board / wall"),
)

BY_ID: dict[str, KeySpec] = {spec.id: spec for spec in KEYS}


def bindings(*where: str) -> list["BindingType"]:
    """The bindings of the screens named (``where`` as in :data:`KEYS`), in table order."""
    return [spec.binding() for spec in KEYS if spec.where in where]


def binding(binding_id: str, action: str | None = None) -> "BindingType":
    """One binding by id (``action`` replaces the table's: the same key doing its job on another screen)."""
    return BY_ID[binding_id].binding(action)


def key_for(binding_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """The key in force for ``binding_id`` (a remapped key wins; the first of alternatives)."""
    if keymap and binding_id in keymap:
        return keymap[binding_id].split(",")[0].strip()
    spec = BY_ID.get(binding_id)
    return spec.key.split(",")[0] if spec else "?"


def key_label(key: str) -> str:
    """``f2`` -> ``F2``, ``ctrl+n`` -> ``Ctrl+N``, ``space`` -> ``Space``, ``minus`` -> ``-``."""
    names = {"minus": "-", "escape": "Esc", "enter": "Enter", "space": "Space"}
    return "+".join(names.get(part, part.capitalize() if len(part) > 1 else part.upper()) for part in key.split("+"))


def label(binding_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """What the key in force for ``binding_id`` is called on screen (``F10``, ``Ctrl+G``)."""
    return key_label(key_for(binding_id, keymap))


def outcome_key(code: str, keymap: Mapping[str, str] | None = None) -> str:
    """The key in force for an end-call outcome code (``dispatched`` -> ``d``)."""
    return key_for(f"end_{code}", keymap)


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with a ``[keys]`` table: an unknown binding id (naming the nearest id), or one
    key given to two bindings of the same screen (or to a screen's binding and an everywhere one)."""
    problems = []
    for binding_id in keymap:
        if binding_id not in BY_ID:
            near = difflib.get_close_matches(binding_id, list(BY_ID), n=1, cutoff=0.5)
            hint = f'; did you mean "{near[0]}"?' if near else "; `crisis-triage` help (F1) lists every binding id"
            problems.append(f'[keys]: unknown binding id "{binding_id}"{hint}')
    by_screen: dict[str, dict[str, str]] = {}
    for spec in KEYS:
        for key in (k.strip() for k in (keymap.get(spec.id) or spec.key).split(",")):
            by_screen.setdefault(spec.where, {}).setdefault(key, spec.id)
    everywhere = by_screen.get("everywhere", {})
    for where, keys in by_screen.items():
        for spec in KEYS:
            if spec.where != where or spec.id not in keymap:
                continue
            key = key_for(spec.id, keymap)
            other = keys.get(key) if keys.get(key) != spec.id else None
            if other is None and where != "everywhere" and everywhere.get(key):
                other = everywhere[key]
            if other is not None and other != spec.id:
                problems.append(f'[keys]: "{spec.id}" = "{key}" is already the key of "{other}" ({where})')
    return problems
