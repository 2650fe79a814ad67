"""The dispatch screen's EIDO key: write the call's EIDO for the CAD, and say where it went."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...config import data_dir
from ...interop.eido_files import write_call_eido

if TYPE_CHECKING:
    from textual.screen import Screen

    from .call_link import CallLink


def send_eido(screen: Screen, call: CallLink) -> None:
    """Write the call's current EIDO under ``<data dir>/eido/`` and tell the call-taker.

    When the console is an EIDO notifier (``eido_listen`` in the config) subscribed CADs have had
    every change of the call already; the file is for a CAD that takes files."""
    try:
        path = write_call_eido(call.protocol, call.session, call.call_id, data_dir() / "eido")
    except OSError as exc:
        screen.notify(f"Could not write the EIDO: {exc.strerror or exc}", title="EIDO", severity="error")
        return
    served = getattr(screen.app.settings, "eido_listen", None)
    tail = f"; CAD subscribers at {served} have every update" if served else ""
    screen.notify(f"EIDO written to {path}{tail}.", title="EIDO")
