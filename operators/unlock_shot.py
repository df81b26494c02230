"""Unlock the active shot: its approved take is approved no more."""

from __future__ import annotations

import bpy

from ..runtime import review
from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_unlock_shot(bpy.types.Operator):
    bl_idname = "movie_director.unlock_shot"
    bl_label = "Unlock Shot"
    bl_description = "Withdraw the approval of the shot's take so the shot can be generated again"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        if not review.locked(active_shot(context)):
            cls.poll_message_set("The shot is not locked: no take of it is approved")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        review.set_approved(obj, -1)
        self.report({"INFO"}, f"{obj.name} unlocked")
        return {"FINISHED"}
