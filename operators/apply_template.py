"""Apply a template to the active shot."""

from __future__ import annotations

import bpy
from bpy.props import StringProperty

from ..properties import CAMERA_MOVE_ITEMS, QUALITY_ITEMS
from ..runtime import session
from .common import active_shot, poll_active_shot

_MOVES = {item[0] for item in CAMERA_MOVE_ITEMS}
_TIERS = {item[0] for item in QUALITY_ITEMS}


class MOVIE_DIRECTOR_OT_apply_template(bpy.types.Operator):
    bl_idname = "movie_director.apply_template"
    bl_label = "Apply Template"
    bl_description = "Give the active shot a template's look, camera moves, resolution and quality"
    bl_options = {"REGISTER", "UNDO"}

    template: StringProperty(name="Template", description="Template id; empty removes the shot's template")

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context)

    def execute(self, context):
        shot = active_shot(context).movie_director
        if not self.template:
            shot.template = ""
            self.report({"INFO"}, "Template removed")
            return {"FINISHED"}
        template = session.templates().get(self.template)
        if template is None:
            names = ", ".join(session.templates().names())
            self.report({"ERROR"}, f"Unknown template '{self.template}'; known: {names}")
            return {"CANCELLED"}
        shot.template = template.id
        moves = {move for move in template.camera_movements if move in _MOVES}
        if moves:
            shot.camera_movements = moves
            if shot.camera_mode == "NONE":
                shot.camera_mode = "MANUAL"
        if template.resolution:
            shot.resolution = template.resolution
        if template.tier in _TIERS:
            shot.quality = template.tier
        self.report({"INFO"}, f"Template '{template.label or template.id}' applied")
        return {"FINISHED"}
