"""Mutation fuzzing of everything that reads untrusted input: seeds, mutators and one runner.

A mutant is a seed file (the shipped protocol, a shipped scenario, a good calls line, a config)
changed by one to four edits drawn from an author's slips and from known attacks (huge numbers,
alias bombs, deep nesting, bytes that are not UTF-8, lone surrogates, template and condition
payloads). The runner feeds each mutant to its reader and classifies the outcome:

* ``accepted`` or ``problem``: the reader answered (a problem must carry a line when it is about a place);
* ``escaped``: any other exception came out of the reader (a crash a user would see);
* ``slow``: the reader took longer than the budget for one file (``hang`` when a timer had to stop it).

Used by the fuzz tests (short runs, and a longer run behind the ``fuzz_long`` marker) and by
``python3 bench/fuzz.py``, which prints the counts issue 10 asks for.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOSTON_PATH = ROOT / "protocols" / "boston-mh-crisis.yaml"
SCENARIO_DIR = ROOT / "protocols" / "scenarios"
#: Seconds one file may take before it counts as slow (a hang is stopped at HANG_SECONDS).
SLOW_SECONDS = 10.0
HANG_SECONDS = 60.0
#: Peak memory any run may reach.
MEMORY_BUDGET_MB = 500

#: What an author's slip puts into a line.
AUTHOR_SLIPS = [
    "",
    " ",
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
    "%}",
    "1e999",
    "-1",
    "weapon",
    "band",
    "null",
    "!!python/object/apply:os.system ['true']",
    "\u00e9",
    "\x00",
    "\ufeff",
]
#: What an attacker puts into a line.
ATTACKS = [
    "\ud800",
    "\\ud800",
    "1" * 4301,
    "9" * 80,
    "[" * 500,
    "{" * 500,
    "a: " * 200,
    "x" * 100_000,
    "{{ service | center(2000000000) }}",
    "{{ service | replace('', service) | replace('', service) }}",
    "{{ ''.__class__.__mro__ }}",
    "{% for a in notes %}{% for b in notes %}x{% endfor %}{% endfor %}",
    "weapon < violence",
    "location < caller_name",
    "weapon == yes",
    "__import__('os')",
    "(" * 100,
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-12:00",
]
SLIPS = AUTHOR_SLIPS + ATTACKS


def _alias_bomb(rng: random.Random) -> str:
    width = rng.choice([10, 100, 1000, 3000])
    inner = ", ".join(["*q"] * width)
    outer = ", ".join(["*s"] * width)
    return f"q0: &q {{id: q, ask: x}}\ns0: &s {{id: s, title: t, questions: [{inner}]}}\nbomb: [{outer}]"


def mutate_text(text: str, rng: random.Random, edits: int | None = None, *, attacks: bool = True) -> str:
    """``text`` with one to four edits (lines deleted, duplicated, moved, re-indented, slips inserted).

    Without ``attacks`` only an author's slips: no alias bombs, huge values or hostile payloads (the
    loader's quick property test in tests/protocol/test_loader_fuzz.py)."""
    slips = SLIPS if attacks else AUTHOR_SLIPS
    actions = ["delete", "duplicate", "insert", "replace", "replace", "indent", "dedent", "swap", "bomb", "value"]
    if not attacks:
        actions.remove("bomb")
    lines = text.splitlines()
    for _ in range(edits or rng.randint(1, 4)):
        if not lines:
            lines = [""]
        index = rng.randrange(len(lines))
        line = lines[index]
        action = rng.choice(actions)
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "insert":
            lines.insert(index, rng.choice(slips))
        elif action == "replace":
            start = rng.randint(0, len(line))
            end = rng.randint(start, len(line))
            lines[index] = line[:start] + rng.choice(slips) + line[end:]
        elif action == "indent":
            lines[index] = "  " + line
        elif action == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        elif action == "swap":
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], line
        elif action == "bomb":
            lines.insert(index if line.startswith((" ", "-")) is False else 0, _alias_bomb(rng))
        else:  # a value after the first ": " replaced by a slip
            if ": " in line:
                head = line.split(": ", 1)[0]
                lines[index] = f"{head}: {rng.choice(slips)}"
    return "\n".join(lines) + "\n"


