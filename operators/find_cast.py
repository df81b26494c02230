"""Look through the active shot's camera over its range and note which characters it sees."""

from __future__ import annotations

import bpy

from ..runtime import cast
from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_find_cast(bpy.types.Operator):
    bl_idname = "movie_director.find_cast"
    bl_label = "Find Cast"
    bl_description = "Look through the shot camera over the shot's range and note the characters it sees"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        if not poll_active_shot(cls, context):
            return False
        if not len(context.scene.movie_director.cast):
            cls.poll_message_set("The cast is empty: add a character first")
            return False
        return True

    def execute(self, context):
        obj = active_shot(context)
        seen = cast.seen_characters(context, context.scene, obj)
        obj.movie_director.cast_seen = ", ".join(seen)
        self.report({"INFO"}, f"{obj.name} sees: {', '.join(seen)}" if seen else f"{obj.name} sees no character")
        return {"FINISHED"}
