"""Add a character to the scene's cast, standing for the active object (or nothing yet)."""

from __future__ import annotations

import bpy


class MOVIE_DIRECTOR_OT_add_character(bpy.types.Operator):
    bl_idname = "movie_director.add_character"
    bl_label = "Add Character"
    bl_description = "Add a character to the cast, standing for the active object when it is not a camera"
    bl_options = {"REGISTER", "UNDO"}

    name: bpy.props.StringProperty(name="Name", description="The character's name (empty: the object's)")
    description: bpy.props.StringProperty(name="Description", description="A short description for the prompt")

    @classmethod
    def poll(cls, context):
        if context.scene is None:
            cls.poll_message_set("Open a scene first")
            return False
        return True

    def execute(self, context):
        cast = context.scene.movie_director.cast
        obj = context.active_object
        target = obj if obj is not None and obj.type != "CAMERA" else None
        name = self.name.strip() or (target.name if target is not None else "Character")
        taken = {c.name for c in cast}
        unique, n = name, 1
        while unique in taken:
            n += 1
            unique = f"{name} {n}"
        character = cast.add()
        character.name = unique
        character.description = self.description.strip()
        character.target = target
        context.scene.movie_director.cast_index = len(cast) - 1
        self.report({"INFO"}, f"{unique} added to the cast" + (f" as {target.name}" if target else ""))
        return {"FINISHED"}
