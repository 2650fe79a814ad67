"""Whatever an author's slip does to the file, the loader answers with problems, never a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from crisis_triage.protocol import ProtocolError, parse_protocol

BOSTON_TEXT = (Path(__file__).resolve().parents[2] / "protocols" / "boston-mh-crisis.yaml").read_text(encoding="utf-8")
LINES = BOSTON_TEXT.splitlines()

SLIPS = st.sampled_from(
    [
        "",
        " ",
        "  ",
        ":",
        "- ",
        "{",
        "}",
        "[",
        "]",
        '"',
        "'",
        "#",
        "yes",
        "no",
        "on",
        "~",
        "&a",
        "*a",
        "<<: {}",
        "\t",
        "==",
        "=",
        " and ",
        " or ",
        "(",
        ")",
        "__class__",
        "{{",
        "}}",
        "{%",
        "1e999",
        "-1",
        "weapon",
        "band",
        "null",
        "!!python/object:os.system",
        "\u00e9",
        "\x00",
        "\ufeff",
    ]
)


@st.composite
def edited(draw) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace_text", "indent", "dedent"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "insert":
            lines.insert(index, draw(SLIPS))
        elif action == "replace_text":
            start = draw(st.integers(0, len(line)))
            end = draw(st.integers(start, len(line)))
            lines[index] = line[:start] + draw(SLIPS) + line[end:]
        elif action == "indent":
            lines[index] = "  " + line
        else:
            lines[index] = line[2:] if line.startswith("  ") else line
        if not lines:
            break
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_a_broken_copy_gives_problems_with_locations_never_an_exception(text):
    try:
        parse_protocol(text, "boston.yaml")
    except ProtocolError as exc:
        assert exc.problems
        lines = text.count("\n") + 1
        for problem in exc.problems:
            assert problem.code and problem.message
            assert 0 <= problem.line <= lines + 1, str(problem)
            assert str(problem).startswith("boston.yaml")
