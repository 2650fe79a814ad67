"""A caller's explicit no-police request reaches the replay output, honoured or overridden (issue 11)."""

from __future__ import annotations

import json

from crisis_triage.replay.calls import replay_lines

QUIET_CALL = {
    "id": "np-1",
    "door": "self",
    "line": "alt_line",
    "district": "B2",
    "interrupts": ["no_police"],
    "answers": {"location": "58 Humboldt Ave", "presentation": ["distressed"], "support_choice": "phone"},
}


def test_an_honoured_request_is_in_the_notes(boston):
    [row] = list(replay_lines(boston, [json.dumps(QUIET_CALL)]))
    assert "police" not in row["team"] and "no_police_requested" in row["facts"]
    assert any("asked for no police: none are sent" in note for note in row["notes"]), row["notes"]


def test_an_overridden_request_says_why_in_the_notes(boston):
    armed = {**QUIET_CALL, "id": "np-2", "answers": {**QUIET_CALL["answers"], "weapon": "yes", "weapon_use": "no"}}
    [row] = list(replay_lines(boston, [json.dumps(armed)]))
    assert "police" in row["team"]
    assert any("asked for no police, but a safety risk" in note for note in row["notes"]), row["notes"]
