"""Which shot the sidebar and the operators act on.

In the 3D View it is the active object. In the Sequencer it is the shot of the active strip (the clip
the user clicked carries its shot's key in ``md_shot_key``), so clicking SH030's clip shows SH030
even while the Cube is the active object; with no Movie Director clip active it is the active object
again. Read-only (draw and poll call it): looking a key up never writes Blender data.
"""

from __future__ import annotations

import bpy

from . import keys


def in_sequencer(context: bpy.types.Context) -> bool:
    space = getattr(context, "space_data", None)
    return space is not None and getattr(space, "type", "") == "SEQUENCE_EDITOR"


def strip_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    """The shot of the Sequencer's active strip, when it is a Movie Director clip of the context scene."""
    # 5.0's Sequencer shows the workspace's sequencer scene, which may differ from the context scene.
    shown = getattr(context, "sequencer_scene", None) or context.scene
    editor = shown.sequence_editor if shown is not None else None
    strip = editor.active_strip if editor is not None else None
    key = strip.get("md_shot_key") if strip is not None else None
    if not isinstance(key, str) or not key:
        return None
    scene, obj = keys.find_shot(key)
    # Operators queue and key shots through the context scene: a shot of another scene is not theirs.
    return obj if scene is not None and scene == context.scene else None


def context_object(context: bpy.types.Context) -> bpy.types.Object | None:
    """The object the sidebar and operators are about: the active strip's shot in the Sequencer, else
    the active object."""
    if in_sequencer(context):
        obj = strip_shot(context)
        if obj is not None:
            return obj
    return getattr(context, "active_object", None)


def context_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    """:func:`context_object` when it is a shot."""
    obj = context_object(context)
    return obj if obj is not None and obj.movie_director.is_shot else None
