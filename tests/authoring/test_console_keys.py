"""The linter reads the console's own key table, so a console key on a protocol's screen clashes."""

from __future__ import annotations

import subprocess
import sys

from crisis_triage.authoring.console_keys import clashes, console_keys
from crisis_triage.keymap import KEYS, KeySpec


def test_single_character_console_keys_are_read_from_the_console_table():
    specs = KEYS + (
        KeySpec("quick_note", "q", "note", "Quick note", "call"),
        KeySpec("next_call", "n", "next_call", "Next call", "call ended / home"),
    )
    table = console_keys(specs)
    assert table["call"] == {"q": "Quick note"}  # a letter on the call screen would steal an answer key
    assert all("n" not in keys for keys in table.values())  # a screen where no protocol key is pressed
    assert all(len(key) == 1 for keys in table.values() for key in keys)  # F-keys and chords never clash


def test_the_console_key_table_loads_without_textual():
    code = "import sys, crisis_triage.authoring.console_keys; print('textual' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


def test_reserved_keys_clash_everywhere():
    assert clashes("option", " ") and clashes("door", "\t")
    assert clashes("option", "y") is None
