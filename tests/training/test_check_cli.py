"""``crisis-triage scenarios check`` and ``train --list``: the regression suite guarding the protocol."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from crisis_triage.cli import cli
from crisis_triage.training.runner import check_scenario, play_perfect

SCENARIOS = Path(__file__).resolve().parents[2] / "protocols" / "scenarios"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_passes_on_the_shipped_library(library):
    result = run("scenarios", "check")
    assert result.exit_code == 0, result.output
    assert "DIFFERS" not in result.output and "ERROR" not in result.output
    for scenario in library.scenarios:
        assert scenario.id in result.output
    assert f"{len(library.scenarios)} scenarios against boston_mh_crisis" in result.output


def test_a_disputed_scenario_is_reported_with_its_reason_but_does_not_fail(tmp_path):
    text = (SCENARIOS / "knife_in_kitchen.yaml").read_text(encoding="utf-8")
    disputed = text.replace(
        "  recommendation: police_emergency\n",
        "  recommendation: co_response\n  disputed: The trainer believes a clinician must go too\n",
    )
    (tmp_path / "knife.yaml").write_text(disputed, encoding="utf-8")
    result = run("scenarios", "check", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "knife_in_kitchen disputed: recommendation: expected co_response, got police_emergency" in result.output
    assert "why disputed: The trainer believes a clinician must go too" in result.output
    assert "1 disputed" in result.output
    # Marked disputed but matching: the check says the mark can go.
    resolved = text.replace("  band: imminent\n", "  band: imminent\n  disputed: Was wrong once\n")
    (tmp_path / "knife.yaml").write_text(resolved, encoding="utf-8")
    result = run("scenarios", "check", str(tmp_path))
    assert result.exit_code == 0 and "remove expect.disputed" in result.output


def test_check_fails_on_a_protocol_edited_to_break_one_scenario(tmp_path, boston_text):
    # The community-led pilot stops at 14:00: the 15:00 lonely caller now falls back.
    edited = boston_text.replace('hours: "10:00-22:00"', 'hours: "10:00-14:00"')
    assert edited != boston_text
    protocol = tmp_path / "boston-edited.yaml"
    protocol.write_text(edited, encoding="utf-8")
    # Every other shipped call, less the two other afternoon community-led calls the edit also (rightly) changes.
    also_changed = {"library_staff_need_someone_in_person.yaml", "no_police_honoured.yaml"}
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for path in SCENARIOS.glob("*.yaml"):
        if path.name not in also_changed:
            shutil.copy(path, folder / path.name)
    assert (folder / "lonely_evening_wants_visit.yaml").exists() and len(list(folder.glob("*.yaml"))) > 10
    result = run("scenarios", "check", "--protocol", str(protocol), str(folder))
    assert result.exit_code == 1, result.output
    failing = [line for line in result.output.splitlines() if "DIFFERS" in line]
    assert len(failing) == 1 and failing[0].startswith("lonely_evening_wants_visit")
    assert (
        "lonely_evening_wants_visit differs: recommendation: expected community_led, got alternative_response"
        in result.output
    )
    assert "1 differ" in result.output


def test_check_fails_on_a_bad_scenario_file_with_its_position(tmp_path):
    shutil.copy(SCENARIOS / "knife_in_kitchen.yaml", tmp_path / "knife.yaml")
    text = (SCENARIOS / "panic_wants_to_talk.yaml").read_text(encoding="utf-8")
    (tmp_path / "panic.yaml").write_text(text.replace("means: phone", "means: phon"), encoding="utf-8")
    result = run("scenarios", "check", str(tmp_path))
    assert result.exit_code == 1
    # click's runner shows stderr and stdout together in .output, as a terminal does.
    assert "panic.yaml:" in result.output and 'did you mean "phone"' in result.output


def test_check_on_an_empty_folder_fails_clearly(tmp_path):
    result = run("scenarios", "check", str(tmp_path))
    assert result.exit_code == 1 and "no scenario files" in result.output


def test_a_scenario_whose_caller_cannot_answer_a_required_question_is_an_error(tmp_path, boston, library):
    text = (SCENARIOS / "panic_wants_to_talk.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("location:"))
    (tmp_path / "panic.yaml").write_text(text, encoding="utf-8")
    result = run("scenarios", "check", str(tmp_path))
    assert result.exit_code == 1
    assert "could not be played" in result.output and "script.answers.location" in result.output


def test_the_perfect_run_is_deterministic(boston, scenario):
    knife = scenario("knife_in_kitchen")
    assert play_perfect(boston, knife).events == play_perfect(boston, knife).events
    assert check_scenario(boston, knife).status == "ok"


def test_train_list_filters_by_tag_and_difficulty(library):
    result = run("train", "--list", "--tag", "spanish")
    assert result.exit_code == 0
    spanish = [s.id for s in library.scenarios if "spanish" in s.meta.tags]
    assert len(spanish) >= 3 and all(s in result.output for s in spanish)
    assert "knife_in_kitchen" not in result.output
    result = run("train", "--list", "--difficulty", "advanced")
    advanced = [s.id for s in library.scenarios if s.meta.difficulty == "advanced"]
    assert all(s in result.output for s in advanced) and f"{len(advanced)} scenario(s)" in result.output


def test_train_names_an_unknown_scenario_with_did_you_mean():
    result = run("train", "knife_in_kitchn")
    assert result.exit_code == 2 and 'did you mean "knife_in_kitchen"' in result.output


def test_train_exam_larger_than_the_pool_is_refused():
    result = run("train", "--exam", "5", "--tag", "spanish", "--difficulty", "beginner")
    assert result.exit_code == 2 and "only" in result.output


def test_train_history_with_no_sessions_says_so():
    result = run("train", "--history", "--trainee", "nobody")
    assert result.exit_code == 0 and "No practice calls recorded for nobody" in result.output


def test_nothing_named_means_the_picker(boston, library):
    from crisis_triage.cli.training import _pick

    assert _pick(boston, library, (), (), None, False, None, None) == []


def test_random_and_exam_picks_follow_filters_and_seed(boston, library):
    from crisis_triage.cli.training import _pick

    exam = _pick(boston, library, (), ("spanish",), None, False, 3, 7)
    assert len(exam) == 3 and len({s.id for s in exam}) == 3 and all("spanish" in s.meta.tags for s in exam)
    assert [s.id for s in exam] == [s.id for s in _pick(boston, library, (), ("spanish",), None, False, 3, 7)]
    (one,) = _pick(boston, library, (), (), "advanced", True, None, 1)
    assert one.meta.difficulty == "advanced"
    named = _pick(
        boston, library, ("knife_in_kitchen", str(SCENARIOS / "panic_wants_to_talk.yaml")), (), None, False, None, None
    )
    assert [s.id for s in named] == ["knife_in_kitchen", "panic_wants_to_talk"]


def test_the_schema_command_prints_a_schema_every_shipped_scenario_satisfies(tmp_path):
    import json

    import jsonschema

    from crisis_triage.protocol.yaml_source import load_yaml

    out = tmp_path / "schema" / "scenario.schema.json"
    out.parent.mkdir()  # commands write into existing folders only (they never create folders)
    result = run("scenarios", "schema", "-o", str(out))
    assert result.exit_code == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), str(path))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], (path.name, errors)
    bad = {"scenario": {"id": "x", "title": "t", "learning_goals": ["g"]}}
    assert list(validator.iter_errors(bad))  # caller, call and expect are required


def test_headless_training_never_imports_textual():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from crisis_triage.cli import cli\n"
        "from crisis_triage.training import caller, grading, history, library, report, runner, scenario, tables\n"
        "import crisis_triage.cli.training\n"
        "try:\n    cli.main(['scenarios', 'check'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "assert 'textual' not in sys.modules, 'textual was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
