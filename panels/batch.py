"""The Batch panel: generate every shot of the scene, watch the batch, read its result."""

from __future__ import annotations

import bpy

from ..properties import QUALITY_ITEMS
from .base import draw_progress, split_row, wrapped_label


class BatchPanel:
    panel_id = "batch"
    bl_label = "Scene Batch"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        scene_md = context.scene.movie_director

        layout.prop(scene_md, "only_changed")
        # The operator reads "Only Changed" from the scene and, without a quality, each shot's own tier.
        col = layout.column(align=True)
        row = col.row(align=True)
        row.scale_y = 1.4
        row.operator("movie_director.generate_scene", text="Generate Scene", icon="SEQ_SEQUENCER")
        row = split_row(col, "All at")
        for quality, label, _description in QUALITY_ITEMS:
            row.operator("movie_director.generate_scene", text=label).quality = quality
        layout.operator("movie_director.cancel", text="Cancel All", icon="CANCEL").scope = "ALL"

        if scene_md.batch_total:
            done, total = scene_md.batch_done, scene_md.batch_total
            draw_progress(layout, done / total, f"{done} of {total} shots")
            if scene_md.batch_failed or scene_md.batch_skipped:
                layout.label(text=f"Failed {scene_md.batch_failed} | Skipped {scene_md.batch_skipped}")
        if scene_md.batch_summary:
            wrapped_label(layout, scene_md.batch_summary, icon="INFO")
