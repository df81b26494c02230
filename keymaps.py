"""The A/B key: one key switches the shot between two takes, in the Sequencer and in the 3D View.

F7: Blender's default keymap leaves F5-F8 free for the user and add-ons. The entries go into the
add-on key configuration, so the user can rebind them in Preferences > Keymap.
"""

from __future__ import annotations

import bpy

COMPARE_KEY = "F7"
#: (keymap name, space type) the key works in.
KEYMAPS = (("Sequencer", "SEQUENCE_EDITOR"), ("3D View", "VIEW_3D"))

_items: list[tuple[bpy.types.KeyMap, bpy.types.KeyMapItem]] = []


def register() -> None:
    keyconfig = bpy.context.window_manager.keyconfigs.addon
    if keyconfig is None:  # Blender started without key configurations: nothing to bind to
        return
    for name, space in KEYMAPS:
        keymap = keyconfig.keymaps.new(name=name, space_type=space)
        item = keymap.keymap_items.new("movie_director.compare_takes", COMPARE_KEY, "PRESS")
        _items.append((keymap, item))


def unregister() -> None:
    for keymap, item in _items:
        keymap.keymap_items.remove(item)
    _items.clear()
