"""The compiled-protocol cache: a cached protocol behaves exactly as a freshly loaded one, and a
changed file, a damaged or foreign entry, or a cache turned off always means a full load."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crisis_triage.engine import Answered, CallSession, CallStarted, InterruptRecorded
from crisis_triage.protocol.errors import ProtocolError
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.store import protocol_cache
from crisis_triage.store.protocol_cache import load_directory_cached, load_protocol_cached

ROOT = Path(__file__).resolve().parents[2]
BOSTON = ROOT / "protocols" / "boston-mh-crisis.yaml"
AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CRISIS_TRIAGE_PROTOCOL_CACHE", str(folder))
    return folder


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.exists() else []


def _walk(protocol, seed: int) -> list[tuple]:
    """One random call: what the engine says after each answer (question, band, recommendation,
    guarantees), and the rendered handoff at the end."""
    rng = random.Random(seed)
    door = rng.choice(list(protocol.doors))
    line = rng.choice(sorted(protocol.line_ids))
    session = CallSession(
        protocol, CallStarted(at=AT, door=door, line=line, district=rng.choice(list(protocol.districts)))
    )
    seen = []
    if rng.random() < 0.3:
        session.apply(InterruptRecorded(at=AT, interrupt=rng.choice(protocol.document.interrupts).id))
    while (question := session.assessment.next_question) is not None:
        if question.type == "text":
            value = "12 Dudley St"
        elif question.type == "number":
            value = rng.randint(10, 90)
        elif question.type == "multi":
            value = [o.id for o in question.options if rng.random() < 0.3]
        else:
            value = rng.choice(question.options).id
        session.apply(Answered(at=AT, question=question.id, value=value))
        assessment = session.assessment
        rec = assessment.recommendation
        seen.append(
            (
                assessment.next_question.id if assessment.next_question else None,
                assessment.risk.band,
                rec.model,
                tuple(rec.team),
                tuple(g.action for g in rec.guarantees),
                tuple(sorted(assessment.facts)),
            )
        )
    handoff = session.handoff()
    seen.append(repr(handoff))
    return seen


def test_a_cached_protocol_decides_every_call_as_a_fresh_load_does(cache):
    fresh = load_protocol(BOSTON)
    first = load_protocol_cached(BOSTON)  # a miss: loaded in full, then written
    assert len(_entries(cache)) == 1
    cached = load_protocol_cached(BOSTON)  # a hit: read back from the entry
    assert cached is not first and cached.sha256 == fresh.sha256 and cached.file == fresh.file
    for seed in range(150):
        assert _walk(cached, seed) == _walk(fresh, seed), seed


def test_a_changed_file_is_loaded_in_full_never_from_an_old_entry(cache, tmp_path):
    copy = tmp_path / "protocol.yaml"
    text = BOSTON.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    assert load_protocol_cached(copy).version == load_protocol(BOSTON).version
    version = load_protocol(BOSTON).version
    copy.write_text(text.replace(f'version: "{version}"', 'version: "9.9.9"', 1), encoding="utf-8")
    assert load_protocol_cached(copy).version == "9.9.9"
    assert len(_entries(cache)) == 2  # one per distinct text


def test_a_damaged_entry_is_never_used(cache):
    load_protocol_cached(BOSTON)
    (entry,) = _entries(cache)
    blob = bytearray(entry.read_bytes())
    blob[-40] ^= 0xFF  # one flipped byte in the payload: its digest no longer matches
    entry.write_bytes(bytes(blob))
    assert protocol_cache._read(entry, str(BOSTON), load_protocol(BOSTON).sha256) is None
    protocol = load_protocol_cached(BOSTON)  # loads in full and rewrites the entry
    assert protocol.id == "boston_mh_crisis"
    assert protocol_cache._read(entry, str(BOSTON), protocol.sha256) is not None


def test_an_entry_naming_a_class_outside_a_protocol_is_refused(cache):
    import hashlib
    import pickle

    load_protocol_cached(BOSTON)
    (entry,) = _entries(cache)
    payload = pickle.dumps(print)  # a well-formed entry (its digest matches) holding something foreign
    entry.write_bytes(protocol_cache._MAGIC + hashlib.sha256(payload).digest() + payload)
    assert protocol_cache._read(entry, str(BOSTON), load_protocol(BOSTON).sha256) is None
    assert load_protocol_cached(BOSTON).id == "boston_mh_crisis"


def test_a_protocol_with_problems_is_never_cached_and_fails_as_before(cache, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BOSTON.read_text(encoding="utf-8").replace('when: weapon == "yes"', 'when: wepon == "yes"', 1))
    with pytest.raises(ProtocolError) as problem:
        load_protocol_cached(broken)
    with pytest.raises(ProtocolError) as again:
        load_protocol(broken)
    assert problem.value.problems == again.value.problems
    assert _entries(cache) == []


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("CRISIS_TRIAGE_PROTOCOL_CACHE", "off")
    assert protocol_cache.cache_dir() is None
    assert load_protocol_cached(BOSTON).id == "boston_mh_crisis"


def test_a_cache_hit_never_imports_the_loader(cache):
    """Starting the console from the cache reads and hashes its files, nothing more: YAML, the schema's
    checks and the compiler (the loader's ~50 ms of imports, YAML's ~15) stay out of the process."""
    import subprocess
    import sys

    load_directory_cached(load_protocol_cached(BOSTON))  # fills the cache
    code = (
        "import sys\n"
        "import crisis_triage.tui.app, crisis_triage.tui.screens.call, crisis_triage.tui.widgets.referrals\n"
        "from crisis_triage.store.protocol_cache import load_directory_cached, load_protocol_cached\n"
        f"assert load_directory_cached(load_protocol_cached({str(BOSTON)!r})) is not None\n"
        "heavy = ('crisis_triage.protocol.loader', 'crisis_triage.protocol.compiler', 'yaml')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def _session(protocol, seed: int, at: datetime) -> CallSession:
    """One random call taken to its last question, every event at ``at``."""
    rng = random.Random(seed)
    session = CallSession(
        protocol,
        CallStarted(
            at=at, door=rng.choice(list(protocol.doors)), line="e911", district=rng.choice(list(protocol.districts))
        ),
    )
    while (question := session.assessment.next_question) is not None:
        if question.type in ("text", "number"):
            value: object = "12 Dudley St" if question.type == "text" else rng.randint(10, 90)
        elif question.type == "multi":
            value = [o.id for o in question.options if rng.random() < 0.3]
        else:
            value = rng.choice(question.options).id
        session.apply(Answered(at=at, question=question.id, value=value))
    return session


def test_a_cached_directory_is_the_checked_directory_and_offers_the_same_referrals(cache):
    from crisis_triage.engine.referrals import referrals_for_call
    from crisis_triage.protocol.directory import load_directory_for

    protocol = load_protocol_cached(BOSTON)
    loaded = load_directory_for(protocol)
    first = load_directory_cached(protocol)  # a miss: checked in full, then kept
    cached = load_directory_cached(protocol)
    assert loaded is not None and first is not None and cached is not None
    assert cached == loaded and first == loaded  # document, file, digest, services, time zone
    assert cached.source is None and first.source is not None  # the one field left out (authoring's)
    assert cached.by_kind.keys() == loaded.by_kind.keys()
    offered = 0
    for seed in range(20):
        for at in (AT, AT.replace(hour=3), AT.replace(day=14, hour=23)):
            session = _session(protocol, seed, at)
            from_cache = referrals_for_call(protocol, cached, session.state, session.assessment)
            assert from_cache == referrals_for_call(protocol, loaded, session.state, session.assessment)
            offered += len(from_cache)
    assert offered  # the comparison saw offers, not only empty lists


def test_a_changed_directory_or_protocol_never_reads_an_old_directory_entry(cache, tmp_path):
    protocol_file = tmp_path / "boston-mh-crisis.yaml"
    protocol_file.write_text(BOSTON.read_text(encoding="utf-8"), encoding="utf-8")
    directory_file = tmp_path / "boston-directory.yaml"
    text = (BOSTON.parent / "boston-directory.yaml").read_text(encoding="utf-8")
    directory_file.write_text(text, encoding="utf-8")
    protocol = load_protocol_cached(protocol_file)
    before = load_directory_cached(protocol)
    assert before is not None and load_directory_cached(protocol) == before
    title = before.document.directory.title
    directory_file.write_text(text.replace(title, "Changed title", 1), encoding="utf-8")
    assert load_directory_cached(protocol).title == "Changed title"
    directory_file.write_text(text.replace(title, "Changed title", 1).replace("timezone:", "timezone: Mars/Base #", 1))
    with pytest.raises(ProtocolError):  # a directory with problems fails as the full load does, never cached
        load_directory_cached(protocol)
