"""Supervisor consultation, help without consent and the interpreter step: events, state, summaries."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crisis_triage.engine import CallSession, CallStarted, SessionError, event_from_json
from crisis_triage.engine.events_call import InterpreterConnected, InterpreterRequested, RescueWithoutConsent
from crisis_triage.engine.events_centre import SupervisorConsulted
from crisis_triage.engine.views import dispatch_summary


def test_the_interpreter_and_the_supervisor_are_recorded_replayed_and_summarised(boston, noon):
    session = CallSession(boston, CallStarted(at=noon, door="self", line="alt_line", district="C11", language="kea"))
    session.apply(InterpreterRequested(at=noon + timedelta(seconds=5), language="kea"))
    session.apply(InterpreterConnected(at=noon + timedelta(seconds=48), interpreter_id="LL-4411"))
    session.apply(SupervisorConsulted(at=noon + timedelta(minutes=3), supervisor="sup-12"))
    session.apply(RescueWithoutConsent(at=noon + timedelta(minutes=4), reason="cannot_keep_safe"))
    state = session.state
    assert state.interpreter_connected == (noon + timedelta(seconds=48), "LL-4411")
    assert state.supervisor_consulted == [(noon + timedelta(minutes=3), "sup-12", "")]
    assert "needs_interpreter" in session.assessment.facts
    summary = dispatch_summary(boston, state, session.assessment)
    assert "language kea; interpreter LL-4411 on the line (kea)" in summary
    # Who and when for the consultation; the ground for help without consent on a line of its own.
    assert "Supervisor sup-12 consulted 12:03" in summary
    assert "HELP SENT WITHOUT CONSENT 12:04: cannot keep safe" in summary
    handoff = session.handoff()
    assert "interpreter LL-4411 on the line" in handoff.summary and "supervisor sup-12 consulted" in handoff.summary
    assert "Supervisor: supervisor sup-12 consulted. HELP SENT WITHOUT CONSENT: cannot keep safe." in handoff.summary
    # One immutable record each: a trip through JSON rebuilds the same call.
    again = CallSession.replay(boston, [event_from_json(e.model_dump_json()) for e in session.events])
    assert again.state == state and again.assessment == session.assessment


def test_any_language_tag_is_accepted_and_a_malformed_one_is_refused(boston, noon):
    for tag in ("ht", "pt-BR", "zh-Hant", "kea"):
        CallSession(boston, CallStarted(at=noon, language=tag))
    with pytest.raises(SessionError, match="not a language tag"):
        CallSession(boston, CallStarted(at=noon, language="Haitian Creole"))


def test_an_interpreter_is_connected_only_after_a_request(boston, noon):
    session = CallSession(boston, CallStarted(at=noon, language="ht"))
    with pytest.raises(SessionError, match="only after one is requested"):
        session.apply(InterpreterConnected(at=noon, interpreter_id="LL-1"))
    assert session.state.interpreter_connected is None
