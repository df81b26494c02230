"""The Shot > Advanced sub-panel: sampler settings most shots leave to the quality tier."""

from __future__ import annotations

import bpy

from .base import ShotPanel, active_shot, wrapped_label


class ShotAdvancedPanel(ShotPanel):
    panel_id = "shot_advanced"
    parent_id = "shot"
    bl_label = "Advanced"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        shot = active_shot(context).movie_director
        col = layout.column()
        col.prop(shot, "steps")
        col.prop(shot, "guidance")
        sub = col.column()
        sub.active = False
        wrapped_label(sub, context, "0 lets the quality tier and the model choose")