def mutate_bytes(text: str, rng: random.Random) -> bytes:
    """A text mutant as bytes; one in ten also gets bytes that are not UTF-8 on a random line."""
    data = mutate_text(text, rng).encode("utf-8", errors="surrogatepass")
    if rng.random() < 0.1 and data:
        at = rng.randrange(len(data))
        data = data[:at] + rng.choice([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80"]) + data[at:]
    return data


# -- poisoned calls lines ------------------------------------------------------------------------
POISON_VALUES = [
    int("1" * 300),
    "1" * 4301,
    [[["voices"]]],
    {"a": {"b": {}}},
    None,
    True,
    -1,
    1e308,
    "\ud800",
    "x" * 10_000,
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-12:00",
    [],
    {},
    "",
    "yes",
    "weapon",
]


def poison_line(seed_call: dict, rng: random.Random) -> str:
    """One calls line, poisoned: a field replaced by a hostile value, or the text itself broken."""
    call = json.loads(json.dumps(seed_call))
    kind = rng.randrange(6)
    if kind == 0:
        field_name = rng.choice(["id", "door", "line", "district", "language", "at", "answers", "interrupts", "tags"])
        call[field_name] = rng.choice(POISON_VALUES)
    elif kind == 1 and call.get("answers"):
        question = rng.choice(sorted(call["answers"]))
        call["answers"][question] = rng.choice(POISON_VALUES)
    elif kind == 2:
        depth = rng.choice([10, 40, 500, 5000])
        return json.dumps({**call, "tags": []})[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    elif kind == 3:
        text = json.dumps(call)
        start = rng.randrange(len(text))
        return (
            text[:start] + rng.choice(['"', "}", "{", ",", "NaN", "1" * 4301, "\\ud800", '"id": "dup"']) + text[start:]
        )
    elif kind == 4:
        call[rng.choice(["extra", "answers"])] = {"weapon": rng.choice(POISON_VALUES)}
    else:
        return json.dumps(call)[: rng.randrange(1, 50)]
    return json.dumps(call, ensure_ascii=rng.random() < 0.5)


# -- the runner -----------------------------------------------------------------------------------
class _Hang(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Hang


@dataclass
class Tally:
    """Outcomes of one fuzz run."""

    target: str
    cases: int = 0
    outcomes: Counter = field(default_factory=Counter)
    escaped: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)
    slowest: float = 0.0

    @property
    def hangs(self) -> int:
        return self.outcomes["hang"] + self.outcomes["slow"]

    def line(self) -> str:
        return (
            f"{self.target:<22} {self.cases:>7,} mutants  escaped {len(self.escaped):>3}  unlocated "
            f"{len(self.unlocated):>3}  hangs {self.hangs:>3}  slowest {self.slowest:6.2f} s  "
            f"(accepted {self.outcomes['accepted']:,}, problems {self.outcomes['problem']:,})"
        )


def run(
    target: str, cases: Iterator[object], check: Callable[[object], list], expected: tuple[type[BaseException], ...]
) -> Tally:
    """Feed every case to ``check``; it returns the problems found (each with a ``line`` attribute or
    a line in its text), or raises one of ``expected`` carrying them in ``.problems``."""
    tally = Tally(target)
    use_alarm = hasattr(signal, "SIGALRM")
    previous = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    try:
        for case in cases:
            tally.cases += 1
            started = time.perf_counter()
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
            try:
                problems = check(case)
                outcome = "problem" if problems else "accepted"
            except _Hang:
                outcome, problems = "hang", []
            except expected as exc:
                outcome, problems = "problem", list(getattr(exc, "problems", ()) or [exc])
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome, problems = "escaped", []
                tally.escaped.append(
                    f"{type(exc).__name__}: {str(exc)[:200]}\n{_where(exc)}\ncase: {str(case)[:300]!r}"
                )
            finally:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - started
            tally.slowest = max(tally.slowest, elapsed)
            if outcome != "hang" and elapsed > SLOW_SECONDS:
                outcome = "slow"
            tally.outcomes[outcome] += 1
            for problem in problems:
                if not _located(problem):
                    tally.unlocated.append(f"{problem} (case {str(case)[:200]!r})")
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
    return tally


def _located(problem: object) -> bool:
    line = getattr(problem, "line", None)
    if line is not None:
        return isinstance(line, int) and line >= 1
    return True  # a message without a place (a whole-file problem such as "not a regular file")


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames[-4:]))


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# -- the targets: one reader each, and how to build its cases ------------------------------------
def boston_text() -> str:
    return BOSTON_PATH.read_text(encoding="utf-8")


def protocol_cases(count: int, seed: int = 1) -> Iterator[bytes]:
    """``count`` mutants of the shipped protocol, as file bytes."""
    text = boston_text()
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate_bytes(text, rng)


class ProtocolTarget:
    """Load a protocol mutant as ``validate`` does; when it loads, replay a few calls through it (and
    write the results as UTF-8 JSON), since a protocol that validates must not crash the commands
    that use it."""

    name = "protocol loader"

    def __init__(self) -> None:
        from crisis_triage.protocol import ProtocolError, load_protocol
        from crisis_triage.replay.generate_calls import generate_calls

        self.expected = (ProtocolError,)
        self.calls = [json.dumps(c) for c in generate_calls(load_protocol(BOSTON_PATH), 6, seed=5)]

    def __call__(self, data: bytes) -> list:
        from crisis_triage.protocol.loader import parse_protocol
        from crisis_triage.replay.calls import replay_lines
        from crisis_triage.untrusted import UntrustedInputError, decode_utf8

        try:
            text = decode_utf8(data)
        except UntrustedInputError as exc:
            return [exc]
        protocol = parse_protocol(text, "mutant.yaml")
        for result in replay_lines(protocol, self.calls):
            json.dumps(result, ensure_ascii=False, default=str).encode("utf-8")
        return []


def scenario_cases(count: int, seed: int = 1) -> Iterator[bytes]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SCENARIO_DIR.glob("*.yaml"))]
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate_bytes(rng.choice(texts), rng)


