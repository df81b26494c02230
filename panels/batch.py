"""The Batch panel: generate every shot of the scene, watch the batch, read its result."""

from __future__ import annotations

import bpy

from ..properties import QUALITY_ITEMS
from ..runtime import batch_queue, batches, jobs, shot_index
from .base import draw_progress, wrapped_label

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
        # Full width: beside an "All at" label the three names are cut at the default sidebar width.
        row = col.row(align=True)
        for quality, label, _description in QUALITY_ITEMS:
            row.operator("movie_director.generate_scene", text=label).quality = quality

        # Panels never write: the in-memory batch is read as is (the scene key is only read, never made).
        view = batches.view(scene_md.scene_key) if scene_md.scene_key else None
        if jobs.count() or (view is not None and view.finished < view.total):
            layout.operator("movie_director.cancel", text="Cancel All", icon="CANCEL").scope = "ALL"
        if scene_md.batch_total:
            done, total = scene_md.batch_done, scene_md.batch_total
            draw_progress(layout, done / total, f"{done} of {total} shots")
            if scene_md.batch_failed or scene_md.batch_skipped:
                wrapped_label(layout, context, f"Failed {scene_md.batch_failed} | Skipped {scene_md.batch_skipped}")
        if view is not None and view.finished < view.total:
            eta = "estimating" if view.eta_s is None else duration_text(view.eta_s)
            wrapped_label(layout, context, f"Elapsed {duration_text(view.elapsed_s)} | ETA {eta}", icon="TIME")
        if batch_queue.ID_PROP in scene and view is None:
            box = layout.box()
            wrapped_label(box, context, "A batch was interrupted when Blender closed", icon="ERROR", boxes=1)
            row = box.row(align=True)
            row.operator("movie_director.resume_batch", text="Resume", icon="PLAY")
            row.operator("movie_director.recover_takes", text="Recover", icon="RECOVER_LAST")
        if view is not None:
            draw_rows(context, layout, view)
        if shot_index.any_failed(scene):
            layout.operator("movie_director.retry_failed", icon="FILE_REFRESH")
        if scene_md.batch_summary:
            wrapped_label(layout, context, scene_md.batch_summary, icon="INFO")
            # The status bar kept only the last line: the log has the whole report and every warning.
            layout.operator("movie_director.open_log", text="Open the Batch Report", icon="TEXT")
        draw_review(layout, context, scene_md)


def draw_review(layout: bpy.types.UILayout, context: bpy.types.Context, scene_md) -> None:
    """Dailies: the contact sheet, and a button that opens the last one made."""
    row = layout.row(align=True)
    row.operator("movie_director.contact_sheet", icon="IMAGE_DATA")
    if scene_md.contact_sheet_path:
        row.operator("wm.path_open", text="Open", icon="FILE_IMAGE").filepath = scene_md.contact_sheet_path
    if scene_md.contact_sheet_status:
        wrapped_label(layout, context, scene_md.contact_sheet_status)
    # The heading on its own line: beside three buttons it gets a quarter of the width and is cut.
    col = layout.column(align=True)
    col.label(text="Export Cut", icon="EXPORT")
    row = col.row(align=True)
    for fmt, label in (("OTIO", "OTIO"), ("EDL", "EDL"), ("FCP_XML", "FCP XML")):
        row.operator("movie_director.export_cut", text=label).format = fmt
