"""De-identification fails closed (issue 10, reproducer 8), tested against calls whose answers and
notes carry real-looking names, phone numbers, e-mail addresses and street addresses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.protocol import load_protocol
from crisis_triage.replay.generate_calls import FIRST_NAMES, STREETS, SURNAMES, generate_calls

BOSTON = Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml"
DIGITS = re.compile(r"\d[\d\s().+-]{8,}\d")


def _run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _personal(calls: list[dict]) -> list[str]:
    """Every personal detail the calls carry in free text: names, streets, e-mail addresses, phones."""
    found = set()
    for call in calls:
        texts = [*call.get("notes", []), call["answers"].get("caller_name", ""), call["answers"].get("location", "")]
        for text in texts:
            found.update(w for w in re.findall(r"[\w.]+@[\w.]+", text))
            found.update(m.group() for m in DIGITS.finditer(text))
            found.update(n for n in (*FIRST_NAMES, *SURNAMES, *STREETS) if n in text)
    return sorted(found)


def _import_and_export(tmp_path, protocol_path: Path, move_away: bool) -> tuple[str, str, list[dict]]:
    calls = list(generate_calls(load_protocol(protocol_path), 20, seed=11))
    lines = "".join(json.dumps(call) + "\n" for call in calls)
    imported = _run("records", "import-calls", "-", "--protocol", str(protocol_path), "--local", input=lines)
    assert "imported 20 calls" in imported.stderr, imported.output
    if move_away:
        protocol_path.rename(tmp_path / "moved-away.txt")
    exported = _run("records", "export", "--local", "--deidentify")
    assert exported.exit_code == 0, exported.output
    return exported.stdout, exported.stderr, calls


def test_generated_calls_carry_personal_details_in_free_text():
    calls = list(generate_calls(load_protocol(BOSTON), 20, seed=11))
    notes = [n for c in calls for n in c.get("notes", [])]
    assert notes and any("@" in n for n in notes) and any(DIGITS.search(n) for n in notes)


def test_nothing_personal_survives_when_the_protocol_file_is_gone(tmp_path):
    copy = tmp_path / "modified.yaml"
    copy.write_text(BOSTON.read_text(encoding="utf-8").replace("version: ", "version: 9", 1), encoding="utf-8")
    out, err, calls = _import_and_export(tmp_path, copy, move_away=True)
    details = _personal(calls)
    assert len(details) > 10
    leaked = [d for d in details if d in out]
    assert not leaked, leaked
    assert "de-identification: removed because they could not be classified" in err
    assert "answers of calls whose protocol file was not found" in err


def test_nothing_personal_survives_with_the_protocol_found(tmp_path):
    out, err, calls = _import_and_export(tmp_path, BOSTON, move_away=False)
    leaked = [d for d in _personal(calls) if d in out]
    assert not leaked, leaked
    assert "could not be classified" not in err
    # Option answers are kept when the protocol says what they are.
    answers = [json.loads(line)["event"] for line in out.splitlines()]
    assert any(e.get("kind") == "answered" and e.get("value") in ("yes", "no") for e in answers)
