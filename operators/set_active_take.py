"""Show another take of the active shot on the timeline."""

from __future__ import annotations

import bpy
from bpy.props import IntProperty

from ..runtime import review, timeline
from .common import active_shot, poll_active_shot, report_notices


class MOVIE_DIRECTOR_OT_set_active_take(bpy.types.Operator):
    bl_idname = "movie_director.set_active_take"
    bl_label = "Set Active Take"
    bl_description = "Make a take the shot's active one and show it on the timeline"
    bl_options = {"REGISTER", "UNDO"}

    index: IntProperty(name="Take", min=0, description="Index of the take in the shot's takes")

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        if not context.active_object.movie_director.takes:
            cls.poll_message_set("The shot has no takes yet: generate it first")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        shot = obj.movie_director
        if self.index >= len(shot.takes):
            self.report({"ERROR"}, f"{obj.name} has {len(shot.takes)} takes; there is no take {self.index + 1}")
            return {"CANCELLED"}
        try:
            note = review.show(context.scene, obj, self.index)
        except timeline.TimelineError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if note:
            self.report({"INFO"}, note)
        report_notices(self)
        return {"FINISHED"}
