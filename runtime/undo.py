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
    window = bpy.context.window
    # A modal operator running now would get a step pushed in the middle of its own. The context
    # is never overridden for the push (see compat.sequencer_scene): GUI timers have a window.
    if window is None or list(getattr(window, "modal_operators", ())) or not bpy.ops.ed.undo_push.poll():
        return False
    bpy.ops.ed.undo_push(message=MESSAGE)
    _owed = False
    return True


def forget() -> None:
    global _owed
    _owed = False
