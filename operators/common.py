"""Helpers the operators share: finding the shot they act on and reporting what the log kept for the user."""

from __future__ import annotations

import bpy

from ..runtime import log, selection


def active_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    """The shot the operator acts on: the active strip's shot in the Sequencer, else the active object."""
    return selection.context_shot(context)


def poll_active_shot(cls: type, context: bpy.types.Context) -> bool:
    """Poll for operators on the active shot, saying why they cannot run."""
    obj = selection.context_object(context)
    if obj is None:
        cls.poll_message_set("Select a shot first")
        return False
    if not obj.movie_director.is_shot:
        cls.poll_message_set(f"{obj.name} is not a shot: use Mark Shot first")
        return False
    return True


def poll_has_cast(cls: type, context: bpy.types.Context) -> bool:
    """Poll for operators that need a character in the scene's cast, saying why they cannot run."""
    if not len(context.scene.movie_director.cast):
        cls.poll_message_set("The cast is empty: add a character first")
        return False
    return True


def report_notices(operator: bpy.types.Operator) -> None:
    """Report the notices the pump kept (takes of deleted shots or closed files) as warnings."""
    for line in log.take_notices():
        operator.report({"WARNING"}, line)
