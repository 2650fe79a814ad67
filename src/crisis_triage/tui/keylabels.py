"""The key in force for a binding, as the console names it on screen (a remapped key shows its new label)."""

from __future__ import annotations

from textual.dom import DOMNode

from ..keymap import label


def shown_key(node: DOMNode, binding_id: str) -> str:
    """``F10`` for ``end_call`` (or the key the config file maps it to) in ``node``'s app."""
    return label(binding_id, getattr(node.app, "keymap_in_force", None))
