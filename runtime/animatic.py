"""The Blender side of the layout animatic: what :class:`~..wangp_backend.hosts.animatic.AnimaticHost` asks of
Blender, and the background renderer it runs on.

- :class:`ShotReader` (main thread, at a job's start): the shot's scene, camera, frames, frame rate and frame
  shape, and the .blend to render: the one taken at the click (:func:`layout_copy`, remembered per job by
  :func:`remember`), so a job's start costs the pump no file write. The user's scene is only read: nothing
  temporary is made in it, saved, undone or shown.
- :class:`BackgroundRenderer`: the guides' producer (``runtime.guide_producer``) running ``render/``'s
  animatic in a child Blender; its events become the host's plain render events.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict

import bpy

from .. import compat
from ..render.job import AnimaticJob
from ..wangp_backend.hosts.animatic import (
    AnimaticHost,
    JobError,
    Layout,
    RenderDone,
    RenderEvent,
    RenderFailed,
    RenderOrder,
    RenderProgress,
)
from ..wangp_backend.requests import JobRequest
from . import guide_copy, keys
from .guide_producer import GuideDone, GuideFailed, GuideProducer

#: (shot key, take name) -> the .blend its job renders, taken at the click
_copies: dict[tuple[str, str], str] = {}
#: scene key -> the .blend of its running batch's Generate Scene click
_batch_copies: dict[str, str] = {}


def layout_copy(scene: bpy.types.Scene) -> str:
    """The .blend a background Blender renders ``scene`` from, as it is now (at the click).

    Always a copy of the scene, written with the data API (``runtime.guide_copy``: 40 ms at 3,000 objects,
    0.16-0.26 s at 10,000), under a name of its own: hashing the scene to share copies, as guides do, costs
    more than the write for a layout set (1.6 s at 10,000 objects). The saved file itself is never reused,
    even when ``bpy.data.is_dirty`` says it is unchanged: as a module (scripts, headless pipelines) Blender
    5.2 leaves that flag False after data edits, so the worker would render a stale layout without a word.
    """
    return guide_copy.write_copy(scene, f"animatic_{time.time_ns()}")


def remember(shot_key: str, take_name: str, blend: str) -> None:
    """The job of ``shot_key`` filed as ``take_name`` renders ``blend`` (taken at its click)."""
    _copies[shot_key, take_name] = blend


def remember_batch(scene_key: str, blend: str) -> None:
    """Every shot of the scene's batch renders ``blend``, taken at the Generate Scene click."""
    _batch_copies[scene_key] = blend


def batch_copy(scene_key: str) -> str:
    return _batch_copies.get(scene_key, "")


def forget() -> None:
    _copies.clear()
    _batch_copies.clear()


CRASH_HINT = ("Something in the scene may crash Blender's renderer (a simulation cache, a broken modifier): hide or "
              "fix it, then generate the shot again.")


class ShotReader:
    """The host's :class:`~..wangp_backend.hosts.animatic.LayoutReader`."""

    def prepare(self, request: JobRequest) -> Layout:
        scene, obj = keys.find_shot(request.shot_key)
        if obj is None or scene is None:
            raise JobError("setup", "The shot no longer exists (deleted, or another file was opened)",
                           "validation", "Mark the object as a shot again and generate it.")
        shot = obj.movie_director
        if shot.frame_end < shot.frame_start:
            raise JobError("validation", f"Shot '{obj.name}' ends (frame {shot.frame_end}) before it starts "
                           f"(frame {shot.frame_start})", "validation", "Fix the shot's frame range.")
        if not bpy.app.build_options.codec_ffmpeg:
            raise JobError("environment", "This Blender was built without FFmpeg: it cannot write mp4 clips",
                           "environment", "Use an official Blender build.")
        camera = obj if obj.type == "CAMERA" else scene.camera
        if camera is None:
            raise JobError("setup", f"Shot '{obj.name}' has no camera: it is not a camera and the scene "
                           f"'{scene.name}' has no active camera", "validation",
                           "Make a camera the shot, or set the scene's camera.")
        blend = _copies.pop((request.shot_key, request.take_name), "")
        if not os.path.isfile(blend):
            # Nothing taken at a click (a resumed batch, a request made by a script), or it was pruned.
            blend = layout_copy(scene)
        render = scene.render
        return Layout(
            shot_name=obj.name, scene=scene.name, camera=camera.name, frame_start=shot.frame_start,
            frame_end=shot.frame_end, fps=render.fps / render.fps_base, aspect=scene_aspect(render), blend=blend,
        )

    def exists(self, shot_key: str) -> bool:
        return keys.find_shot(shot_key)[1] is not None

    def paused(self) -> bool:
        return compat.render_running()


class BackgroundRenderer:
    """The host's :class:`~..wangp_backend.hosts.animatic.Renderer`: one child Blender per job, in order."""

    def __init__(self, producer: GuideProducer | None = None) -> None:
        self._producer = producer or GuideProducer(bpy.app.binary_path or "")

    def start(self, key: str, order: RenderOrder) -> None:
        job = AnimaticJob(**asdict(order))
        job_file = os.path.join(order.work_dir, "job.json")
        with open(job_file, "w", encoding="utf-8") as handle:
            handle.write(job.to_json())
        self._producer.start(key, job, job_file)

    def cancel(self, key: str) -> None:
        self._producer.cancel(key)

    def drain(self) -> list[RenderEvent]:
        return [_event(message) for message in self._producer.drain()]

    def close(self, timeout: float = 10.0) -> None:
        self._producer.close(timeout)

    @property
    def pid(self) -> int | None:
        """The running child's process id (tests end it to play a renderer crash)."""
        return self._producer.child_pid


def _event(message) -> RenderEvent:
    if isinstance(message, GuideDone):
        result = message.result
        return RenderDone(message.key, str(result.get("clip_path", "")), float(result.get("render_s", 0.0)),
                          float(result.get("encode_s", 0.0)))
    if isinstance(message, GuideFailed):
        if message.crashed:
            return RenderFailed(message.key, f"Blender's background renderer stopped while rendering the layout "
                                f"animatic (exit code {message.code}); your Blender is unaffected", CRASH_HINT)
        return RenderFailed(message.key, message.message)
    return RenderProgress(message.key, message.phase, message.done, message.total, message.frame, message.preview)


def make_host() -> AnimaticHost:
    return AnimaticHost(ShotReader(), BackgroundRenderer())


def scene_aspect(render: bpy.types.RenderSettings) -> float:
    """The shape of the scene's frame (width / height), pixel aspect included."""
    width = render.resolution_x * render.pixel_aspect_x
    height = render.resolution_y * render.pixel_aspect_y
    return width / height if width > 0 and height > 0 else 16 / 9
