"""Look through the active shot's camera over its range and note which characters it sees."""

from __future__ import annotations

import bpy

from ..runtime import cast
from .common import active_shot, poll_active_shot, poll_has_cast


class MOVIE_DIRECTOR_OT_find_cast(bpy.types.Operator):
    bl_idname = "movie_director.find_cast"
    bl_label = "Find Cast"
    bl_description = "Look through the shot camera over the shot's range and note the characters it sees"
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context) and poll_has_cast(cls, context)

    def execute(self, context):
        obj = active_shot(context)
        seen = cast.seen_characters(context, context.scene, obj)
        obj.movie_director.cast_seen = ", ".join(seen)
        self.report({"INFO"}, f"{obj.name} sees: {', '.join(seen)}" if seen else f"{obj.name} sees no character")
        return {"FINISHED"}
