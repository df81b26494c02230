"""The layout animatic in the worker: every frame of a shot through its camera (Workbench, studio-lit), a small
preview per frame for the add-on's sidebar, and the frames encoded to an H.264 mp4 at the scene's own rate.

It renders the worker's copy of the .blend, so it sets the copy's render settings freely; the user's scene is
never open here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import bpy
import numpy as np

from . import encode, passes
from .job import AnimaticJob, RenderError, event_line, preview_path

Emit = Callable[[str], None]


def run(job: AnimaticJob, emit: Emit) -> dict:
    """Render and encode the job's clip; returns what the ``done`` event reports."""
    scene, camera = passes.scene_and_camera(job.scene, job.camera)
    os.makedirs(job.work_dir, exist_ok=True)
    count = job.frame_end - job.frame_start + 1
    paths: list[str] = []
    began = time.monotonic()

    def written(*_args) -> None:
        # After each frame of the animation render: its preview for the sidebar, and a progress line.
        frame = scene.frame_current
        path = scene.render.frame_path(frame=frame)
        if not os.path.isfile(path):
            return  # an exception here would only be printed by Blender: the count below says it
        paths.append(path)
        preview = preview_path(job.work_dir, len(paths))
        write_preview(encode.read_targa(path), preview, job.preview_max_side)
        emit(event_line("progress", phase="rendering", frame=frame, done=len(paths), total=count, preview=preview))

    with passes.context_scene(scene):
        passes.base(scene, camera, job.width, job.height)
        passes.workbench(scene, shaded=True)
        # One animation render, not a still per frame: it evaluates the scene once and then only what moves
        # (a still render builds its depsgraph anew, which costs seconds per frame in a big layout set).
        scene.frame_start, scene.frame_end, scene.frame_step = job.frame_start, job.frame_end, 1
        scene.render.use_file_extension = True
        scene.render.filepath = os.path.join(job.work_dir, "frame_######")
        # Uncompressed Targa, read back with numpy alone: loading an image into bpy.data inside a render_write
        # handler crashes Blender 5.2 (seen on the 5.2.4 module: SIGSEGV after the first frame).
        scene.render.image_settings.file_format = "TARGA_RAW"
        bpy.app.handlers.render_write.append(written)
        try:
            bpy.ops.render.render(animation=True, scene=scene.name)
        finally:
            bpy.app.handlers.render_write.remove(written)
    if len(paths) != count:
        raise RenderError(f"Blender rendered {len(paths)} of the shot's {count} frames")
    render_s = time.monotonic() - began
    emit(event_line("progress", phase="encoding", done=count, total=count))
    began = time.monotonic()
    encode.encode_mp4(paths, job.clip_path, job.width, job.height, job.fps)
    return {"clip_path": job.clip_path, "render_s": round(render_s, 3),
            "encode_s": round(time.monotonic() - began, 3)}


def write_preview(pixels: np.ndarray, path: str, max_side: int) -> None:
    """``pixels`` (``(h, w, 4)`` floats, bottom-up) scaled to ``max_side`` as uint8 RGBA rows bottom-up, written
    whole (a reader never sees half)."""
    height, width = pixels.shape[:2]
    step = max(1.0, max(width, height) / max_side)
    if step > 1.0:
        rows = np.minimum((np.arange(round(height / step)) * step).astype(int), height - 1)
        cols = np.minimum((np.arange(round(width / step)) * step).astype(int), width - 1)
        pixels = pixels[rows][:, cols]
    data = (np.clip(pixels, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    partial = path + ".part.npy"
    np.save(partial, data)
    os.replace(partial, path)
