"""The worker's job: render one shot's guide from the opened copy of the .blend, frame by frame.

Every clip frame is sampled at its own scene time (fractional frames included), so a 16 fps guide of a
24 fps scene shows the same motion at the same moments; the control never comes out short.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable

import bpy
import numpy as np

from . import animatic, clip_frame, encode, passes, pose
from .job import AnimaticJob, ClipFrameJob, GuideJob, RenderError, event_line, load_job

Emit = Callable[[str], None]
#: Percentiles of the shot's visible depths taken as near and far: a stray far pixel or a surface
#: touching the lens must not squash the range of everything else.
NEAR_PERCENTILE, FAR_PERCENTILE = 0.5, 99.5


#: The guide at the scene's frame rate, beside the control video (the add-on puts it on the timeline).
TIMELINE_VIDEO = "timeline.mp4"


def scene_rate(frames: list[str], fps: float, scene_fps: float) -> list[str]:
    """The frames shown at each scene frame over the same span of time (nearest clip frame)."""
    if not frames or abs(fps - scene_fps) < 1e-6:
        return list(frames)
    count = round((len(frames) - 1) * scene_fps / fps) + 1
    return [frames[min(len(frames) - 1, round(j * fps / scene_fps))] for j in range(count)]


def run(job: GuideJob, emit: Emit) -> dict:
    """Make the job's files; returns what the ``done`` event reports."""
    scene, camera = passes.scene_and_camera(job.scene, job.camera)
    work = job.work_dir or tempfile.mkdtemp(prefix="md_guide_")
    os.makedirs(work, exist_ok=True)
    result: dict = {"control_path": "", "keyframes": [], "blockout": False}
    try:
        with passes.context_scene(scene):
            if job.keyframes:
                result["blockout"] = _stills(scene, camera, job)
                result["keyframes"] = [k.path for k in job.keyframes]
            if job.control_path:
                frames = _control_frames(scene, camera, job, work, emit)
                encode.encode_mp4(frames, job.control_path, job.width, job.height, job.fps)
                result["control_path"] = job.control_path
                # The same frames at the scene's rate, for the timeline (the control plays at the model's).
                timeline = os.path.join(os.path.dirname(job.control_path), TIMELINE_VIDEO)
                encode.encode_mp4(scene_rate(frames, job.fps, job.scene_fps), timeline, job.width, job.height,
                                  job.scene_fps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _stills(scene: bpy.types.Scene, camera: bpy.types.Object, job: GuideJob) -> bool:
    """Keyframe stills with the scene's own engine and look, at the guide's size."""
    blockout = passes.still(scene)
    passes.base(scene, camera, job.width, job.height)
    for keyframe in job.keyframes:
        os.makedirs(os.path.dirname(keyframe.path), exist_ok=True)
        passes.render_to(scene, job.scene_frame(keyframe.clip_frame), keyframe.path)
        if not os.path.isfile(keyframe.path):
            raise RenderError(f"Blender rendered no keyframe still at clip frame {keyframe.clip_frame}")
    return blockout


def _control_frames(scene: bpy.types.Scene, camera: bpy.types.Object, job: GuideJob, work: str,
                    emit: Emit) -> list[str]:
    passes.base(scene, camera, job.width, job.height)
    paths = [os.path.join(work, f"frame_{i:06d}.png") for i in range(job.frame_count)]
    if job.mode in ("ANIMATIC", "LINEART"):
        if job.mode == "ANIMATIC":
            passes.workbench(scene, shaded=True)
        else:
            passes.lineart(scene)
        for index, path in enumerate(paths):
            passes.render_to(scene, job.scene_frame(index), path)
            emit(event_line("progress", done=index + 1, total=job.frame_count))
        return paths
    if job.mode in ("DEPTH", "DEPTH_POSE"):
        disparity = _disparity_frames(scene, job, work, emit)
    else:
        disparity = None
    writer = encode.PngWriter(job.width, job.height)
    try:
        for index, path in enumerate(paths):
            canvas = np.zeros((job.height, job.width, 3), np.float32)
            if disparity is not None:
                canvas[:] = disparity[index][..., None]
            if job.mode in ("POSE", "DEPTH_POSE"):
                _frame_set(scene, job.scene_frame(index))
                depsgraph = bpy.context.evaluated_depsgraph_get()
                skeletons = pose.project_skeletons(scene, camera, depsgraph, job.bone_maps, job.width, job.height)
                pose.draw(canvas, skeletons)
            writer.write(canvas, path)
            if disparity is None:
                emit(event_line("progress", done=index + 1, total=job.frame_count))
    finally:
        writer.close()
    return paths


def _disparity_frames(scene: bpy.types.Scene, job: GuideJob, work: str, emit: Emit) -> list[np.ndarray]:
    """Depth as disparity (1/Z) mapped with ONE near/far range for the whole clip: near white, far and sky
    black, and no flicker when the nearest object changes (a per-frame normalise would)."""
    passes.depth(scene)
    inverse: list[np.ndarray] = []
    samples: list[np.ndarray] = []
    for index in range(job.frame_count):
        path = os.path.join(work, f"depth_{index:06d}.exr")
        passes.render_to(scene, job.scene_frame(index), path)
        z = encode.read_pixels(path)[..., 0]
        os.remove(path)
        foreground = z[z < passes.BACKGROUND_Z]
        if foreground.size:
            samples.append(foreground[:: max(1, foreground.size // 4096)])
        with np.errstate(divide="ignore"):
            inverse.append(np.where(z < passes.BACKGROUND_Z, 1.0 / np.maximum(z, 1e-6), 0.0).astype(np.float16))
        emit(event_line("progress", done=index + 1, total=job.frame_count))
    if not samples:
        return [np.zeros_like(frame, dtype=np.float32) for frame in inverse]
    every = np.concatenate(samples)
    near, far = np.percentile(every, NEAR_PERCENTILE), np.percentile(every, FAR_PERCENTILE)
    low, high = 1.0 / far, 1.0 / max(near, 1e-6)
    span = high - low
    mapped = []
    for frame in inverse:
        values = frame.astype(np.float32)
        if span <= 1e-9:
            mapped.append((values > 0).astype(np.float32))
        else:
            mapped.append(np.where(values > 0, np.clip((values - low) / span, 0.0, 1.0), 0.0).astype(np.float32))
    return mapped


def _frame_set(scene: bpy.types.Scene, frame: float) -> None:
    whole = int(frame // 1)
    scene.frame_set(whole, subframe=frame - whole)


def main(argv: list[str]) -> int:
    """``worker.py -- job.json``: run the job (a guide or an animatic), printing event lines; the exit code
    says if it worked."""
    args = argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
    if not args:
        print(event_line("failed", message="The guide worker was started without a job file"), flush=True)
        return 2
    with open(args[0], encoding="utf-8") as handle:
        job = load_job(handle.read())
    try:
        if job.blend and os.path.abspath(bpy.data.filepath or "") != os.path.abspath(job.blend):
            bpy.ops.wm.open_mainfile(filepath=job.blend, load_ui=False)
        work = animatic.run if isinstance(job, AnimaticJob) else clip_frame.run if isinstance(
            job, ClipFrameJob) else run
        result = work(job, lambda line: print(line, flush=True))
    except RenderError as exc:
        print(event_line("failed", message=str(exc)), flush=True)
        return 1
    except Exception as exc:  # the worker's boundary: any failure becomes one event the add-on shows
        print(event_line("failed", message=f"The render failed: {type(exc).__name__}: {exc}"), flush=True)
        sys.stderr.write(f"{exc!r}\n")
        return 1
    print(event_line("done", **result), flush=True)
    return 0
