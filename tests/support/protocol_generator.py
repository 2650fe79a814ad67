"""Generated protocols of any size, for load-time benchmarks and authoring-tool tests.

:func:`generate_protocol_yaml` writes a protocol that reads like a real one, only longer: a safety
section first (yes / no / unknown, unknown scored conservatively), then sections of about ten
questions of every answer type, with conditions that read earlier questions, facts and the band,
derived facts per section, risk overrides, decision rules, response models with availability and
fallback chains, guarantees and a handoff script. It always loads with
:func:`crisis_triage.protocol.load_protocol`; the same arguments always give the same text.
"""

from __future__ import annotations

import json
import random

__all__ = ["generate_protocol_yaml"]

_TOPICS = (
    "sleep",
    "appetite",
    "mood",
    "anxiety",
    "voices",
    "housing",
    "school",
    "work",
    "money",
    "family",
    "friends",
    "medication",
    "therapy",
    "hospital",
    "alcohol",
    "drugs",
    "pain",
    "memory",
    "anger",
    "grief",
)
_PHRASES = (
    "had trouble with {t} lately",
    "talked about {t} today",
    "asked for help with {t}",
    "said {t} is getting worse",
    "seemed worried about {t}",
    "had a crisis about {t} before",
)
_LEVELS = (("never", "Never"), ("sometimes", "Sometimes"), ("often", "Often"), ("unknown", "Unknown / can't say"))
_SIGNS = (
    ("crying", "Crying"),
    ("pacing", "Pacing"),
    ("shouting", "Shouting"),
    ("silent", "Not speaking"),
    ("confused", "Confused"),
)
_SAFETY = (
    ("weapon", "Is there a weapon there, or one that could easily be reached?", "weapon_present", 6),
    ("violence", "Is anyone being hurt or attacked right now?", "violence_now", 8),
    ("hurt", "Is anyone hurt, unconscious or having trouble breathing?", "medical_emergency", 5),
    ("took_too_much", "Could anyone have taken too much of a drug or medication?", "overdose", 6),
    ("attempt_now", "Has anyone done something to end their life just now?", "suicide_attempt_now", 10),
    ("threats", "Has anyone threatened to hurt someone else?", "threat_to_others", 5),
    ("crime", "Is a crime happening there right now?", "crime_in_progress", 4),
    ("children", "Are there children there who could be in danger?", "child_at_risk", 4),
)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def generate_protocol_yaml(questions: int, seed: int = 1) -> str:
    """A valid, realistic-looking protocol with exactly ``questions`` questions (at least 1).

    Deterministic for ``(questions, seed)``. Sections hold about ten questions; conditions only read
    earlier questions, facts and context names, so the result always loads without problems.
    """
    if questions < 1:
        raise ValueError("a protocol needs at least one question")
    rng = random.Random(seed)
    out: list[str] = []
    w = out.append

    w("# A generated protocol (tests.support.protocol_generator): realistic shape, invented content.")
    w("protocol:")
    w(f"  id: generated_{questions}_{seed}")
    w(f"  title: {_q(f'Generated protocol ({questions} questions, seed {seed})')}")
    w('  version: "1.0.0"')
    w("  languages: [en, es]")
    w("  description: Generated for benchmarks and tests.")
    w("districts:")
    for district, name in (("A1", "Downtown"), ("B2", "Roxbury"), ("C11", "Dorchester"), ("D4", "South End")):
        w(f"  - {{id: {district}, name: {name}}}")
    w("doors:")
    for door, caller, key, label in (
        ("self", "self", "s", "The person in crisis"),
        ("family", "family", "f", "Family or friend"),
        ("bystander", "bystander", "b", "Bystander"),
    ):
        w(f"  - {{id: {door}, caller: {caller}, key: {key}, label: {{en: {label}}}}}")
    w("lines:")
    w('  - {id: e911, key: "9", label: {en: "911"}}')
    w("  - {id: alt_line, key: a, label: {en: Alternative crisis number}}")

    # -- plan the questions first: facts and conditions need to know what came before ----------
    safety_count = min(len(_SAFETY), questions)
    safety = _SAFETY[:safety_count]
    safety_facts = [fact for _, _, fact, _ in safety]
    plain_facts: list[str] = list(safety_facts)
    derived: list[tuple[str, str]] = []
    sections: list[list[str]] = []  # YAML lines of each section, built below
    earlier: dict[str, list[str]] = {"yes_no": [], "choice": [], "multi": [], "number": [], "text": []}

    lines: list[str] = []
    lines.append("  - id: safety")
    lines.append("    title: {en: Safety first, es: Seguridad primero}")
    lines.append("    safety: true")
    lines.append("    questions:")
    for qid, ask, fact, points in safety:
        lines.append(f"      - id: {qid}")
        lines.append(f"        ask: {{en: {_q(ask)}}}")
        lines.append("        hint: If the caller hesitates, record Unknown.")
        lines.append(f"        risk: {{yes: {points}, unknown: {(points + 1) // 2}}}")
        lines.append(f'        sets: {{{fact}: answer == "yes"}}')
        earlier["yes_no"].append(qid)
    sections.append(lines)

    remaining = questions - safety_count
    number = 0
    section_index = 0
    while remaining > 0:
        section_index += 1
        size = min(remaining, rng.randint(8, 12))
        remaining -= size
        topic = _TOPICS[(section_index - 1) % len(_TOPICS)]
        fact_a = f"{topic}_concern_{section_index:03d}"
        fact_b = f"{topic}_support_{section_index:03d}"
        plain_facts += [fact_a, fact_b]
        lines = [
            f"  - id: {topic}_{section_index:03d}",
            f"    title: {{en: {_q(topic.capitalize() + ' (' + str(section_index) + ')')}}}",
            "    questions:",
        ]
        section_yes: list[str] = []
        for _ in range(size):
            number += 1
            qid = f"{topic}_q{number:04d}"
            kind = rng.choices(("yes_no", "choice", "multi", "number", "text"), weights=(50, 20, 12, 10, 8))[0]
            phrase = rng.choice(_PHRASES).format(t=topic)
            lines.append(f"      - id: {qid}")
            if kind != "yes_no":
                lines.append(f"        type: {kind}")
            lines.append(f"        ask: {{en: {_q(f'Have you {phrase}?')}, es: {_q(f'¿Ha {phrase}? ({topic})')}}}")
            lines.append(f"        ask_other: {{en: {_q(f'Has the person {phrase}?')}}}")
            if rng.random() < 0.3:
                lines.append(f"        hint: {_q(f'Ask about {topic} in plain words; record what the caller says.')}")
            condition = _condition(rng, earlier, plain_facts[:-2] or safety_facts, derived)
            if condition:
                lines.append(f"        when: {_q(condition)}")
            if rng.random() < 0.08 and "door" not in (condition or ""):
                lines.append(f"        doors: [{rng.choice(['family, bystander', 'self', 'self, family'])}]")
            if kind != "yes_no" or rng.random() < 0.5:
                lines.append("        required: false")
            if kind == "yes_no":
                lines.append(f"        risk: {{yes: {rng.randint(1, 4)}, unknown: 1}}")
                lines.append(f'        sets: {{{rng.choice((fact_a, fact_b))}: answer == "yes"}}')
                section_yes.append(qid)
            elif kind == "choice":
                lines.append("        options:")
                for i, (oid, label) in enumerate(_LEVELS, start=1):
                    lines.append(f'          - {{id: {oid}, key: "{i}", label: {{en: {_q(label)}}}}}')
                lines.append(f"        risk: {{sometimes: 1, often: {rng.randint(2, 4)}, unknown: 1}}")
                lines.append(f'        sets: {{{fact_a}: answer == "often"}}')
            elif kind == "multi":
                lines.append("        options:")
                for oid, label in _SIGNS:
                    lines.append(f"          - {{id: {oid}, label: {{en: {_q(label)}}}}}")
                lines.append("        risk: {shouting: 2, confused: 1}")
                lines.append(f"        sets: {{{fact_b}: '\"crying\" in answer'}}")
            elif kind == "number":
                lines.append("        min: 0")
                lines.append("        max: 30")
                lines.append(f"        sets: {{{fact_a}: answer >= 7}}")
            earlier[kind].append(qid)
        sections.append(lines)
        parts = [fact_a, fact_b] + ([f'{q} == "unknown"' for q in section_yes[:1]])
        derived.append((f"section_{section_index:03d}_flagged", " or ".join(parts)))

    # -- facts --------------------------------------------------------------------------------
    w("facts:")
    labels = {f: f.replace("_", " ").capitalize() for f in plain_facts}
    for fact in plain_facts:
        critical = " critical: true," if fact in safety_facts else ""
        w(f"  {fact}: {{{critical} label: {{en: {_q(labels[fact])}}}}}")
    safety_words = [
        f
        for f in ("weapon_present", "violence_now", "threat_to_others", "crime_in_progress", "child_at_risk")
        if f in safety_facts
    ]
    medical_words = [f for f in ("medical_emergency", "overdose", "suicide_attempt_now") if f in safety_facts]
    w("  safety_risk:")
    w("    label: {en: Public-safety risk}")
    w("    critical: true")
    w(f"    when: {_q(' or '.join(safety_words) or 'false')}")
    w("  medical_risk:")
    w("    label: {en: Medical risk}")
    w(f"    when: {_q(' or '.join(medical_words) or 'false')}")
    for fact, condition in derived:
        w(f"  {fact}:")
        w(f"    label: {{en: {_q(fact.replace('_', ' ').capitalize())}}}")
        w(f"    when: {_q(condition)}")

    w("sections:")
    for lines in sections:
        out.extend(lines)

    w("interrupts:")
    for fact, key in zip(safety_facts, "wvmoatxc"):
        w(f"  - {{id: {fact}_now, key: {key}, fact: {fact}, label: {{en: {_q(labels[fact])}}}}}")

    w("risk:")
    w("  bands:")
    for band, score, colour in (
        ("none", 0, "green"),
        ("low", 1, "cyan"),
        ("elevated", 5, "yellow"),
        ("high", 10, "dark_orange"),
        ("imminent", 16, "red"),
    ):
        w(f"    - {{id: {band}, min_score: {score}, colour: {colour}, label: {{en: {band.capitalize()}}}}}")
    w("  overrides:")
    w("    - when: safety_risk")
    w("      at_least: high")
    w("      reason: {en: Someone may be in danger}")
    w("    - when: medical_risk")
    w("      at_least: high")
    w("      reason: {en: Medical emergency}")
    for fact, _ in derived[:: max(1, len(derived) // 20)]:
        w(f"    - when: {fact}")
        w("      at_least: elevated")
        w(f"      reason: {{en: {_q(fact.replace('_', ' ').capitalize())}}}")

    w("responses:")
    w("  roles:")
    for role, label in (
        ("police", "Police officer"),
        ("clinician", "Clinician"),
        ("ems", "EMS crew"),
        ("emt", "EMT"),
        ("mh_worker", "Mental-health worker"),
        ("peer", "Peer responders"),
        ("call_line", "Call-line counsellor"),
    ):
        w(f"    {role}: {{en: {label}}}")
    w("  models:")
    w("    - {id: police_emergency, name: {en: Police emergency}, team: [police], notify: [clinician]}")
    w("    - id: co_response")
    w("      name: {en: Co-response (police + clinician)}")
    w("      team: [police, clinician]")
    w("      dedicated: {districts: [A1, B2], note: {en: Dedicated car in this district}}")
    w("      fallback: [police_emergency]")
    w("    - {id: emergency_medical, name: {en: Emergency medical}, team: [ems, mh_worker]}")
    w(
        "    - {id: alternative_response, name: {en: Alternative response}, team: [emt, mh_worker], fallback: [emergency_medical]}"
    )
    w("    - id: community_led")
    w("      name: {en: Community-led response}")
    w("      team: [peer]")
    w('      available: {districts: [B2, C11, D4], hours: "10:00-22:00", note: Pilot hours and districts}')
    w("      fallback: [alternative_response]")
    w("    - {id: call_line, name: {en: Call line (warm handoff)}, team: [call_line], handoff: true}")
    w("  rules:")
    w("    - id: danger_now")
    w(
        f"      when: {_q(' or '.join(f for f in ('violence_now', 'weapon_present') if f in safety_facts) or 'safety_risk')}"
    )
    w("      recommend: police_emergency")
    w("      because: {en: Violence or a weapon right now}")
    w("    - id: medical_first")
    w("      when: medical_risk")
    w("      recommend: emergency_medical")
    w("      because: {en: Medical needs come first}")
    w("      also:")
    w("        - {add: co_response, when: safety_risk, because: {en: A safety risk too}}")
    w("    - id: safety_risk")
    w("      when: safety_risk")
    w("      recommend: co_response")
    w("      because: {en: A public-safety risk}")
    for fact, _ in derived[:: max(1, len(derived) // 25)]:
        w(f"    - id: {fact}_rule")
        w(f"      when: {_q(f'{fact} and band >= ' + chr(34) + 'elevated' + chr(34))}")
        w(f"      recommend: {rng.choice(('alternative_response', 'community_led'))}")
        w(f"      because: {{en: {_q(fact.replace('_', ' ').capitalize() + ' with elevated risk')}}}")
    w("    - id: elevated")
    w('      when: band >= "elevated"')
    w("      recommend: alternative_response")
    w("      because: {en: Elevated risk and no safety risk}")
    w("    - id: low_risk")
    w("      recommend: call_line")
    w("      because: {en: No safety or medical risk}")
    w("  guarantees:")
    w("    - id: police_when_danger")
    w("      when: safety_risk")
    w("      require: police")
    w("      switch_to: co_response")
    w("      because: {en: Safety first}")
    w("    - id: ems_when_medical")
    w("      when: medical_risk")
    w("      require: ems")
    w("      because: {en: EMS for every medical emergency}")

    text_question = earlier["text"][0] if earlier["text"] else None
    w("handoff:")
    w("  model: call_line")
    w("  service: the crisis call line")
    w("  steps:")
    w("    - id: prepare")
    w("      title: {en: Tell the caller what happens next}")
    w("      say: {en: \"I'm bringing in a counsellor from {{ service }}. I'll stay on the line.\"}")
    w("    - id: conference")
    w("      title: {en: Conference in the call line}")
    w('      do: {en: "Conference in {{ service }}; do not put the caller on hold."}')
    w("  summary: |")
    w("    Caller ({{ door }}), district {{ district }}. Risk: {{ band }} (score {{ score }}).")
    w('    {% if facts %}Key facts: {{ facts | join("; ") }}.{% endif %}')
    if text_question:
        w(f'    Noted: {{{{ answers.{text_question} or "nothing" }}}}.')
    w("    Recommended: {{ recommendation }}.")
    return "\n".join(out) + "\n"


def _condition(
    rng: random.Random, earlier: dict[str, list[str]], facts: list[str], derived: list[tuple[str, str]]
) -> str | None:
    """A realistic condition over what was asked before, or None (about half of the questions)."""
    if rng.random() < 0.45:
        return None
    recent = {kind: ids[-12:] for kind, ids in earlier.items()}
    choices = []
    if recent["yes_no"]:
        q = rng.choice(recent["yes_no"])
        choices += [f'{q} == "yes"', f'{q} != "no"']
    if recent["choice"]:
        choices.append(f'{rng.choice(recent["choice"])} in ["sometimes", "often"]')
    if recent["multi"]:
        choices.append(f'"{rng.choice(_SIGNS)[0]}" in {rng.choice(recent["multi"])}')
    if recent["number"]:
        choices.append(f"{rng.choice(recent['number'])} > {rng.randint(1, 10)}")
    if recent["text"]:
        choices.append(f"answered({rng.choice(recent['text'])})")
    if facts:
        choices.append(rng.choice(facts))
    if derived:
        choices.append(f"not {rng.choice(derived)[0]}")
    context = ['band >= "elevated"', 'band in ["none", "low"]', 'door != "self"']
    first = rng.choice(choices + context)
    if rng.random() < 0.35:
        # The second part never reads the band or door again: "band >= elevated and band <= low" is
        # a question no call reaches, which the loader rightly refuses.
        second = rng.choice(choices) if choices else 'door != "self"'
        return f"{first} and {second}" if rng.random() < 0.5 else f"{first} or {second}"
    return first
