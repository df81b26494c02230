"""Remove the selected character from the scene's cast (and from every shot's overrides)."""

from __future__ import annotations

import bpy


class MOVIE_DIRECTOR_OT_remove_character(bpy.types.Operator):
    bl_idname = "movie_director.remove_character"
    bl_label = "Remove Character"
    bl_description = "Remove the selected character from the cast and from every shot's overrides"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        scene = context.scene
        if scene is None or not 0 <= scene.movie_director.cast_index < len(scene.movie_director.cast):
            cls.poll_message_set("Select a character in the Cast panel first")
            return False
        return True

    def execute(self, context):
        props = context.scene.movie_director
        name = props.cast[props.cast_index].name
        props.cast.remove(props.cast_index)
        props.cast_index = max(0, min(props.cast_index, len(props.cast) - 1))
        for obj in context.scene.objects:
            overrides = obj.movie_director.cast_overrides
            for index in reversed(range(len(overrides))):
                if overrides[index].name == name:
                    overrides.remove(index)
        self.report({"INFO"}, f"{name} removed from the cast")
        return {"FINISHED"}
