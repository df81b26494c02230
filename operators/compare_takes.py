"""A/B: switch the shot on the timeline between its active take and the one shown before, with one key."""

from __future__ import annotations

import bpy

from ..runtime import paths, review, timeline
from .common import report_notices


class MOVIE_DIRECTOR_OT_compare_takes(bpy.types.Operator):
    bl_idname = "movie_director.compare_takes"
    bl_label = "Compare Takes (A/B)"
    bl_description = (
        "Switch the shot on the timeline between its active take and the one shown before it (the sequencer's "
        "active shot strip, else the active shot)"
    )
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        obj = review.target_shot(context)
        if obj is None:
            cls.poll_message_set("Select a shot or its strip first")
            return False
        if len(obj.movie_director.takes) < 2:
            cls.poll_message_set(f"{obj.name} has fewer than two takes: generate another to compare")
            return False
        return True

    def execute(self, context):
        obj = review.target_shot(context)
        other = review.other_take(obj)
        try:
            note = review.show(context.scene, obj, other)
        except timeline.TimelineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        takes, compare = obj.movie_director.takes, obj.movie_director.compare_take_index
        self.report({"INFO"}, note or f"{obj.name}: {paths.take_label(takes[other].filepath, other)} on the timeline "
                                       f"(B: {paths.take_label(takes[compare].filepath, compare)})")
        report_notices(self)
        return {"FINISHED"}
