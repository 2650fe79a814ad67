"""Load scenario files with file:line:column errors and check them against a protocol.

Loading uses the protocol's YAML reader (:func:`crisis_triage.protocol.yaml_source.load_yaml`), so
scenarios get the same safeguards (``no`` stays text, a key written twice is an error) and the same
:class:`~crisis_triage.protocol.errors.Problem` values. References to the protocol (doors, question
ids, option ids, interrupts, models, roles, handoff steps) are checked by :func:`check_against`, with
"did you mean" for near-misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from ..protocol.compiled import CompiledQuestion, Protocol
from ..protocol.errors import Path, Problem, capped, did_you_mean
from ..protocol.schema_errors import model_field_names, schema_problem
from ..protocol.yaml_source import SourceMap, YamlSourceError, load_yaml
from ..untrusted import INPUT_FAILURES, UntrustedInputError, decode_utf8, describe_failure, read_bounded
from . import scenario as models
from .scenario import ScenarioDocument

SCENARIO_SUFFIXES = (".yaml", ".yml")


class ScenarioError(Exception):
    """A scenario that cannot be used; carries every problem found, each with file:line:column."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Scenario:
    """A schema-valid scenario and where its values sit in its file."""

    document: ScenarioDocument
    file: str
    source: SourceMap

    @property
    def id(self) -> str:
        return self.document.scenario.id

    @property
    def title(self) -> str:
        return self.document.scenario.title

    @property
    def meta(self) -> models.ScenarioMeta:
        return self.document.scenario


# -- schema ----------------------------------------------------------------------------------------

_FIELD_NAMES = model_field_names(models)


_UNION_MEMBERS = ("str", "float", "int", "none", "list[str]", "list[union[str,list[str]]]")


def _schema_problems(errors: Sequence[Mapping[str, Any]], source: SourceMap) -> list[Problem]:
    """One problem per place: a value that fits none of a union's shapes is one mistake, not four."""
    problems: list[Problem] = []
    union_seen: set[tuple] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if any(isinstance(part, str) and part.replace(" ", "").lower() in _UNION_MEMBERS for part in loc):
            place = tuple(p for p in loc if not (isinstance(p, str) and p.replace(" ", "").lower() in _UNION_MEMBERS))
            if place in union_seen:
                continue
            union_seen.add(place)
            message = (
                "expected an answer: an option id such as yes, a list of option ids [a, b], a number, text, or null"
            )
            if isinstance(error.get("input"), dict):
                message += ' (a ": " inside the text makes YAML read it as key: value; put the text in quotes)'
            problems.append(source.problem("schema", message, place))
            continue
        problems.append(schema_problem(error, source, _FIELD_NAMES))
    return problems


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """Check a scenario's YAML and schema; raise :class:`ScenarioError` listing every problem."""
    try:
        return _parse_scenario(text, file)
    except ScenarioError:
        raise
    except INPUT_FAILURES as exc:  # a limit of a library we use, reached by hostile input
        raise ScenarioError([Problem("unreadable", describe_failure(exc), file, 1, 1)]) from None


def _parse_scenario(text: str, file: str) -> Scenario:
    try:
        data, source = load_yaml(text, file)
    except YamlSourceError as exc:
        raise ScenarioError(list(exc.problems)) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem("schema", "a scenario is a mapping with scenario:, caller:, call:, script:, expect:", file, 1, 1)]
        )
    try:
        document = ScenarioDocument.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(capped(_sorted(_schema_problems(exc.errors(include_url=False), source)))) from None
    return Scenario(document, file, source)


def load_scenario(path: str | FilePath, protocol: Protocol | None = None) -> Scenario:
    """Read a scenario file; with ``protocol``, also check every reference to it.

    Raises :class:`ScenarioError` (never anything else) with every problem found.
    """
    path = FilePath(path)
    try:
        text = decode_utf8(read_bounded(path, what="scenario file"), "file")
    except UntrustedInputError as exc:
        code = "encoding" if exc.line else "unreadable"
        raise ScenarioError([Problem(code, exc.message, str(path), exc.line, exc.column)]) from None
    scenario = parse_scenario(text, str(path))
    if protocol is not None:
        problems = [p for p in check_against(scenario, protocol) if p.severity == "error"]
        if problems:
            raise ScenarioError(problems)
    return scenario


def scenario_files(directory: str | FilePath) -> list[FilePath]:
    """Scenario files in a folder (not its subfolders), sorted by name."""
    folder = FilePath(directory)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SCENARIO_SUFFIXES)


