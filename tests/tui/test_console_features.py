"""The console's other duties: recovery, bad protocols, remapping, resizing, language, notes, hooks."""

from __future__ import annotations

from textual.widgets import Static

from crisis_triage.config import Settings
from crisis_triage.engine import Answered, CallStarted, InterruptRecorded
from crisis_triage.keymap import KEYS
from crisis_triage.protocol.errors import ProtocolError
from crisis_triage.protocol.loader import load_protocol
from crisis_triage.store.journal import CallMeta, MemoryJournal
from crisis_triage.tui.app import ConsoleApp
from crisis_triage.tui.screens.call import CallScreen
from crisis_triage.tui.screens.handoff import HandoffScreen
from crisis_triage.tui.screens.help import HelpScreen
from crisis_triage.tui.screens.home import HomeScreen
from crisis_triage.tui.screens.modals import AnswerModal, InterruptModal
from crisis_triage.tui.screens.resume import ResumeScreen
from crisis_triage.tui.screens.setup import CallSetupScreen
from crisis_triage.tui.widgets.so_far import CallSoFar
from tests.tui.helpers import (
    NOON,
    boston_2026_11 as boston,
    make_app as _make_app,
    message_line,
    panel,
    question_line,
    run_async,
    screen_text,
    small,
)
from tests.tui.test_whole_calls import type_text, wait_for


def make_app(**kwargs):
    """These tests drive exact question orders: the frozen 2026.11.1 protocol."""
    return _make_app(protocol=boston(), **kwargs)


def small_app(**kwargs):
    """Tests that answer by position: the console's own test protocol (tests/fixtures/console-small.yaml)."""
    return _make_app(protocol=small(), **kwargs)


def _meta(call_id: str, console: str = "console-7") -> CallMeta:
    protocol = boston()
    return CallMeta(call_id, console, "ct-042", protocol.id, protocol.version, protocol.sha256, protocol.file)


@run_async
async def test_an_unfinished_call_is_offered_and_resumes_where_it_stopped():
    journal = MemoryJournal()
    journal.start_call(_meta("crashed"), CallStarted(at=NOON, door="family", line="e911", district="B2"))
    journal.append("crashed", Answered(at=NOON, question="location", value="7 Elm St"))
    journal.append("crashed", InterruptRecorded(at=NOON, interrupt="violence"))
    journal.start_call(_meta("elsewhere", console="console-9"), CallStarted(at=NOON, door="self"))
    app = make_app(journal=journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, ResumeScreen)
        text = screen_text(app)
        assert "1 unfinished call(s) on this console" in text and "call crashed" in text
        await pilot.press("enter")
        await wait_for(pilot, CallScreen)
        text = screen_text(app)
        assert "Location  7 Elm St" in text
        assert "! Violence now" in text
        assert "POLICE EMERGENCY RESPONSE" in text
        assert question_line(app) == "What is your first name?"
        await pilot.press("f5")  # skip the name: the resumed call keeps journalling to the same record
    assert [e.kind for e in journal.events("crashed")][-1] == "skipped"


@run_async
async def test_a_new_call_can_be_chosen_instead_of_resuming():
    journal = MemoryJournal()
    journal.start_call(_meta("crashed"), CallStarted(at=NOON, door="family"))
    app = make_app(journal=journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, ResumeScreen)
        await pilot.press("n")
        await wait_for(pilot, CallSetupScreen)


