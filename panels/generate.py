"""The Generate panel: run or stop the active shot, watch it progress, see why it failed and fix it."""

from __future__ import annotations

import bpy

from .. import preferences
from ..properties import MOVIE_DIRECTOR_PG_shot
from ..runtime import session
from ..wangp_backend.catalog import ModelCatalog
from .base import ShotPanel, active_shot, draw_progress, wrapped_label
from .fixes import fix_for_failure
from .session import runs_animatic

STATUS_LABELS = {
    "queued": ("Queued", "SORTTIME"),
    "done": ("Done", "CHECKMARK"),
    "cancelled": ("Cancelled", "CANCEL"),
}

#: Size of the live preview in the panel, in icon units (the image keeps its aspect).
PREVIEW_SCALE = 8


def progress_text(phase: str, step: int, total: int) -> str:
    """The bar text: "Denoising: step 3/20", or just the phase while WanGP loads or decodes."""
    phase = phase.capitalize() or "Generating"
    return f"{phase}: step {step}/{total}" if total else phase


def has_model_problem(shot: MOVIE_DIRECTOR_PG_shot, catalog: ModelCatalog | None) -> bool:
    """The failure is about the model: unknown or not downloaded here, or the message names a model."""
    if "model" in shot.error_message.lower():
        return True
    if catalog is None or not shot.model_type:
        return False
    info = catalog.get(shot.model_type)
    return info is None or not info.available


def draw_failure(layout: bpy.types.UILayout, shot: MOVIE_DIRECTOR_PG_shot) -> None:
    """The error box: what failed, what to do, and the one-click fix for its kind of failure."""
    box = layout.box()
    box.alert = True
    wrapped_label(box, shot.error_message or "Generation failed", icon="ERROR")
    if shot.error_hint:
        wrapped_label(box, shot.error_hint)
    fix = fix_for_failure(shot.error_class, has_model_problem(shot, session.catalog()), shot.quality)
    if fix is not None:
        op = box.operator(fix.operator, text=fix.text, icon=fix.icon)
        for name, value in fix.properties:
            setattr(op, name, value)


class GeneratePanel(ShotPanel):
    panel_id = "generate"
    bl_label = "Generate"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        shot = active_shot(context).movie_director
        status = shot.generation_status
        running = status in ("queued", "in_progress") or shot.queued_jobs > 0

        row = layout.row(align=True)
        row.scale_y = 1.4
        row.operator("movie_director.generate_shot", text="Generate", icon="RENDER_ANIMATION").quality = shot.quality
        if running:
            row.operator("movie_director.cancel", text="Cancel", icon="CANCEL").scope = "SHOT"
        if runs_animatic(session.view().mode, preferences.wangp_setup(context).configured):
            note = layout.column()
            note.active = False
            note.label(text="Layout animatic: a Blender render, not AI", icon="INFO")

        if status == "in_progress":
            draw_progress(
                layout,
                shot.generation_progress / 100,
                progress_text(shot.generation_phase, shot.generation_step, shot.generation_total_steps),
            )
        elif status in STATUS_LABELS:
            text, icon = STATUS_LABELS[status]
            layout.label(text=text, icon=icon)
        elif status == "failed":
            draw_failure(layout, shot)
        if shot.queued_jobs > 1:
            layout.label(text=f"{shot.queued_jobs - 1} more queued for this shot", icon="SORTTIME")

        if shot.preview_image is not None:
            icon_id = layout.icon(shot.preview_image)
            if icon_id:
                layout.template_icon(icon_value=icon_id, scale=PREVIEW_SCALE)
            else:
                # Headless Blender and a preview not rendered yet both give icon 0.
                layout.label(text=f"Preview: {shot.preview_image.name}", icon="IMAGE_DATA")

        index = shot.active_take_index
        if 0 <= index < len(shot.takes) and shot.takes[index].used_fallback:
            take = shot.takes[index]
            box = layout.box()
            wrapped_label(box, f"Made by the fallback model {take.model_type}", icon="INFO")
            if take.primary_error:
                wrapped_label(box, f"The primary model failed: {take.primary_error}")
