"""Ending an app whose terminal has gone away.

A terminal window closed, or an ssh session dropped, normally hangs up the console with SIGHUP,
which ends it. Without a controlling terminal (a console started by a supervisor program, a
terminal multiplexer's pane killed, a pseudo-terminal whose other end is simply closed) no signal
comes: Textual's input thread then reads end-of-file in a loop, at full CPU, and the app never
ends; a call it holds open is never offered to resume elsewhere. So each app looks at its input
once a second and, when the terminal has hung up, exits with 129 (128 + SIGHUP, as the signal would
have). Every event of the call is already in the record store (journal before display): the call
is unfinished there and the next start offers it.
"""

from __future__ import annotations

import select
import sys
from typing import Any

HUNG_UP = 129
"""The exit status: 128 + SIGHUP, what a hang-up signal would have given."""

_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def terminal_gone(fd: int) -> bool:
    """True when ``fd`` is a terminal (or pipe) whose other end has hung up."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)  # hang-up and errors are reported whatever is asked for
    return any(events & _GONE for _, events in poller.poll(0))


def watch_terminal(app: Any, every: float = 1.0) -> None:
    """Have ``app`` exit with :data:`HUNG_UP` once its terminal's input has hung up. Nothing to watch
    in a headless app (tests) or without a readable standard input."""
    if app.is_headless or sys.__stdin__ is None:
        return
    try:
        fd = sys.__stdin__.fileno()
    except (OSError, ValueError):
        return

    def look() -> None:
        if terminal_gone(fd):
            app.exit(return_code=HUNG_UP)

    app.set_interval(every, look, name="terminal-watch")