@run_async
async def test_a_protocol_that_fails_validation_shows_its_problems_and_exits_with_1(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        boston().document
        and (open(boston().file, encoding="utf-8").read().replace('when: weapon == "yes"', 'when: wepon == "yes"')),
        encoding="utf-8",
    )
    try:
        load_protocol(broken)
    except ProtocolError as exc:
        problems = list(exc.problems)
    else:  # pragma: no cover - the edit above must break the file
        raise AssertionError("the broken protocol loaded")
    app = ConsoleApp(Settings(), None, problems=(str(broken), problems), announce_startup=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = panel(app, "#problems-text")
        assert "cannot be used" in text
        assert "broken.yaml:" in text and "wepon" in text and 'did you mean "weapon"' in text
        await pilot.press("q")
    assert app.return_code == 1


@run_async
async def test_keys_are_remapped_by_binding_id():
    app = make_app(door="family", settings=Settings(keys={"interrupt": "f12", "accept": "ctrl+a"}, district="B2"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, InterruptModal)
        await pilot.press("f12")
        await wait_for(pilot, InterruptModal)
        await pilot.press("escape")
        await wait_for(pilot, CallScreen)
        assert "F12 then a key records an interrupt" in panel(app, "#risk")
        assert "Ctrl+A ACCEPT" in screen_text(app)
        await pilot.press("ctrl+a", "a")
        await wait_for(pilot, HandoffScreen)  # nothing known yet: the call line is recommended


@run_async
async def test_resizing_mid_call_loses_nothing():
    app = small_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await type_text(pilot, "1 Main St")
        await pilot.press("enter", "f5", "n")  # location, no name, hurt
        before = [e.kind for e in app.journal.events("call-1")]
        await pilot.resize_terminal(80, 24)
        for _ in range(50):  # the resize reaches the screen a frame or two later on a loaded machine
            await pilot.pause(0.02)
            if app.screen.has_class("-narrow"):
                break
        text = screen_text(app)
        assert "wish_dead" not in text  # not answered yet
        assert "Hurt / breathing  No" in text and "Location  1 Main St" in text
        assert question_line(app).startswith("Does the person have a weapon")
        assert app.screen.has_class("-narrow") and app.screen.has_class("-short")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.press("n")
        assert "Weapon  No" in screen_text(app)
        assert [e.kind for e in app.journal.events("call-1")] == before + ["answered"]


@run_async
async def test_language_switch_shows_the_question_in_spanish_beside_english():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f6")
        await pilot.pause()
        assert question_line(app) == "¿Cuál es la dirección donde está la persona ahora mismo?"
        assert "\nEN: What is the address where the person is right now?" in panel(app, "#q-body")
        assert " ES " in screen_text(app)
        await pilot.press("f6")
        await pilot.pause()
        assert "EN:" not in panel(app, "#q-body")
    kinds = [e.kind for e in app.journal.events("call-1")]
    assert kinds.count("context_changed") == 2


@run_async
async def test_notes_are_timestamped_and_journalled():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "mother says he stopped his meds")
        await pilot.press("enter")
        await pilot.pause()
        assert "12:00:00 mother says he stopped his meds" in panel(app, "#notes")
    notes = [e for e in app.journal.events("call-1") if e.kind == "note"]
    assert [n.text for n in notes] == ["mother says he stopped his meds"]


@run_async
async def test_the_interrupt_key_works_from_inside_a_dialog_and_keeps_a_half_typed_note():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f3")
        await pilot.pause()
        await type_text(pilot, "he is in the kitchen")
        await pilot.press("f2")
        await wait_for(pilot, InterruptModal)
        await pilot.press("k")
        await wait_for(pilot, CallScreen)
        assert "! Weapon in use / pointed" in panel(app, "#risk")
        assert "POLICE EMERGENCY RESPONSE" in panel(app, "#recommendation")
        assert "he is in the kitchen" in panel(app, "#notes")
    assert [e.kind for e in app.journal.events("call-1")] == ["call_started", "note", "interrupt"]


@run_async
async def test_letters_in_the_call_so_far_list_do_not_answer_the_question_in_hand():
    app = small_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await type_text(pilot, "1 Main St")
        await pilot.press("enter", "f5")  # location, no name
        await pilot.press("f4", "n")  # in the list: N must not answer "hurt"
        await pilot.pause()
        assert question_line(app).startswith("Is anyone hurt")
        await pilot.press("escape", "n")  # back to the question: now N answers it
        await pilot.pause()
        assert question_line(app).startswith("Does the person have a weapon")
    assert [e.kind for e in app.journal.events("call-1")].count("answered") == 2


class RefusingJournal(MemoryJournal):
    """A store that fails on answers: the console must say so and show nothing as recorded."""

    def append(self, call_id, event):
        if event.kind == "answered":
            raise OSError("disk full")
        return super().append(call_id, event)


@run_async
async def test_an_event_the_store_refuses_is_not_shown_as_recorded():
    app = make_app(door="family", journal=RefusingJournal())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, CallScreen)
        await type_text(pilot, "1 Main St")
        await pilot.press("enter")
        await pilot.pause()
        assert question_line(app) == "What is the address where the person is right now?"
        assert app.screen.query_one(CallSoFar).option_count == 0  # nothing shown as recorded
        assert "disk full" in message_line(app)
        assert app.screen.session.state.answers == {}


