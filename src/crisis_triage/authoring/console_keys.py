"""The console's own keys, as the protocol linter needs them (headless: no Textual import).

The console (``crisis_triage.tui.keys.KEYS``) builds its bindings with Textual, which headless code
must not import, so the single-character keys that matter to a protocol author are listed here by
the screen where a protocol's keys are pressed. ``tests/authoring/test_console_keys.py`` checks
this list against the console's table, so the two cannot drift apart.

Where each kind of protocol key is pressed:

* answer keys (options, yes/no) -- on the call screen, while a question is asked;
* door and line keys -- on the call set-up screen;
* interrupt keys -- after the interrupt key (F2), in the interrupt picker.
"""

from __future__ import annotations

#: screen -> {key: what the console does with it}. Function keys and ctrl+ chords are left out:
#: a protocol key is one character, so only single characters and named keys such as space can clash.
CONSOLE_KEYS: dict[str, dict[str, str]] = {
    "call": {},
    "setup": {},
    "interrupt": {},
    "everywhere": {},
}

#: Keys no protocol key may take, on any screen: Textual and the terminal reserve them.
RESERVED_KEYS: dict[str, str] = {
    " ": "space (marks a handoff step done; selects in lists)",
    "\t": "tab (moves the focus)",
}

#: Which screen each kind of protocol key is pressed on.
SCREEN_OF = {"option": "call", "door": "setup", "line": "setup", "interrupt": "interrupt"}


def clashes(kind: str, key: str) -> str | None:
    """What the console already does with ``key`` where a ``kind`` key is pressed, or None."""
    screen = SCREEN_OF.get(kind, "call")
    for table in (CONSOLE_KEYS.get(screen, {}), CONSOLE_KEYS["everywhere"]):
        for candidate in (key, key.lower()):
            if candidate in table:
                return table[candidate]
    if key in RESERVED_KEYS:
        return RESERVED_KEYS[key]
    return None
