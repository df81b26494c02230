"""Show another take of the active shot on the timeline."""

from __future__ import annotations

import bpy
from bpy.props import IntProperty

from ..runtime import take_choice
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
        if not active_shot(context).movie_director.takes:
            cls.poll_message_set("The shot has no takes yet: generate it first")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        try:
            note = take_choice.choose(context.scene, obj, self.index)
        except take_choice.TakeChoiceError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if note:
            self.report({"INFO"}, note)
        report_notices(self)
        return {"FINISHED"}