class ScenarioTarget:
    """Read a scenario mutant and check it against the shipped protocol, as ``scenarios check`` does."""

    name = "scenario loader"

    def __init__(self) -> None:
        from crisis_triage.protocol import load_protocol
        from crisis_triage.training.library import ScenarioError

        self.expected = (ScenarioError,)
        self.protocol = load_protocol(BOSTON_PATH)

    def __call__(self, data: bytes) -> list:
        from crisis_triage.training.library import check_against, parse_scenario
        from crisis_triage.untrusted import UntrustedInputError, decode_utf8

        try:
            text = decode_utf8(data)
        except UntrustedInputError as exc:
            return [exc]
        scenario = parse_scenario(text, "mutant.yaml")
        return [p for p in check_against(scenario, self.protocol) if p.severity == "error"]


def replay_cases(count: int, seed: int = 1) -> Iterator[str]:
    from crisis_triage.protocol import load_protocol
    from crisis_triage.replay.generate_calls import generate_calls

    calls = list(generate_calls(load_protocol(BOSTON_PATH), 20, seed=seed))
    rng = random.Random(seed)
    for _ in range(count):
        yield poison_line(rng.choice(calls), rng)


class ReplayTarget:
    """A poisoned line between two good ones, through replay and through import: the good lines are
    always processed, the poisoned one is a result or a BadLine with its number, and every result can
    be written out as UTF-8 JSON."""

    name = "replay + import readers"
    expected: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        from crisis_triage.protocol import load_protocol
        from crisis_triage.replay.generate_calls import generate_calls

        self.protocol = load_protocol(BOSTON_PATH)
        self.good = [json.dumps(c) for c in generate_calls(self.protocol, 2, seed=9)]

    def __call__(self, line: str) -> list:
        from crisis_triage.replay.calls import BadLine, replay_lines
        from crisis_triage.store.import_calls import ImportResult, imported_records

        lines = [self.good[0], line, self.good[1]]
        results = list(replay_lines(self.protocol, lines))
        bad = [r for r in results if isinstance(r, BadLine)]
        for result in results:
            if not isinstance(result, BadLine):
                json.dumps(result, ensure_ascii=False).encode("utf-8")
        if len(results) != 3 or any(b.line != 2 for b in bad):
            raise AssertionError(f"the good lines were not all processed: {results}")
        imported = ImportResult()
        calls = list(imported_records(self.protocol, lines, result=imported))
        if len(calls) + len(imported.bad) != 3:
            raise AssertionError("import lost a line")
        for records in calls:
            for _meta, stored in records:
                json.dumps(stored.event.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
        return bad + imported.bad


CONFIG_SEED = """console_id = "console-3"
call_taker_id = "ct-17"
district = "B2"
language = "es"
retention_days = 2555
theme = "crisis-high-contrast"
store = ""

[keys]
interrupt = "f2"
notes = "ctrl+n"
"""
ENV_POISON = ["[" * 5000, "1" * 5000, '{"a": ' + "1" * 5000 + "}", '{"a": "\\ud800"}', '{"a": 1, "a": 2}', "{", ""]


def config_cases(count: int, seed: int = 1) -> Iterator[tuple[bytes, str | None]]:
    """(config file bytes, a CRISIS_TRIAGE_KEYS value or None)."""
    rng = random.Random(seed)
    for _ in range(count):
        env = rng.choice(ENV_POISON) if rng.random() < 0.3 else None
        yield mutate_bytes(CONFIG_SEED, rng), env


class ConfigTarget:
    """Read a config mutant and an environment value the way every command does."""

    name = "config + environment"

    def __init__(self, folder: Path) -> None:
        from pydantic import ValidationError

        from crisis_triage.config import SettingsError

        self.folder = folder
        self.expected = (SettingsError, ValidationError)

    def __call__(self, case: tuple[bytes, str | None]) -> list:
        import os

        from crisis_triage.config import Settings, env_values, file_values, settings_problems

        data, env = case
        path = self.folder / "config.toml"
        path.write_bytes(data)
        values = file_values(path)
        saved = os.environ.get("CRISIS_TRIAGE_KEYS")
        try:
            if env is not None:
                os.environ["CRISIS_TRIAGE_KEYS"] = env
            values.update(env_values(Settings.model_fields))
        finally:
            if saved is None:
                os.environ.pop("CRISIS_TRIAGE_KEYS", None)
            else:
                os.environ["CRISIS_TRIAGE_KEYS"] = saved
        settings = Settings.model_validate(values)
        return settings_problems(settings)


TEMPLATE_PIECES = [
    "{{ service }}",
    "{{ caller_name or 'Thank you' }}",
    "{{ notes | join(', ') }}",
    "{{ facts | length }}",
    "{{ service | center(20000) }}",
    "{{ service | replace('', service) }}",
    "{{ service | replace('', 'ab') }}",
    "{{ service | truncate(10) }}",
    "{{ answers.location }}",
    "{{ score | round }}",
    "{{ caller_name | int }}",
    "{% for n in notes %}{{ n }}{% endfor %}",
    "{% for c in service | center(20000) %}{{ service }}{% endfor %}",
    "{% if band == 'high' %}x{% endif %}",
    "{{ service ~ service ~ service }}",
    "{{ team | upper }}",
    "{{ service | center(2000000000) }}",
    "{{ ''.__class__ }}",
    "{{ lipsum() }}",
    "{% set x = 1 %}",
    "{{ notes | join(service | center(20000)) }}",
    "{{ facts | sort | unique | list | join }}",
    " text ",
    "{{",
]
TEMPLATE_VALUES = {
    "service": "the Boston line",
    "caller_name": "Rosa",
    "location": "42 Dakota St",
    "door": "family",
    "line": "911",
    "district": "B2",
    "district_name": "Roxbury",
    "language": "en",
    "band": "high",
    "score": 7,
    "suicide_level": "",
    "facts": ["weapon present"] * 40,
    "recommendation": "co-response",
    "team": "police",
    "answers": {"location": "x" * 5000},
    "notes": ["call back on 617-555-0134"] * 200,
}


def template_cases(count: int, seed: int = 1) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(TEMPLATE_PIECES) for _ in range(rng.randint(1, 6)))


class TemplateTarget:
    """Compile a template as the loader does; when it compiles, render it with a call's values."""

    name = "template renderer"

    def __init__(self) -> None:
        from crisis_triage.protocol.templates import TemplateProblem

        self.expected = (TemplateProblem,)

    def __call__(self, text: str) -> list:
        from crisis_triage.protocol.templates import MAX_OUTPUT, compile_template, render

        template = compile_template(text, ["location", "caller_name"])
        rendered = render(template, TEMPLATE_VALUES)
        if len(rendered) > MAX_OUTPUT + 200:
            raise AssertionError(f"rendered {len(rendered):,} characters")
        return []


def fuzz(target, cases) -> Tally:
    """Run one target over its cases."""
    return run(target.name, cases, target, target.expected)
