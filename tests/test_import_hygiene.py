"""`validate` and `replay` run on servers and in CI without a terminal: they never import the TUI.

Each runs in a fresh interpreter through the real entry point (crisis_triage.cli.main), then the
test looks at what was imported. Textual and Rich are the console's; psycopg is the centre store's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
HEAVY = ("textual", "rich", "psycopg")

SCRIPT = """
import json, sys
from crisis_triage.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"code": code, "modules": loaded}), file=sys.stderr)
"""


def _run(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("heavy", HEAVY)
def test_validate_does_not_import(heavy):
    report = _run("validate", "-q", str(BOSTON))
    assert report["code"] == 0
    assert heavy not in report["modules"]


def test_replay_and_generate_calls_do_not_import_the_console(tmp_path):
    calls = tmp_path / "calls.jsonl"
    generated = _run("generate-calls", "-n", "5", "-o", str(calls))
    assert generated["code"] in (0, None)
    replayed = _run("replay", "--summary-only", str(calls))
    assert replayed["code"] in (0, None)
    for report in (generated, replayed):
        assert not set(HEAVY) & set(report["modules"]), set(HEAVY) & set(report["modules"])
    assert "crisis_triage" in replayed["modules"]


def test_the_engine_and_protocol_packages_import_nothing_of_the_console():
    code = (
        "import sys, crisis_triage.engine, crisis_triage.engine.decide, crisis_triage.protocol, crisis_triage.replay.calls, "
        "crisis_triage.replay.generate_calls, tests.support.protocol_generator; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich', 'psycopg', 'click'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
