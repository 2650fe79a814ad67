"""``crisis-triage validate``: exit 0 when valid, 1 otherwise, one line per problem, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from protocol_edits import edit, line_of

from crisis_triage.cli import cli


@pytest.fixture(scope="session")
def boston_text(boston_2026_11_text):
    """These tests edit exact lines of the protocol: the frozen 2026.11.1 text."""
    return boston_2026_11_text


BOSTON_PATH = Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml"


def run(*args: str):
    result = CliRunner().invoke(cli, ["validate", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def test_the_shipped_protocol_is_valid():
    result = run(str(BOSTON_PATH))
    assert result.exit_code == 0
    assert result.output.strip() == f"{BOSTON_PATH}: valid"


def test_quiet_prints_nothing_for_a_valid_file():
    result = run("-q", str(BOSTON_PATH))
    assert (result.exit_code, result.output) == (0, "")


def test_one_line_per_problem_and_exit_1(tmp_path, boston_text):
    text = edit(
        boston_text,
        ('        when: weapon == "yes"\n', '        when: wepon == "yes"\n'),
        ("      recommend: emergency_medical\n", "      recommend: emergency_medicl\n"),
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run(str(broken), str(BOSTON_PATH))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{broken}:{line_of(text, 'wepon')}:") and "error[bad-condition]" in lines[0]
    assert lines[1].startswith(f"{broken}:{line_of(text, 'emergency_medicl')}:18: error[unknown-reference]")
    assert lines[2] == f"{BOSTON_PATH}: valid"
    assert f"{broken}: 2 errors" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.yaml", b"", "error[empty]"),
        ("blank.yaml", b"\n\n# only a comment\n", "error[empty]"),
        ("list.yaml", b"- a\n- b\n", "a protocol is a mapping"),
        ("scalar.yaml", b"just words\n", "a protocol is a mapping"),
        ("binary.yaml", bytes(range(256)) * 4, "error[encoding]"),
        ("latin1.yaml", "protocol:\n  title: caf\u00e9\n".encode("latin-1"), "error[encoding]"),
        ("tabs.yaml", b"protocol:\n\tid: x\n", "error[yaml-syntax]"),
    ],
)
def test_bad_files_give_one_line_and_exit_1(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert expected in result.stdout


def test_latin1_error_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("protocol:\n  id: x\n  title: caf\u00e9\n".encode("latin-1"))
    assert f"{path}:3:13: error[encoding]" in run(str(path)).stdout


def test_missing_file_and_directory(tmp_path):
    missing = run(str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "cannot read the protocol file: No such file or directory" in missing.stdout
    directory = run(str(tmp_path))
    assert directory.exit_code == 1 and "cannot read the protocol file: it is a folder" in directory.stdout


def test_no_file_at_all_is_a_usage_error():
    assert run().exit_code == 2