@run_async
async def test_a_required_question_cannot_be_skipped():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f5")
        await pilot.pause()
        assert question_line(app) == "What is the address where the person is right now?"
        assert "required" in message_line(app)
    assert [e.kind for e in app.journal.events("call-1")] == ["call_started"]


@run_async
async def test_help_lists_every_key_with_its_binding_id():
    app = make_app(door="family")
    async with app.run_test(size=(120, 150)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f1")
        await wait_for(pilot, HelpScreen)
        text = screen_text(app)
        for spec in KEYS:
            assert spec.id in text, spec.id
        assert "Interrupt: Weapon seen or mentioned" in text and "F2 W" in text


@run_async
async def test_palette_commands_jump_to_a_question_language_theme_new_call():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Language: es", "Theme: crisis-high-contrast", "Jump to question: weapon"} <= set(commands)
        commands["Theme: crisis-high-contrast"].callback()
        assert app.theme == "crisis-high-contrast"
        commands["Jump to question: weapon"].callback()
        await wait_for(pilot, AnswerModal)
        await pilot.press("y")  # answered ahead of its turn
        await wait_for(pilot, CallScreen)
        assert "Weapon  Yes  +6" in screen_text(app)
        assert "HIGH" in panel(app, "#risk")
    async with make_app(home=True).run_test(size=(100, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, HomeScreen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "New call" in titles


@run_async
async def test_home_screen_starts_a_call_and_lists_protocols():
    app = make_app(home=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, HomeScreen)
        text = screen_text(app)
        assert "N  start a call" in text and "P  practice call" in text
        await pilot.press("o")
        await pilot.pause()
        assert "boston-mh-crisis-2026.11.1.yaml  in use" in panel(app, "#home-detail")
        await pilot.press("n")
        await wait_for(pilot, CallSetupScreen)


@run_async
async def test_a_team_marked_unavailable_shows_the_fallback():
    app = make_app(door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2", "t")  # threat to others: co-response
        await pilot.pause()
        assert "CO-RESPONSE" in panel(app, "#recommendation")
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("down", "enter")  # the second model: co_response
        await pilot.pause()
        card = panel(app, "#recommendation")
        assert card.startswith("POLICE EMERGENCY RESPONSE")
        assert "Fallback: Co-response (police + clinician) unavailable (no team free" in card


class PracticeLike(CallScreen):
    """What the training helper builds on: a banner, a caller pane, every event observed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, practice=True, **kwargs)
        self.seen = []

    def compose_caller_pane(self):
        yield Static("CALLER: he has a knife, please hurry", id="caller-line")

    def event_applied(self, event, assessment):
        self.seen.append((event.kind, assessment.risk.band))


@run_async
async def test_practice_hooks_banner_caller_pane_and_event_observer():
    app = make_app()
    protocol = boston()
    journal = MemoryJournal()
    meta = _meta("practice-1")
    async with app.run_test(size=(120, 30)) as pilot:
        session = CallScreen.new_call(protocol, journal, meta, CallStarted(at=NOON, door="bystander", line="e911"))
        screen = PracticeLike(protocol, journal, meta, session)
        app.push_screen(screen)
        await wait_for(pilot, PracticeLike)
        text = screen_text(app)
        assert "PRACTICE CALL" in text and "CALLER: he has a knife" in text
        await pilot.press("f2", "w")
        await pilot.pause()
        assert screen.seen == [("interrupt", "high")]
    assert [e.kind for e in journal.events("practice-1")] == ["call_started", "interrupt"]
    assert app.journal.unfinished_calls() == []  # nothing reached the console's own journal


@run_async
async def test_sending_another_team_warns_about_safety_lines_and_records_the_departure():
    from crisis_triage.tui.screens.dispatch import DispatchScreen
    from crisis_triage.tui.screens.modals import ChoiceModal, NoteModal

    journal = MemoryJournal()
    app = make_app(door="family", journal=journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f2")
        await wait_for(pilot, InterruptModal)
        await pilot.press("w")  # a weapon: co-response, police required
        await pilot.pause()
        await wait_for(pilot, CallScreen)
        await pilot.press("f9", "a")  # accept before the safety questions: deliberately
        await wait_for(pilot, DispatchScreen)
        await pilot.press("o")
        await wait_for(pilot, ChoiceModal)
        choices = [value for value, _ in app.screen.choices]
        assert "co_response" not in choices  # the team already dispatched is not offered again
        while app.screen.query_one("#choice-list").highlighted != choices.index("alternative_response"):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, NoteModal)
        text = screen_text(app)
        assert "Why send Alternative response" in text
        # The safety line, shown before the reason is typed.
        shown = " ".join(panel_text for panel_text in (str(w.content) for w in app.screen.query(".modal-warning")))
        assert "sends no Police officer (BPD)" in shown
        await type_text(pilot, "co-response team busy")
        await pilot.press("enter")
        await wait_for(pilot, DispatchScreen)
        assert "not the recommended Co-response (police + clinician)" in screen_text(app)
        assert "Departure: recommended Co-response (police + clinician)" in app.screen.summary()

    accepted = [e for e in journal.events("call-1") if e.kind == "accepted"]
    assert [(e.model, e.recommended) for e in accepted] == [
        ("co_response", "co_response"),
        ("alternative_response", "co_response"),
    ]
    assert accepted[-1].reason == "co-response team busy"


@run_async
async def test_from_the_handoff_another_team_is_sent_only_with_a_reason():
    from crisis_triage.tui.screens.dispatch import DispatchScreen
    from crisis_triage.tui.screens.modals import ChoiceModal, NoteModal

    journal = MemoryJournal()
    app = make_app(door="family", journal=journal)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, CallScreen)
        await pilot.press("f9", "a")
        await wait_for(pilot, HandoffScreen)  # nothing known yet: the call line
        await pilot.press("o")
        await wait_for(pilot, ChoiceModal)
        await pilot.press("enter")
        await wait_for(pilot, NoteModal)
        await pilot.press("enter")  # an empty reason: nothing changes
        await wait_for(pilot, HandoffScreen)
        assert [e.model for e in journal.events("call-1") if e.kind == "accepted"] == ["call_line"]
        await pilot.press("o")
        await wait_for(pilot, ChoiceModal)
        choices = [value for value, _ in app.screen.choices]
        while app.screen.query_one("#choice-list").highlighted != choices.index("community_led"):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, NoteModal)
        await type_text(pilot, "caller wants someone to come")
        await pilot.press("enter")
        await wait_for(pilot, DispatchScreen)
        assert "DISPATCH: COMMUNITY-LED RESPONSE (PEERS)" in screen_text(app)
    accepted = [e for e in journal.events("call-1") if e.kind == "accepted"]
    assert [(e.model, e.recommended) for e in accepted] == [("call_line", "call_line"), ("community_led", "call_line")]


@run_async
async def test_the_warm_up_after_start_waits_while_keys_come(tmp_path, monkeypatch):
    """Jinja2 and the handoff templates are compiled after the first paint in idle time only: a step
    (Jinja2's import alone is ~30 ms) must not land on an answer while the call-taker is answering."""
    from crisis_triage.store.protocol_cache import LazyTemplate, load_protocol_cached
    from crisis_triage.tui import app as app_module
    from tests.tui.helpers import ROOT

    monkeypatch.setenv("CRISIS_TRIAGE_PROTOCOL_CACHE", str(tmp_path))
    shipped = ROOT / "protocols" / "boston-mh-crisis.yaml"
    load_protocol_cached(shipped)
    protocol = load_protocol_cached(shipped)  # read back from the cache: its templates wait to be compiled
    lazy = [t for t in protocol.templates.values() if isinstance(t, LazyTemplate)]
    assert lazy and all(t._compiled is None for t in lazy)
    monkeypatch.setattr(app_module, "WARM_UP_IDLE_S", 0.3, raising=False)
    app = _make_app(protocol=protocol, door="family")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(15):  # a key every 0.1 s for 1.5 s, the warm-up's first step due at 0.5 s
            await pilot.press("f24")
            await pilot.pause(0.1)
        assert all(t._compiled is None for t in lazy)
        for _ in range(40):  # then idle: every template is compiled
            await pilot.pause(0.1)
            if all(t._compiled is not None for t in lazy):
                break
        assert all(t._compiled is not None for t in lazy)
