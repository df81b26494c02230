"""Choosing a take from the list: selecting a row of the takes list is choosing that take.

``take_list_index`` (the row the list highlights) follows the active take; a click on another row
shows that take through ``review.show`` like Set Active Take does.
"""

from __future__ import annotations

import bpy

from . import log, review, timeline


class TakeChoiceError(Exception):
    """The take cannot be shown; the message says why."""


def choose(scene: bpy.types.Scene, obj: bpy.types.Object, index: int) -> str:
    """Make take ``index`` active and show it; returns a note for the user ("" if none)."""
    shot = obj.movie_director
    if not 0 <= index < len(shot.takes):
        raise TakeChoiceError(f"{obj.name} has {len(shot.takes)} takes; there is no take {index + 1}")
    try:
        note = review.show(scene, obj, index)
    except timeline.TimelineError as exc:
        raise TakeChoiceError(str(exc)) from exc
    shot.take_list_index = index  # equal to the active take now: the list's update does nothing more
    return note


def list_row_selected(shot, context: bpy.types.Context) -> None:
    """``take_list_index``'s update: a row clicked in the takes list chooses that take."""
    index = shot.take_list_index
    if index == shot.active_take_index or not 0 <= index < len(shot.takes):
        return
    obj = shot.id_data
    try:
        choose(context.scene, obj, index)
    except TakeChoiceError as exc:
        log.write(f"{obj.name}: {exc}")
        shot.take_list_index = shot.active_take_index
