"""The one key table: ids, labels, and what is wrong with a [keys] table in the config file."""

from __future__ import annotations

from crisis_triage.keymap import BY_ID, CALL_OUTCOMES, KEYS, key_for, keymap_problems, label


def test_every_binding_id_is_unique():
    assert len(BY_ID) == len(KEYS)


def test_an_unknown_binding_id_is_reported_with_the_nearest_id():
    (problem,) = keymap_problems({"accpet": "ctrl+a"})
    assert '"accpet"' in problem and 'did you mean "accept"?' in problem


def test_a_key_given_to_two_bindings_of_one_screen_is_reported():
    (problem,) = keymap_problems({"notes": "f2"})
    assert '"notes" = "f2"' in problem and '"interrupt"' in problem
    assert keymap_problems({"notes": "ctrl+n", "end_call": "f12"}) == []


def test_a_remapped_key_is_the_label_shown():
    assert label("end_call") == "F10" and label("end_call", {"end_call": "f12"}) == "F12"
    assert label("home") == "Ctrl+G" and label("interrupt_withdraw") == "-"
    assert key_for("problems_quit") == "q"


def test_home_is_not_ctrl_h_which_terminals_send_as_backspace():
    assert BY_ID["home"].key != "ctrl+h"


def test_f5_means_one_thing():
    meanings = {spec.description for spec in KEYS if "f5" in spec.key.split(",")}
    assert meanings == {"Skip"}


def test_every_call_outcome_has_a_key():
    assert all(f"end_{code}" in BY_ID for code, _ in CALL_OUTCOMES)
