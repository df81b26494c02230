"""Say on the active shot whether a character is in it, whatever its camera sees (add, remove, pin, or clear)."""

from __future__ import annotations

import bpy

from .common import active_shot, poll_active_shot, poll_has_cast

MODES = (
    ("ADD", "Add", "In the shot even when its camera does not see the character"),
    ("REMOVE", "Remove", "Not in the shot even when its camera sees the character"),
    ("PIN", "Pin", "In the shot and its lead: its face and voice come first"),
    ("CLEAR", "Clear", "Back to what the camera sees"),
)


class MOVIE_DIRECTOR_OT_set_cast_override(bpy.types.Operator):
    bl_idname = "movie_director.set_cast_override"
    bl_label = "Set Cast Override"
    bl_description = "Add, remove or pin a character on the active shot, or go back to what its camera sees"
    bl_options = {"REGISTER", "UNDO"}

    character: bpy.props.StringProperty(
        name="Character", description="Name of the character (empty: the one selected in the Cast panel)"
    )
    mode: bpy.props.EnumProperty(name="Mode", items=MODES, default="ADD", description="What the shot does")

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context) and poll_has_cast(cls, context)

    def execute(self, context):
        props = context.scene.movie_director
        names = {c.name for c in props.cast}
        name = self.character or (props.cast[props.cast_index].name if props.cast_index < len(props.cast) else "")
        if name not in names:
            self.report({"ERROR"}, f"No character called '{name}' in the cast")
            return {"CANCELLED"}
        obj = active_shot(context)
        overrides = obj.movie_director.cast_overrides
        for index in reversed(range(len(overrides))):
            if overrides[index].name == name:
                overrides.remove(index)
        if self.mode != "CLEAR":
            entry = overrides.add()
            entry.name = name
            entry.mode = self.mode
        self.report({"INFO"}, f"{obj.name}: {name} {self.mode.lower()}")
        return {"FINISHED"}
