"""A small protocol every lint test starts from, and helpers to change one thing in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_triage.authoring.source import LoadedProtocol, parse_with_source

ROOT = Path(__file__).resolve().parents[2]

SMALL = """\
protocol:
  id: small
  title: Small test protocol
  version: "1"
  languages: [en, es]
  language_review: {es: {reviewed: true, reviewer: A. Translator}}
districts:
  - {id: A1, name: Downtown}
doors:
  - {id: self, caller: self, key: s, label: {en: The person, es: La persona}}
  - {id: family, caller: family, key: f, label: {en: Family, es: Familia}}
lines:
  - {id: e911, key: "9", label: {en: "911", es: "911"}}
facts:
  weapon_present: {label: {en: Weapon, es: Arma}}
  wants_visit: {label: {en: Wants a visit, es: Quiere visita}}
sections:
  - id: safety
    title: {en: Safety, es: Seguridad}
    safety: true
    questions:
      - id: weapon
        ask: {en: Is there a weapon?, es: ¿Hay un arma?}
        risk: {yes: 6, unknown: 3}
        sets: {weapon_present: answer == "yes"}
  - id: situation
    title: {en: Situation, es: Situación}
    questions:
      - id: support
        type: choice
        when: not weapon_present
        ask: {en: Phone or visit?, es: ¿Teléfono o visita?}
        options:
          - {id: phone, label: {en: Phone, es: Teléfono}}
          - {id: visit, label: {en: Visit, es: Visita}}
        sets: {wants_visit: answer == "visit"}
interrupts:
  - {id: weapon_seen, key: w, fact: weapon_present, label: {en: Weapon seen, es: Arma vista}}
risk:
  bands:
    - {id: none, min_score: 0, label: {en: None, es: Ninguno}}
    - {id: elevated, min_score: 3, label: {en: Elevated, es: Elevado}}
    - {id: high, min_score: 6, label: {en: High, es: Alto}}
responses:
  roles:
    police: {en: Police, es: Policía}
    peer: {en: Peers, es: Pares}
    call_line: {en: Call line, es: Línea}
  models:
    - {id: police_visit, name: {en: Police, es: Policía}, team: [police]}
    - {id: peers, name: {en: Peers, es: Pares}, team: [peer]}
    - {id: call_line, name: {en: Call line, es: Línea}, team: [call_line]}
  rules:
    - id: danger
      when: weapon_present or band == "elevated"
      recommend: police_visit
      because: {en: A weapon, es: Un arma}
    - id: visit
      when: wants_visit
      recommend: peers
      because: {en: Wants a visit, es: Quiere visita}
    - id: otherwise
      recommend: call_line
      because: {en: Phone support, es: Apoyo telefónico}
"""


def load_text(text: str) -> LoadedProtocol:
    return parse_with_source(text, "small.yaml")


@pytest.fixture
def small_text() -> str:
    return SMALL
