"""Takes survive Ctrl+Z without an undo step of their own.

The pump changes Blender data outside any operator, so the user's next Ctrl+Z goes back to a step
from before a take arrived and would drop it from its shot and the timeline (the clip stays on
disk). Pushing an undo step from the pump would prevent that, but ``ed.undo_push`` writes the whole
file into memory on the main thread (measured on bpy 5.0.1: 1 ms in an empty scene, 120-340 ms with
10,000 objects), so the pump never calls it. Instead every take delivered to the open file is
remembered here, and after an undo or redo a shot that lost one gets it back (with its strip):
a generated clip is a result, not an edit, and undo never throws one away.
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.app.handlers import persistent

from . import jobs, keys, log, shot_state, take_record, timeline, timer

#: shot_key -> the take fields (:func:`take_record.fields`) delivered to the open file, in order
_delivered: dict[str, list[dict[str, Any]]] = {}


def remember(shot_key: str, fields: dict[str, Any]) -> None:
    _delivered.setdefault(shot_key, []).append(dict(fields))


def _restore_shot(key: str, delivered: list[dict[str, Any]]) -> bool:
    scene, obj = keys.find_shot(key)
    if obj is None:
        return False
    shot = obj.movie_director
    present = {take.filepath for take in shot.takes}
    missing = [fields for fields in delivered if fields["filepath"] not in present]
    if not missing:
        return False
    for fields in missing:
        take_record.add(shot, fields)
    waiting, submitted = jobs.for_shot(key)
    shot_state.take_restored(shot, jobs_left=bool(waiting or submitted))
    if timeline.blocked():
        timeline.request_show(key, shot.active_take_index)
        timer.ensure_timer()
    else:
        try:
            timeline.show_take(scene, obj, shot.active_take_index)
        except timeline.TimelineError as exc:
            log.write(str(exc))
    return True


@persistent
def restore(*_args) -> None:
    """``undo_post`` / ``redo_post``: give back the takes that the restored state lacks."""
    keys.forget()  # the undone data are new objects; names are looked up again
    timeline.after_undo()  # a landing under way starts again; none of its strips stays half-made
    restored = [key for key, delivered in _delivered.items() if _restore_shot(key, delivered)]
    if restored:
        log.write(f"Undo kept the takes generated meanwhile ({len(restored)} shot(s))")


def forget() -> None:
    _delivered.clear()


def register() -> None:
    for handler_list in (bpy.app.handlers.undo_post, bpy.app.handlers.redo_post):
        if restore not in handler_list:
            handler_list.append(restore)


def unregister() -> None:
    for handler_list in (bpy.app.handlers.undo_post, bpy.app.handlers.redo_post):
        if restore in handler_list:
            handler_list.remove(restore)
