"""FHIR R4 export: the protocol as a Questionnaire, a completed call as a QuestionnaireResponse.

Mapping: a section is a ``group`` item; a question is an item whose ``linkId`` is the question id;
yes/no and choice questions are ``choice`` items with ``answerOption`` codings (multi: ``repeats``);
numbers are ``decimal``, text is ``string``. Risk points become the R4 ``ordinalValue`` extension on
each option's coding. A condition that is a plain comparison of earlier answers
(``weapon == "yes"``, ``took_substance != "no"``, ``"voices" in presentation``, ``count > 3``,
``answered(x)``, joined all by ``and`` or all by ``or``) becomes ``enableWhen``; any other condition
(facts, the band, the door) cannot be expressed there, so it is carried verbatim in an extension and
the item stays enabled: a FHIR form filler then asks it, never silently hides it. Translations use
the standard ``translation`` extension. Output is checked against the ``fhir.resources`` R4B models
(R4B's Questionnaire is R4's) when that package is installed (``pip install crisis-triage[export]``).
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from typing import Any

from ..engine.events_response import DispositionRecorded
from ..engine.session import CallSession
from ..protocol.compiled import CompiledQuestion, Protocol

BASE_URL = "https://crisis-triage.example/fhir"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
CONDITION_EXT = f"{BASE_URL}/StructureDefinition/ask-when"
DOORS_EXT = f"{BASE_URL}/StructureDefinition/ask-on-doors"
OUTCOME_EXT = f"{BASE_URL}/StructureDefinition/triage-outcome"


def fhir_id(text: str) -> str:
    """FHIR ids allow letters, digits, '-' and '.' (no '_'), at most 64 characters."""
    return "".join(c if c.isalnum() or c in "-." else "-" for c in text)[:64]


def answer_system(protocol: Protocol, question_id: str) -> str:
    return f"{BASE_URL}/CodeSystem/{fhir_id(protocol.id)}-{fhir_id(question_id)}"


def _translations(texts: dict[str, str]) -> dict[str, Any] | None:
    others = [(lang, text) for lang, text in texts.items() if lang != "en"]
    if not others:
        return None
    return {
        "extension": [
            {
                "url": TRANSLATION,
                "extension": [{"url": "lang", "valueCode": lang}, {"url": "content", "valueString": text}],
            }
            for lang, text in others
        ]
    }


_TYPES = {"yes_no": "choice", "choice": "choice", "multi": "choice", "number": "decimal", "text": "string"}


def _item(protocol: Protocol, question: CompiledQuestion) -> dict[str, Any]:
    spec = question.spec
    item: dict[str, Any] = {
        "linkId": question.id,
        "text": spec.ask["en"],
        "type": _TYPES[question.type],
        "required": spec.required,
    }
    translated = _translations(spec.ask)
    if translated:
        item["_text"] = translated
    if question.type == "multi":
        item["repeats"] = True
    if question.options:
        system = answer_system(protocol, question.id)
        options = []
        for option in question.options:
            coding: dict[str, Any] = {"system": system, "code": option.id, "display": option.label["en"]}
            points = question.risk.get(option.id)
            if points:
                coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": points}]
            options.append({"valueCoding": coding})
        item["answerOption"] = options
    extensions = []
    if question.when is not None:
        mapped = enable_when(protocol, question)
        if mapped is not None:
            item["enableWhen"], behavior = mapped
            if len(item["enableWhen"]) > 1:
                item["enableBehavior"] = behavior
        else:
            extensions.append({"url": CONDITION_EXT, "valueString": question.when.source})
    if question.doors is not None:
        extensions.append({"url": DOORS_EXT, "valueString": ", ".join(sorted(question.doors))})
    if extensions:
        item["extension"] = extensions
    return item


def enable_when(protocol: Protocol, question: CompiledQuestion) -> tuple[list[dict[str, Any]], str] | None:
    """``enableWhen`` entries and behaviour for a condition made of plain answer comparisons, else None."""
    if question.when is None:
        return None
    tree = ast.parse(question.when.source, mode="eval").body
    behavior = "all"
    parts = [tree]
    if isinstance(tree, ast.BoolOp):
        behavior = "all" if isinstance(tree.op, ast.And) else "any"
        parts = tree.values
    entries = []
    for part in parts:
        entry = _comparison(protocol, part)
        if entry is None:
            return None
        entries.append(entry)
    return entries, behavior


_OPS = {ast.Eq: "=", ast.NotEq: "!=", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}


def _comparison(protocol: Protocol, node: ast.AST) -> dict[str, Any] | None:
    questions = protocol.question_by_id
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "answered"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in questions
    ):
        return {"question": node.args[0].id, "operator": "exists", "answerBoolean": True}
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return None
    op, left, right = node.ops[0], node.left, node.comparators[0]
    if (
        isinstance(op, ast.In)
        and isinstance(left, ast.Constant)
        and isinstance(right, ast.Name)
        and right.id in questions
    ):
        return {
            "question": right.id,
            "operator": "=",
            "answerCoding": {"system": answer_system(protocol, right.id), "code": left.value},
        }
    if (
        type(op) not in _OPS
        or not isinstance(left, ast.Name)
        or left.id not in questions
        or not isinstance(right, ast.Constant)
    ):
        return None
    target = questions[left.id]
    if target.type in ("yes_no", "choice") and isinstance(right.value, str) and type(op) in (ast.Eq, ast.NotEq):
        return {
            "question": left.id,
            "operator": _OPS[type(op)],
            "answerCoding": {"system": answer_system(protocol, left.id), "code": right.value},
        }
    if target.type == "number" and isinstance(right.value, (int, float)) and not isinstance(right.value, bool):
        return {"question": left.id, "operator": _OPS[type(op)], "answerDecimal": right.value}
    if target.type == "text" and isinstance(right.value, str) and type(op) in (ast.Eq, ast.NotEq):
        return {"question": left.id, "operator": _OPS[type(op)], "answerString": right.value}
    return None


def questionnaire(protocol: Protocol) -> dict[str, Any]:
    """The protocol as a FHIR R4 Questionnaire (a JSON-ready dict), validated when fhir.resources is installed."""
    meta = protocol.document.protocol
    groups: list[dict[str, Any]] = []
    by_section: dict[str, dict[str, Any]] = {}
    for question in protocol.questions:
        section = question.section
        group = by_section.get(section.id)
        if group is None:
            group = {"linkId": f"section-{section.id}", "text": section.title["en"], "type": "group", "item": []}
            translated = _translations(section.title)
            if translated:
                group["_text"] = translated
            by_section[section.id] = group
            groups.append(group)
        group["item"].append(_item(protocol, question))
    document = {
        "resourceType": "Questionnaire",
        "id": fhir_id(protocol.id),
        "url": f"{BASE_URL}/Questionnaire/{fhir_id(protocol.id)}",
        "version": protocol.version,
        "name": "".join(part.capitalize() for part in protocol.id.split("_")),
        "title": meta.title,
        "status": "active",
        "description": " ".join(meta.description.split()) or meta.title,
        "language": "en",
        "item": groups,
    }
    check(document)
    return document


def _option_label(question: CompiledQuestion, option_id: str) -> str:
    """The option's English label, or its id when the question has no such option."""
    option = question.option(option_id)
    return option.label["en"] if option is not None else option_id


