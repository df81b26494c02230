"""Make the active shot an ordinary object again."""

from __future__ import annotations

import bpy

from ..runtime import shot_state
from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_unmark_shot(bpy.types.Operator):
    bl_idname = "movie_director.unmark_shot"
    bl_label = "Unmark Shot"
    bl_description = "Stop treating the active shot as a shot; its takes and clips stay where they are"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        if shot_state.busy(active_shot(context).movie_director):
            cls.poll_message_set("The shot is generating: cancel it first")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        obj.movie_director.is_shot = False
        self.report({"INFO"}, f"{obj.name} is no longer a shot; its clips stay on the timeline")
        return {"FINISHED"}
