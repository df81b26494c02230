"""The Shot > Guide sub-panel: what the layout gives the model (guide, keyframes, continuation), the
pose rig mapping, what the renderer did last and a thumbnail of the guide."""

from __future__ import annotations

import bpy

from .base import ShotPanel, active_shot, wrapped_label

_POSE = ("POSE", "DEPTH_POSE")


class ShotGuidePanel(ShotPanel):
    panel_id = "shot_guide"
    parent_id = "shot"
    bl_label = "Guide"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        obj = active_shot(context)
        shot = obj.movie_director
        layout.prop(shot, "guide")
        if shot.guide != "NONE":
            layout.prop(shot, "guide_strength", slider=True)
        layout.prop(shot, "keyframes")
        if shot.keyframes in ("FIRST", "FIRST_LAST"):
            layout.prop(shot, "keyframe_first_image", text="First Image")
        if shot.keyframes == "FIRST_LAST":
            layout.prop(shot, "keyframe_last_image", text="Last Image")
        if shot.keyframes != "NONE" and context.scene.render.engine == "BLENDER_WORKBENCH":
            wrapped_label(layout, context, "Keyframes render with Workbench: a grey blockout still makes a grey clip. "
                                  "Use EEVEE or your own painted images", icon="ERROR")
        layout.prop(shot, "continue_previous")
        if shot.guide in _POSE:
            _draw_pose(layout, shot)
        if shot.guide_status:
            wrapped_label(layout, context, shot.guide_status, icon="RENDER_ANIMATION")
        if shot.guide_blockout and shot.keyframes != "NONE":
            wrapped_label(layout, context, "The last keyframes were Workbench renders (grey look)", icon="INFO")
        image = shot.guide_thumbnail
        preview = image.preview if image is not None else None
        if preview is not None and preview.icon_id:
            layout.template_icon(icon_value=preview.icon_id, scale=6.0)



def _draw_pose(layout: bpy.types.UILayout, shot) -> None:
    layout.prop(shot, "pose_rig")
    if shot.pose_rig != "CUSTOM":
        return
    col = layout.column(align=True)
    for index, row in enumerate(shot.pose_bone_map):
        line = col.row(align=True)
        line.prop(row, "keypoint", text="")
        line.prop(row, "bone", text="")
        line.prop(row, "use_tail", text="", icon="BONE_DATA")
        remove = line.operator("movie_director.edit_pose_bones", text="", icon="X")
        remove.action, remove.index = "REMOVE", index
    col.operator("movie_director.edit_pose_bones", text="Add Keypoint", icon="ADD").action = "ADD"