def _answer(protocol: Protocol, question: CompiledQuestion, value: Any) -> list[dict[str, Any]]:
    if question.type in ("yes_no", "choice", "multi"):
        values = value if question.type == "multi" else [value]
        system = answer_system(protocol, question.id)
        return [
            {
                "valueCoding": {
                    "system": system,
                    "code": v,
                    "display": _option_label(question, v),
                }
            }
            for v in values
        ]
    if question.type == "number":
        return [{"valueDecimal": value}]
    return [{"valueString": str(value)}]


def questionnaire_response(protocol: Protocol, session: CallSession, label: str = "call") -> dict[str, Any]:
    """A completed (or in-progress) call as a QuestionnaireResponse to :func:`questionnaire`."""
    assessment = session.assessment
    groups: dict[str, dict[str, Any]] = {}
    order: list[dict[str, Any]] = []
    for asked in assessment.asked:
        if asked.status != "answered":
            continue
        question = asked.question
        group = groups.get(question.section.id)
        if group is None:
            group = groups[question.section.id] = {
                "linkId": f"section-{question.section.id}",
                "text": question.section.title["en"],
                "item": [],
            }
            order.append(group)
        group["item"].append(
            {"linkId": question.id, "text": question.spec.ask["en"], "answer": _answer(protocol, question, asked.value)}
        )
    rec = assessment.recommendation
    events = session.events
    authored = max(e.at for e in events) if events else datetime.now(UTC)
    document = {
        "resourceType": "QuestionnaireResponse",
        "id": fhir_id(label),
        "questionnaire": f"{BASE_URL}/Questionnaire/{fhir_id(protocol.id)}|{protocol.version}",
        "status": "completed" if assessment.complete else "in-progress",
        "authored": authored.isoformat(),
        "extension": [
            {
                "url": OUTCOME_EXT,
                "extension": [
                    {"url": "band", "valueCode": assessment.risk.band},
                    {"url": "score", "valueInteger": assessment.risk.score},
                    {"url": "recommendation", "valueCode": rec.model},
                    {"url": "rule", "valueCode": rec.rule},
                    {"url": "team", "valueString": ", ".join(rec.team)},
                    *_after_dispatch(session),
                ],
            }
        ],
        "item": order,
    }
    check(document)
    return document


def _after_dispatch(session: CallSession) -> list[dict[str, Any]]:
    """The team dispatched and the disposition, when the call has them."""
    parts: list[dict[str, Any]] = []
    if session.state.accepted is not None:
        parts.append({"url": "dispatched", "valueCode": session.state.accepted[0]})
    dispositions = [e for e in session.events if isinstance(e, DispositionRecorded)]
    if dispositions:
        parts.append({"url": "disposition", "valueCode": dispositions[-1].code})
    return parts


def check(document: dict[str, Any]) -> None:
    """Validate against the fhir.resources R4B model of the resource (raises ValueError when invalid)."""
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:  # the optional extra is not installed: the structure is still ours to trust
        return
    from pydantic import ValidationError

    model = get_fhir_model_class(document["resourceType"])
    try:
        model.model_validate(document)
    except ValidationError as exc:  # a bug here, not the user's: say what FHIR rejected
        raise ValueError(f"the {document['resourceType']} does not validate as FHIR R4: {exc}") from None
