"""Undo steps for what the pump writes (a new take, its strip).

The pump changes Blender data outside any operator. Without an undo step of its own, the user's
next Ctrl+Z goes back to the step before the take arrived and drops it from the shot and the
timeline (the clip stays on disk). So the pump owes an undo step after such changes and records it
as soon as nothing modal (a transform, a paint stroke) owns the undo stack.
"""

from __future__ import annotations

import bpy

MESSAGE = "Movie Director: New Take"

_owed = False


def owe() -> None:
    global _owed
    _owed = True


def owed() -> bool:
    return _owed


def settle() -> bool:
    """Record the owed undo step if Blender allows it now; True when nothing is owed any more."""
    global _owed
    if not _owed:
        return True
    context = bpy.context
    window = context.window or next(iter(context.window_manager.windows), None)
    # Timer callbacks have no window in their context; undo_push needs one. A modal operator
    # running now would get a step pushed in the middle of its own.
    if window is None or list(getattr(window, "modal_operators", ())):
        return False
    with context.temp_override(window=window):
        if not bpy.ops.ed.undo_push.poll():
            return False
        bpy.ops.ed.undo_push(message=MESSAGE)
    _owed = False
    return True


def forget() -> None:
    global _owed
    _owed = False
