"""The console's own keys, as the protocol linter needs them (headless: no Textual import).

They are read from the console's own table (``crisis_triage.keymap.KEYS``, which imports no
Textual), so the linter and the console cannot disagree.

Where each kind of protocol key is pressed:

* answer keys (options, yes/no) -- on the call screen, while a question is asked;
* door and line keys -- on the call set-up screen;
* interrupt keys -- after the interrupt key (F2), in the interrupt picker.
"""

from __future__ import annotations


def console_keys(specs=None) -> dict[str, dict[str, str]]:
    """screen -> {key: what the console does with it}, from the console's key table. Function keys
    and ctrl+ chords are left out: a protocol key is one character, so only those can clash."""
    if specs is None:
        from ..keymap import KEYS as specs
    table: dict[str, dict[str, str]] = {"call": {}, "setup": {}, "interrupt": {}, "everywhere": {}}
    for spec in specs:
        screen = _SCREEN_OF_KEYS.get(spec.where, spec.where)
        for key in spec.key.split(","):
            character = _CHARACTER_OF.get(key.strip(), key.strip())
            if len(character) == 1 and screen in table:
                table[screen][character] = spec.description
    return table


#: Where the console's key table says a key works -> the screen a protocol key of that kind is pressed on.
_SCREEN_OF_KEYS = {"interrupt picker": "interrupt"}
#: Textual's names for keys that type one character.
_CHARACTER_OF = {"minus": "-", "plus": "+", "full_stop": ".", "comma": ",", "slash": "/"}


CONSOLE_KEYS: dict[str, dict[str, str]] = console_keys()

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
