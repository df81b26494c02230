"""The Takes panel: every clip made for the active shot, which one is on the timeline, its settings."""

from __future__ import annotations

import os

import bpy

from ..runtime import paths
from ..wangp_backend.hosts.animatic import MODEL_TYPE as ANIMATIC_MODEL
from .base import ShotPanel, active_shot, wrapped_label
from .takes_list import take_name

#: Rows the list shows before it scrolls.
LIST_ROWS = 4


class TakesPanel(ShotPanel):
    panel_id = "takes"
    bl_label = "Takes"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        shot = active_shot(context).movie_director
        if not len(shot.takes):
            layout.label(text="No takes yet", icon="INFO")
        else:
            layout.template_list(
                # Selecting a row chooses the take: take_list_index's update swaps the clip.
                "MOVIE_DIRECTOR_UL_takes", "", shot, "takes", shot, "take_list_index", rows=LIST_ROWS
            )
            draw_lock(layout, context, shot)
            index = shot.active_take_index
            if 0 <= index < len(shot.takes):
                take = shot.takes[index]
                draw_review(layout, context, shot, take)
                col = layout.column(align=True)
                col.active = False
                wrapped_label(col, context, take_name(take, index), icon="FILE_MOVIE")
                wrapped_label(col, context, made_by(take))
                sound = ", with sound" if take.has_audio else ""
                wrapped_label(col, context, f"{take.frame_count} frames at {take.fps:g} fps{sound}")
                if take.used_fallback:
                    wrapped_label(
                        col, context, f"Fallback: {take.primary_error or 'the primary model failed'}", icon="ERROR"
                    )
        layout.operator("movie_director.export_settings", icon="EXPORT")


def made_by(take) -> str:
    """What made the take: the model and its seed, or the layout animatic (a render has no seed)."""
    if take.model_type == ANIMATIC_MODEL:
        return "Layout animatic (a Blender render, not AI)"
    return f"{take.model_type}, seed {take.seed}"


def draw_lock(layout: bpy.types.UILayout, context: bpy.types.Context, shot) -> None:
    """A locked shot says so, with its one-click unlock."""
    approved = next((i for i, take in enumerate(shot.takes) if take.approved), -1)
    if approved < 0:
        return
    # The sentence on its own line: beside the button it is cut at the default sidebar width.
    label = paths.take_label(shot.takes[approved].filepath, approved)
    wrapped_label(layout, context, f"Locked: {label} approved", icon="LOCKED")
    layout.operator("movie_director.unlock_shot", text="Unlock", icon="UNLOCKED")


def draw_review(layout: bpy.types.UILayout, context: bpy.types.Context, shot, take) -> None:
    """The active take's review: approve, A/B against the take shown before, rating and note."""
    # One button a line: side by side, "Approve Take" and "A/B with Take 2" are cut at 220 px.
    row = layout.column(align=True)
    if not take.approved:
        row.operator("movie_director.approve_take", icon="CHECKMARK")
    if len(shot.takes) > 1:
        other = shot.compare_take_index
        label = f"A/B with Take {other + 1}" if 0 <= other < len(shot.takes) and other != shot.active_take_index \
            else "A/B"
        row.operator("movie_director.compare_takes", text=label, icon="ARROW_LEFTRIGHT")
    layout.operator("movie_director.postprocess_take", icon="MODIFIER")
    if take.parent_take:
        wrapped_label(layout, context, f"Post-processed from {os.path.basename(take.parent_take)}", icon="MODIFIER")
    layout.prop(take, "rating", slider=True)
    layout.prop(take, "note", text="", icon="TEXT")
