"""The linter's list of console keys matches the console's own table."""

from __future__ import annotations

from crisis_triage.authoring.console_keys import CONSOLE_KEYS, SCREEN_OF, clashes
from crisis_triage.tui.keys import KEYS


def test_every_single_character_console_key_where_protocol_keys_are_pressed_is_listed():
    screens = set(SCREEN_OF.values()) | {"everywhere"}
    for spec in KEYS:
        if spec.where in screens and (len(spec.key) == 1 or spec.key == "space"):
            key = " " if spec.key == "space" else spec.key
            assert key in CONSOLE_KEYS[spec.where] or clashes("option", key), f"{spec.id} ({spec.key}) missing from console_keys"


def test_listed_keys_are_still_console_keys():
    keys = {(" " if s.key == "space" else s.key, s.where) for s in KEYS}
    for screen, table in CONSOLE_KEYS.items():
        for key in table:
            assert (key, screen) in keys, f"console_keys lists {key!r} on {screen}, the console no longer uses it"


def test_reserved_keys_clash_everywhere():
    assert clashes("option", " ") and clashes("door", "\t")
    assert clashes("option", "y") is None
