"""The Generate panel, first in the sidebar: which shot, its prompt, what stands in the way, the
Generate button, and then how the shot is going (progress, live preview, interruption, failure)."""

from __future__ import annotations

import bpy

from .. import preferences
from ..operators.choose_available_model import needed_image, takes_images
from ..properties import MOVIE_DIRECTOR_PG_shot
from ..runtime import paths, session, shot_state
from ..wangp_backend.catalog import ModelCatalog
from ..wangp_backend.states import ShotStatus
from .base import ShotPanel, active_shot, draw_progress, wrapped_label
from .fixes import fix_for_failure
from .session import runs_animatic
from .shot_checks import shot_problems, shot_seconds

STATUS_LABELS = {
    "queued": ("Queued", "SORTTIME"),
    "done": ("Done", "CHECKMARK"),
    "cancelled": ("Cancelled", "CANCEL"),
}

#: Size of the live preview in the panel, in icon units (the image keeps its aspect).
PREVIEW_SCALE = 8

#: ``prop(placeholder=...)`` exists from Blender 4.2's successors on; where it is missing the
#: problem line under the field says the same.
HAS_PLACEHOLDER = "placeholder" in bpy.types.UILayout.bl_rna.functions["prop"].parameters

PROMPT_PLACEHOLDER = "What happens in the shot"


def progress_text(phase: str, step: int, total: int) -> str:
    """The bar text: "Denoising: step 3/20", or just the phase while WanGP loads or decodes."""
    phase = phase.capitalize() or "Generating"
    return f"{phase}: step {step}/{total}" if total else phase


def has_model_problem(shot: MOVIE_DIRECTOR_PG_shot, catalog: ModelCatalog | None) -> bool:
    """The shot's model is the problem: unknown or not downloaded here, or it cannot take the shot's images.

    Read from the catalog, never guessed from the failure's text (without a catalog, Use an Available Model
    could not run anyway).
    """
    if catalog is None or not shot.model_type:
        return False
    info = catalog.get(shot.model_type)
    return info is None or not info.available or not takes_images(info, needed_image(shot))


def interrupted(shot: MOVIE_DIRECTOR_PG_shot) -> bool:
    """The shot's batch job was cut short by Blender closing (see ``batch_queue.mark_interrupted``)."""
    return shot.generation_status == ShotStatus.CANCELLED and shot_state.was_interrupted(shot)


def draw_failure(layout: bpy.types.UILayout, context: bpy.types.Context, shot: MOVIE_DIRECTOR_PG_shot) -> None:
    """The error box: what failed and what to do in red, then the one-click fix and the log (not red:
    they are the way out, not the problem)."""
    box = layout.box()
    text = box.column()
    text.alert = True
    wrapped_label(text, context, shot.error_message or "Generation failed", icon="ERROR", boxes=1)
    if shot.error_hint:
        wrapped_label(text, context, shot.error_hint, boxes=1)
    fix = fix_for_failure(shot.error_class, has_model_problem(shot, session.catalog()), shot.quality)
    if fix is not None:
        op = box.operator(fix.operator, text=fix.text, icon=fix.icon)
        for name, value in fix.properties:
            setattr(op, name, value)
    box.operator("movie_director.open_log", icon="TEXT")


def draw_interrupted(layout: bpy.types.UILayout, context: bpy.types.Context) -> None:
    box = layout.box()
    wrapped_label(box, context, "Interrupted: Blender closed during the batch", icon="ERROR", boxes=1)
    row = box.row(align=True)
    row.operator("movie_director.resume_batch", text="Resume", icon="PLAY")
    row.operator("movie_director.recover_takes", text="Recover", icon="RECOVER_LAST")


def draw_status(layout: bpy.types.UILayout, context: bpy.types.Context, shot: MOVIE_DIRECTOR_PG_shot) -> None:
    status = shot.generation_status
    if status == "in_progress":
        draw_progress(
            layout,
            shot.generation_progress / 100,
            progress_text(shot.generation_phase, shot.generation_step, shot.generation_total_steps),
        )
    elif interrupted(shot):
        draw_interrupted(layout, context)
    elif status == "queued" and shot.generation_phase and shot.generation_phase != "Queued":
        wrapped_label(layout, context, shot.generation_phase, icon="SORTTIME")
    elif status == "done" and 0 <= shot.active_take_index < len(shot.takes):
        label = paths.take_label(shot.takes[shot.active_take_index].filepath, shot.active_take_index)
        wrapped_label(layout, context, f"Done: {label} is on the timeline", "CHECKMARK")
    elif status in STATUS_LABELS:
        text, icon = STATUS_LABELS[status]
        layout.label(text=text, icon=icon)
    elif status == "failed":
        draw_failure(layout, context, shot)
    if shot.queued_jobs > 1:
        wrapped_label(layout, context, f"{shot.queued_jobs - 1} more queued for this shot", icon="SORTTIME")


class GeneratePanel(ShotPanel):
    panel_id = "generate"
    bl_label = "Generate"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        obj = active_shot(context)
        shot = obj.movie_director
        running = shot_state.busy(shot)

        # Which shot: in the Sequencer it is the clicked clip's, which need not be the active object.
        seconds = shot_seconds(context.scene, shot)
        wrapped_label(
            layout, context, f"{obj.name}: frames {shot.frame_start}-{shot.frame_end} ({seconds:.1f} s)",
            icon="CAMERA_DATA" if obj.type == "CAMERA" else "OBJECT_DATA",
        )
        col = layout.column(align=True)
        if HAS_PLACEHOLDER:
            col.prop(shot, "prompt", text="", placeholder=PROMPT_PLACEHOLDER)
        else:
            col.prop(shot, "prompt", text="")
        for text, icon in shot_problems(context, obj):
            wrapped_label(layout, context, text, icon=icon)

        row = layout.row(align=True)
        row.scale_y = 1.4
        row.operator("movie_director.generate_shot", text="Generate", icon="RENDER_ANIMATION").quality = shot.quality
        if running:
            row.operator("movie_director.cancel", text="Cancel", icon="CANCEL").scope = "SHOT"
        if runs_animatic(session.view().mode, preferences.wangp_setup(context).configured):
            note = layout.column()
            note.active = False
            wrapped_label(note, context, "Layout animatic: a Blender render, not AI", icon="INFO")

        draw_status(layout, context, shot)

        # The live preview is for watching a job; once the take lands the clip is on the timeline.
        if running and shot.preview_image is not None:
            icon_id = layout.icon(shot.preview_image)
            if icon_id:
                layout.template_icon(icon_value=icon_id, scale=PREVIEW_SCALE)
            else:
                # Headless Blender and a preview not rendered yet both give icon 0.
                wrapped_label(layout, context, f"Preview: {shot.preview_image.name}", icon="IMAGE_DATA")

        index = shot.active_take_index
        if 0 <= index < len(shot.takes) and shot.takes[index].used_fallback:
            take = shot.takes[index]
            box = layout.box()
            wrapped_label(box, context, f"Made by the fallback model {take.model_type}", icon="INFO", boxes=1)
            if take.primary_error:
                wrapped_label(box, context, f"The primary model failed: {take.primary_error}", boxes=1)
