"""Crash reports (issue 10, minor): two crashes in the same second never overwrite each other."""

from __future__ import annotations

import stat

from crisis_triage.crash import report_crash


def test_two_crashes_in_the_same_second_keep_two_private_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("CRISIS_TRIAGE_LOG_DIR", str(tmp_path))
    paths = [report_crash(RuntimeError(f"crash {n}")) for n in range(5)]
    assert all(paths) and len(set(paths)) == 5
    assert sorted(p.read_text(encoding="utf-8").strip().splitlines()[-1] for p in paths) == [
        f"RuntimeError: crash {n}" for n in range(5)
    ]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
