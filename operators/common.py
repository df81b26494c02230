"""Helpers the operators share: finding the active shot and reporting what the log kept for the user."""

from __future__ import annotations

import bpy

from ..runtime import log


def active_shot(context: bpy.types.Context) -> bpy.types.Object | None:
    obj = context.active_object
    return obj if obj is not None and obj.movie_director.is_shot else None


def poll_active_shot(cls: type, context: bpy.types.Context) -> bool:
    """Poll for operators on the active shot, saying why they cannot run."""
    if context.active_object is None:
        cls.poll_message_set("Select a shot first")
        return False
    if not context.active_object.movie_director.is_shot:
        cls.poll_message_set(f"{context.active_object.name} is not a shot: use Mark Shot first")
        return False
    return True


def report_notices(operator: bpy.types.Operator) -> None:
    """Report the notices the pump kept (takes of deleted shots or closed files) as warnings."""
    for line in log.take_notices():
        operator.report({"WARNING"}, line)
