"""The Batch panel: generate every shot of the scene, watch the batch, read its result."""

from __future__ import annotations

import bpy

from ..properties import QUALITY_ITEMS
from ..runtime import batch_queue, batches
from .base import draw_progress, split_row, wrapped_label

_STATUS_ICONS = {
    "waiting": "TIME",
    "queued": "SORTTIME",
    "in_progress": "RENDER_ANIMATION",
    "done": "CHECKMARK",
    "skipped": "CHECKMARK",
    "failed": "ERROR",
    "cancelled": "CANCEL",
}


def duration_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def draw_rows(context: bpy.types.Context, layout: bpy.types.UILayout, view: batches.BatchView) -> None:
    col = layout.column(align=True)
    for name, status, shot_key in view.rows:
        row = col.row(align=True)
        row.label(text=name, icon=_STATUS_ICONS.get(status, "DOT"))
        row.label(text=status.replace("_", " ").capitalize())
        if status in ("waiting", "queued", "in_progress"):
            button = row.operator("movie_director.cancel", text="", icon="X")
            button.scope, button.shot_key = "SHOT", shot_key


class BatchPanel:
    panel_id = "batch"
    bl_label = "Scene Batch"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        scene = context.scene
        scene_md = scene.movie_director

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

        # Panels never write: the in-memory batch is read as is (the scene key is only read, never made).
        view = batches.view(scene_md.scene_key) if scene_md.scene_key else None
        if scene_md.batch_total:
            done, total = scene_md.batch_done, scene_md.batch_total
            draw_progress(layout, done / total, f"{done} of {total} shots")
            if scene_md.batch_failed or scene_md.batch_skipped:
                layout.label(text=f"Failed {scene_md.batch_failed} | Skipped {scene_md.batch_skipped}")
        if view is not None and view.finished < view.total:
            eta = "estimating" if view.eta_s is None else duration_text(view.eta_s)
            layout.label(text=f"Elapsed {duration_text(view.elapsed_s)} | ETA {eta}", icon="TIME")
        if batch_queue.ID_PROP in scene and view is None:
            box = layout.box()
            box.label(text="A batch was interrupted when Blender closed", icon="ERROR")
            row = box.row(align=True)
            row.operator("movie_director.resume_batch", icon="PLAY")
            row.operator("movie_director.recover_takes", icon="RECOVER_LAST")
        if view is not None:
            draw_rows(context, layout, view)
        if any(o.movie_director.generation_status == "failed" for o in scene.objects if o.movie_director.is_shot):
            layout.operator("movie_director.retry_failed", icon="FILE_REFRESH")
        if scene_md.batch_summary:
            wrapped_label(layout, scene_md.batch_summary, icon="INFO")
        draw_review(layout, scene_md)


def draw_review(layout: bpy.types.UILayout, scene_md) -> None:
    """Dailies: the contact sheet, and a button that opens the last one made."""
    row = layout.row(align=True)
    row.operator("movie_director.contact_sheet", icon="IMAGE_DATA")
    if scene_md.contact_sheet_path:
        row.operator("wm.path_open", text="Open", icon="FILE_IMAGE").filepath = scene_md.contact_sheet_path
    if scene_md.contact_sheet_status:
        wrapped_label(layout, scene_md.contact_sheet_status)
    row = layout.row(align=True)
    row.label(text="Export Cut", icon="EXPORT")
    for fmt, label in (("OTIO", "OTIO"), ("EDL", "EDL"), ("FCP_XML", "FCP XML")):
        row.operator("movie_director.export_cut", text=label).format = fmt