@dataclass(frozen=True)
class Library:
    """Every scenario of a folder that loaded, and the problems of those that did not."""

    scenarios: tuple[Scenario, ...]
    problems: tuple[Problem, ...]

    def by_id(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def filter(self, tags: Iterable[str] = (), difficulty: str | None = None) -> list[Scenario]:
        """Scenarios carrying every tag in ``tags`` and, when given, of that difficulty."""
        wanted = set(tags)
        return [
            s
            for s in self.scenarios
            if wanted <= set(s.meta.tags) and (difficulty is None or s.meta.difficulty == difficulty)
        ]


def load_library(directory: str | FilePath, protocol: Protocol | None = None) -> Library:
    """Load every scenario in ``directory``; a bad file is reported, the others still load.

    Two files with the same scenario id are a problem (ids name scenarios on the command line).
    """
    folder = FilePath(directory)
    if not folder.is_dir():
        return Library((), (Problem("unreadable", "not a folder of scenario files", str(folder)),))
    loaded: list[Scenario] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in scenario_files(folder):
        try:
            scenario = load_scenario(path, protocol)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if scenario.id in seen:
            line, column = scenario.source.locate(("scenario", "id"))
            problems.append(
                Problem(
                    "duplicate-id",
                    f'scenario id "{scenario.id}" is also used by {seen[scenario.id]}',
                    scenario.file,
                    line,
                    column,
                    ("scenario", "id"),
                )
            )
            continue
        seen[scenario.id] = path.name
        loaded.append(scenario)
    return Library(tuple(loaded), tuple(problems))


# -- references to the protocol --------------------------------------------------------------------


class _Checker:
    def __init__(self, scenario: Scenario, protocol: Protocol):
        self.scenario = scenario
        self.protocol = protocol
        self.problems: list[Problem] = []

    def error(
        self, message: str, path: Path, code: str = "unknown-reference", *, key: bool = False, severity: str = "error"
    ) -> None:
        self.problems.append(self.scenario.source.problem(code, message, path, key=key, severity=severity))

    def reference(self, value: str | None, known: Iterable[str], what: str, path: Path, *, key: bool = False) -> bool:
        if value is None:
            return True
        known = list(known)
        if value in known:
            return True
        listing = f"; expected one of {', '.join(known)}" if len(known) <= 12 else ""
        self.error(f'the protocol has no {what} "{value}"{did_you_mean(value, known)}{listing}', path, key=key)
        return False

    def meant(self, question: CompiledQuestion, value: Any, path: Path) -> None:
        """``value`` must be an answer ``question`` can take (None means "skip")."""
        if value is None:
            if question.spec.required:
                self.error(
                    f'"{question.id}" is required and cannot be skipped: say what the caller means '
                    "(unknown when they cannot say)",
                    path,
                    "bad-answer",
                )
            return
        options = [o.id for o in question.options]
        if question.type in ("yes_no", "choice"):
            if not isinstance(value, str) or value not in options:
                self.error(
                    f'"{value}" is not an answer to "{question.id}"{did_you_mean(str(value), options)}; '
                    f"expected one of {', '.join(options)}",
                    path,
                    "bad-answer",
                )
        elif question.type == "multi":
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list):
                self.error(f'"{question.id}" takes a list of options ({", ".join(options)})', path, "bad-answer")
                return
            for i, item in enumerate(values):
                if item not in options:
                    self.error(
                        f'"{item}" is not an option of "{question.id}"{did_you_mean(str(item), options)}; '
                        f"expected some of {', '.join(options)}",
                        path + ((i,) if not isinstance(value, str) else ()),
                        "bad-answer",
                    )
        elif question.type == "number":
            if isinstance(value, (list, bool)) or not isinstance(value, (int, float)):
                self.error(f'"{question.id}" takes a number', path, "bad-answer")
        elif not isinstance(value, str):
            self.error(f'"{question.id}" takes text', path, "bad-answer")

    def run(self) -> list[Problem]:
        doc = self.scenario.document
        protocol = self.protocol
        if doc.scenario.protocol and doc.scenario.protocol != protocol.id:
            self.error(
                f'written for protocol "{doc.scenario.protocol}", checked against "{protocol.id}"',
                ("scenario", "protocol"),
                "other-protocol",
                severity="warning",
            )
        self.reference(doc.caller.language, protocol.languages, "language", ("caller", "language"))
        call = doc.call
        self.reference(call.door, protocol.doors, "door", ("call", "door"))
        self.reference(call.line, [x.id for x in protocol.document.lines], "line", ("call", "line"))
        self.reference(call.district, protocol.districts, "district", ("call", "district"))
        for model in call.unavailable:
            self.reference(model, protocol.models, "response model", ("call", "unavailable", model), key=True)

        questions = protocol.question_by_id
        for qid, reply in doc.script.answers.items():
            path: tuple[str | int, ...] = ("script", "answers", qid)
            if not self.reference(qid, questions, "question", path, key=True):
                continue
            self.meant(questions[qid], reply.means, path + ("means",))
            for i, other in enumerate(reply.also_accept):
                self.meant(questions[qid], other, path + ("also_accept", i))

        interrupts = protocol.interrupts
        for i, volunteer in enumerate(doc.script.volunteers):
            path = ("script", "volunteers", i)
            self.reference(volunteer.after, questions, "question", path + ("after",))
            self.reference(volunteer.record, interrupts, "interrupt", path + ("record",))
            for j, other in enumerate(volunteer.also_accept):
                self.reference(other, interrupts, "interrupt", path + ("also_accept", j))
            for qid, value in volunteer.revise.items():
                if self.reference(qid, questions, "question", path + ("revise", qid), key=True):
                    self.meant(questions[qid], value, path + ("revise", qid))

        expect = doc.expect
        models_ = protocol.models
        self.reference(expect.recommendation, models_, "response model", ("expect", "recommendation"))
        for i, model in enumerate(expect.acceptable):
            self.reference(model, models_, "response model", ("expect", "acceptable", i))
        self.reference(expect.fallback_from, models_, "response model", ("expect", "fallback_from"))
        self.reference(expect.band, protocol.band_ids, "risk band", ("expect", "band"))
        for i, role in enumerate(expect.team_includes):
            self.reference(role, protocol.document.responses.roles, "role", ("expect", "team_includes", i))
        if expect.handoff_steps is not None:
            handoff = protocol.document.handoff
            steps = [s.id for s in handoff.steps] if handoff else []
            for i, step in enumerate(expect.handoff_steps):
                self.reference(step, steps, "handoff step", ("expect", "handoff_steps", i))
        return self.problems


def check_against(scenario: Scenario, protocol: Protocol) -> list[Problem]:
    """Every reference in ``scenario`` that ``protocol`` does not know, with file:line:column."""
    return _Checker(scenario, protocol).run()


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line, p.column))
