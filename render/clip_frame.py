"""The last frame of a clip written as a PNG, in the worker: a continuation shot's start image.

A movie strip in a scene of the worker's own (the user's file is not open here) rendered through the sequencer
at the clip's size with the Standard view, so the PNG holds the clip's own pixels.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import bpy

from .job import ClipFrameJob, RenderError

#: Blender 5.1 renamed the strip's timing (``frame_final_end`` -> ``right_handle``).
_RIGHT_HANDLE = "right_handle" if hasattr(bpy.types, "Strip") and "right_handle" in bpy.types.Strip.bl_rna.properties \
    else "frame_final_end"


def run(job: ClipFrameJob, emit: Callable[[str], None]) -> dict:
    """Write the clip's last frame to ``job.path``; returns what the ``done`` event reports."""
    if not os.path.isfile(job.clip):
        raise RenderError(f"The take {job.clip} is not on disk")
    scene = bpy.data.scenes.new("MD Frame Extract")
    editor = scene.sequence_editor_create()
    strips = editor.strips if hasattr(editor, "strips") else editor.sequences
    # ORIGINAL: the render size is set to the clip's own size below, after the strip exists; FIT would have
    # scaled the clip for the default render size instead.
    strip = strips.new_movie(name="clip", filepath=job.clip, channel=1, frame_start=1, fit_method="ORIGINAL")
    element = strip.elements[0]
    render = scene.render
    render.resolution_x, render.resolution_y = element.orig_width or 832, element.orig_height or 480
    render.resolution_percentage = 100
    last = int(getattr(strip, _RIGHT_HANDLE)) - 1
    scene.frame_start, scene.frame_end = 1, max(1, last)
    render.use_sequencer = True
    # Standard view transform: the PNG must hold the clip's own colours, not a graded look.
    scene.view_settings.view_transform, scene.view_settings.look = "Standard", "None"
    render.filepath, render.use_file_extension = job.path, False
    render.image_settings.file_format, render.image_settings.color_mode = "PNG", "RGB"
    # Measured on 5.0: ``render.render(scene=other)`` decodes movie strips at the *context* scene's frame,
    # whatever the rendered scene's own frame is: both are set (nothing of the user's is in this process).
    bpy.context.scene.frame_current = scene.frame_current = last
    os.makedirs(os.path.dirname(job.path) or ".", exist_ok=True)
    bpy.ops.render.render(write_still=True, scene=scene.name)
    if not os.path.isfile(job.path):
        raise RenderError(f"Blender did not write the image {job.path}")
    return {"path": job.path, "frame": last}
