"""Add or remove a row of the active shot's own bone map (Pose Rig: Custom), for rigs no preset knows."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, IntProperty

from .common import active_shot, poll_active_shot


class MOVIE_DIRECTOR_OT_edit_pose_bones(bpy.types.Operator):
    bl_idname = "movie_director.edit_pose_bones"
    bl_label = "Edit Pose Bone Map"
    bl_description = "Add a keypoint to the shot's own bone map, or remove one"
    bl_options = {"REGISTER", "UNDO"}

    action: EnumProperty(
        name="Action", items=(("ADD", "Add", "Add a keypoint row"), ("REMOVE", "Remove", "Remove the row")),
        default="ADD",
    )
    index: IntProperty(name="Row", default=-1, description="Row to remove (-1: the last)")

    @classmethod
    def poll(cls, context):
        return poll_active_shot(cls, context)

    def execute(self, context):
        shot = active_shot(context).movie_director
        rows = shot.pose_bone_map
        if self.action == "ADD":
            used = {row.keypoint for row in rows}
            row = rows.add()
            free = [item.identifier for item in row.bl_rna.properties["keypoint"].enum_items if item.identifier
                    not in used]
            if free:
                row.keypoint = free[0]
            shot.pose_rig = "CUSTOM"
            return {"FINISHED"}
        index = self.index if self.index >= 0 else len(rows) - 1
        if not 0 <= index < len(rows):
            self.report({"ERROR"}, "The bone map has no such row")
            return {"CANCELLED"}
        rows.remove(index)
        return {"FINISHED"}
