"""Starting the console from a launch snapshot (tui/launch.py): after the painted first frame, the
loading, the live call screen in its place, and the keys pressed meanwhile (held, then applied in
order once the call is journalled, or dropped when the live screen differs).

A mixin of :class:`~crisis_triage.tui.app.ConsoleApp` (``self`` is the app).
"""

from __future__ import annotations

from typing import Any

from textual import events

from .widgets.message_line import MessageLine


class SnapshotStart:
    """The app's part of a start painted from a snapshot (its ``launch``: :class:`~.launch.Launch`)."""

    _held_keys: list[events.Key] | None = None
    """Keys pressed while the call is not loaded yet (None: none held, keys go their way at once)."""
    _replaying = 0
    """Held keys posted again and not yet through."""

    def _holds(self, event: events.Key) -> bool:
        """Hold ``event`` (True) while the call is loading, or while held keys are being applied."""
        if self._held_keys is None or getattr(event, "_ct_held", False):
            return False
        self._held_keys.append(event)
        return True

    def _replayed(self, event: events.Key) -> None:
        """A held key went its way: once all have, the keys held meanwhile follow (or none are held)."""
        if not getattr(event, "_ct_held", False):
            return
        self._replaying -= 1
        if self._replaying == 0 and self._held_keys is not None:
            held, self._held_keys = self._held_keys, ([] if self._held_keys else None)
            if held:
                self._replay(held)

    async def _finish_launch(self) -> None:
        """After a snapshot's first frame: load the settings, protocol and record store (cli/console.py),
        start the call as any start does (journalled first), and put the live call screen in place of
        the painted one. Keys pressed meanwhile are held (:meth:`_holds`) until it is up."""
        app: Any = self
        assert app.launch is not None
        try:
            app.launch.load(app)
        except BaseException as exc:  # the command reports it once the console has exited (cli/console.py)
            app.launch_error = exc
            app._held_keys = None
            app.exit(1, return_code=1)
            return
        app.keymap_in_force = dict(app.settings.keys)
        if not app._offer_unfinished():
            assert app.start is not None  # given by the load (cli/console.py), as a snapshot's start has a door
            mounted = app.begin_call(app.start)
            if mounted is not None:
                await mounted
        app.call_after_refresh(app._launch_settled)

    async def _launch_settled(self) -> None:
        """The live screen is up: the keys held since the first frame are applied, in order, when it
        shows what the snapshot did (else they are dropped and the call-taker is told); a snapshot
        that differs is written afresh."""
        app: Any = self
        from .launch import same_screen

        assert app.launch is not None
        held = app._held_keys or []
        app._held_keys = None
        live = app._write_snapshot()
        same = live is not None and same_screen(live, app.launch.snapshot["screen"])
        if app._startup_message is not None:
            for line in app.screen.query(MessageLine):
                line.say(app._startup_message[0], at=app._startup_message[1])
        if app.journal_warning:  # after the start-up figure: the message line shows the last message
            app.notify(app.journal_warning, title="Records", severity="warning", timeout=15)
        app._freeze_loaded()
        app._after_first_paint()
        if not held:
            return
        if not same:
            app.notify(
                f"{len(held)} key(s) pressed while the console started were not applied: the screen changed.",
                severity="warning",
            )
            return
        app._held_keys = []  # still held: the held keys go first, in order
        self._replay(held)

    def _replay(self, held: list[events.Key]) -> None:
        """Post the held keys again, marked, behind whatever is queued; keys that come meanwhile are
        held in turn and posted after them. Each then goes its usual way, as if just typed."""
        app: Any = self
        app._replaying = len(held)
        for key in held:
            again = events.Key(key.key, key.character)
            again._ct_held = True
            app.post_message(again)

    def _write_snapshot(self) -> dict[str, Any] | None:
        """The live call screen as a launch snapshot for the next start like this one (tui/launch.py),
        when this start opened a new call from the command's own context; the screen's data, or None."""
        app: Any = self
        from .screens.call import CallScreen

        screen = app.screen
        key = app.snapshot_key or (app.launch.key if app.launch is not None else None)
        if key is None or type(screen) is not CallScreen:
            return None
        from .launch import NotCapturable, capture, same_screen, snapshot_data, write_snapshot

        try:
            shown = capture(screen)
        except NotCapturable:
            return None
        if app.launch is None or not same_screen(shown, app.launch.snapshot["screen"]):
            write_snapshot(key, snapshot_data(app, shown))
        return shown
