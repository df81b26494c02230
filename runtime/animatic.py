"""The layout animatic: a session host that renders each shot through its camera with Blender.

It stands in for WanGP when WanGP is not set up, so queueing, progress, previews, takes and the
timeline work on any machine. It is a Workbench render of the layout, NOT AI video: the catalog
record, the log and every take's sidecar say so.

Everything runs on the main thread inside :meth:`AnimaticHost.step` (only the main thread may touch
``bpy``), one frame per call plus more while the time budget lasts, so Blender stays responsive.
The user's scenes are never changed: each frame is rendered through a temporary scene that links the
shot scene's collections and world and is removed before ``step`` returns, so nothing temporary
can be saved, undone or seen. The frames are then encoded to H.264 by Blender itself (an image
strip in another temporary scene rendered to FFMPEG): Blender's Python has no imageio.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import bpy
import numpy as np

from .. import compat
from ..wangp_backend.hashing import settings_hash
from ..wangp_backend.hosts.api import ANIMATIC
from ..wangp_backend.logs import get_logger
from ..wangp_backend.messages import (
    Cancelled,
    Failed,
    Log,
    Message,
    Preview,
    Progress,
    Queued,
    SessionState,
    Started,
    TakeReady,
)
from ..wangp_backend.requests import JobRequest
from ..wangp_backend.takes import SIDECAR_SCHEMA, place_take, write_sidecar
from ..wangp_backend.timestamps import now_iso
from . import keys

MODEL_TYPE = "layout_animatic"
NOTE = "A Blender render of the layout through the shot camera (Workbench), not AI video."
DEFAULT_RESOLUTION = (320, 180)
#: Each frame blocks Blender's main thread while it renders (2 CPU cores, Workbench: 40 ms at
#: 320x180, 250 ms at 832x480), so the animatic stays a low-resolution preview whatever is asked.
MAX_LONG_SIDE = 640
PREVIEW_MAX_SIDE = 512

_log = get_logger("animatic")


def model_record() -> dict[str, Any]:
    """The catalog record of the one "model" this host offers (a fresh dict: messages are shared)."""
    return {
        "model_type": MODEL_TYPE,
        "name": "Layout Animatic (Blender render, not AI)",
        "family": "blender",
        "family_label": "Blender layout",
        "base_model_type": MODEL_TYPE,
        "inputs": ["text"],
        "outputs": ["video"],
        "capabilities": {"text_to_video": True},
        # The clip always has the shot's own frames at the scene's frame rate; these only keep
        # the settings builder from trimming or padding the frame count.
        "fps": 24,
        "frames_minimum": 1,
        "frames_steps": 1,
        "frames_maximum": 100_000,
        "default_resolution": f"{DEFAULT_RESOLUTION[0]}x{DEFAULT_RESOLUTION[1]}",
        "default_video_length": 81,
        "default_num_inference_steps": 1,
        "default_guidance_scale": 1.0,
        "availability": "available",
        "description": NOTE,
    }


class JobError(Exception):
    """A job cannot go on for a reason the user can fix; becomes a ``Failed`` message as is."""

    def __init__(self, stage: str, message: str, error_class: str, hint: str) -> None:
        super().__init__(message)
        self.stage, self.message, self.error_class, self.hint = stage, message, error_class, hint


@dataclass
class _Job:
    """The mutable state of one job, from submit to its last message."""

    job_id: str
    request: JobRequest
    submitted_at: str
    submitted: float
    # Filled when the job starts (the shot is read then, not at submit).
    frames: list[int] = field(default_factory=list)
    done: int = 0
    width: int = 0
    height: int = 0
    fps: int = 24
    fps_base: float = 1.0
    work_dir: str = ""
    started_at: str = ""
    started: float = 0.0
    render_s: float = 0.0

    @property
    def shot_key(self) -> str:
        return self.request.shot_key


class AnimaticHost:
    """The ``Host`` of :mod:`wangp_backend.hosts.api` that renders the layout instead of calling WanGP.

    :param resolve_shot: the shot object for a shot key, or ``None`` when it no longer exists;
        called on every frame, so a shot deleted mid-render fails cleanly.
    """

    mode = "animatic"
    capabilities = ANIMATIC

    def __init__(self, resolve_shot: Callable[[str], bpy.types.Object | None]) -> None:
        self._resolve_shot = resolve_shot
        self._queue: collections.deque[_Job] = collections.deque()
        self._job: _Job | None = None
        self._messages: collections.deque[Message] = collections.deque()
        self._closed = False

    # -- Host protocol -------------------------------------------------------------------------

    def start(self) -> None:
        self._closed = False
        self._emit(self._ready_state())

    def submit(self, request: JobRequest) -> str:
        if self._closed:
            raise RuntimeError("The layout animatic host is closed; start it again before submitting")
        job = _Job(uuid.uuid4().hex[:12], request, now_iso(), time.monotonic())
        self._emit(Queued(job.job_id, request.shot_key, position=len(self._queue)))
        self._queue.append(job)
        return job.job_id

    def cancel(self, job_id: str) -> None:
        if self._job is not None and self._job.job_id == job_id:
            self._cancel_running()
            return
        for job in self._queue:
            if job.job_id == job_id:
                self._queue.remove(job)
                self._emit(Cancelled(job.job_id, job.shot_key, reason="Cancelled before it started"))
                return

    def cancel_all(self) -> None:
        if self._job is not None:
            self._cancel_running()
        while self._queue:
            job = self._queue.popleft()
            self._emit(Cancelled(job.job_id, job.shot_key, reason="Cancelled before it started"))

    def refresh_models(self) -> None:
        self._emit(self._ready_state())

    def close(self, timeout: float = 30.0) -> None:
        # Nothing runs between steps, so closing never has to wait: ``timeout`` is not needed.
        self._emit(SessionState(state="closing", mode=self.mode))
        self.cancel_all()
        self._closed = True
        self._emit(SessionState(state="stopped", mode=self.mode))

    def drain(self, max_messages: int = 10_000) -> list[Message]:
        count = min(max_messages, len(self._messages))
        return [self._messages.popleft() for _ in range(count)]

    def step(self, budget_s: float) -> None:
        """Render one frame (or encode a finished job), then more while ``budget_s`` lasts."""
        if compat.render_running():
            # The user's own render owns Blender's render pipeline; the job waits for the next step.
            return
        deadline = time.monotonic() + budget_s
        worked = False
        while (self._job is not None or self._queue) and (not worked or time.monotonic() < deadline):
            worked = True
            job = self._job or self._queue[0]
            try:
                self._advance()
            except JobError as exc:
                self._finish_failed(job, exc.stage, exc.message, exc.error_class, exc.hint)
            except Exception as exc:  # the job's boundary: report it as a failure and keep the host alive
                _log.exception("Layout animatic job %s failed", job.job_id)
                self._finish_failed(job, "render", f"{type(exc).__name__}: {exc}", "runtime",
                                    "Blender could not render the layout; the log has the details.")

    @property
    def busy(self) -> bool:
        return self._job is not None or bool(self._queue)

    # -- jobs ----------------------------------------------------------------------------------

    def _advance(self) -> None:
        if self._job is None:
            self._begin(self._queue.popleft())
            return
        job = self._job
        scene, obj, camera = self._shot(job)
        if job.done < len(job.frames):
            self._render_next(job, scene, camera)
        else:
            self._encode_and_file(job, scene, obj, camera)

    def _begin(self, job: _Job) -> None:
        """Read the shot once (frame range, size, frame rate) and announce the job."""
        self._job = job
        job.started_at, job.started = now_iso(), time.monotonic()
        scene, obj, camera = self._shot(job)
        shot = obj.movie_director
        if shot.frame_end < shot.frame_start:
            raise JobError("validation", f"Shot '{obj.name}' ends (frame {shot.frame_end}) before it starts "
                           f"(frame {shot.frame_start})", "validation", "Fix the shot's frame range.")
        if not bpy.app.build_options.codec_ffmpeg:
            raise JobError("environment", "This Blender was built without FFmpeg: it cannot write mp4 clips",
                           "environment", "Use an official Blender build.")
        job.frames = list(range(shot.frame_start, shot.frame_end + 1))
        job.width, job.height = fit_to_aspect(
            parse_resolution(str(job.request.settings.get("resolution", ""))), scene_aspect(scene.render)
        )
        job.fps, job.fps_base = scene.render.fps, scene.render.fps_base
        job.work_dir = tempfile.mkdtemp(prefix="md_animatic_")
        self._emit(Started(job.job_id, job.shot_key, model_type=MODEL_TYPE, settings=dict(job.request.settings)))
        self._log(job, f"Layout animatic of '{obj.name}': frames {job.frames[0]}-{job.frames[-1]} through camera "
                       f"'{camera.name}' at {job.width}x{job.height}, {job.fps / job.fps_base:g} fps. {NOTE}")

    def _shot(self, job: _Job) -> tuple[bpy.types.Scene, bpy.types.Object, bpy.types.Object]:
        """The shot's scene, object and camera now (looked up by key: the user may have deleted it)."""
        obj = self._resolve_shot(job.shot_key)
        if obj is None:
            raise JobError("setup", "The shot no longer exists (deleted, or another file was opened)",
                           "validation", "Mark the object as a shot again and generate it.")
        scene = shot_scene(obj, job.shot_key)
        if scene is None:
            raise JobError("setup", f"Shot '{obj.name}' is in no scene", "validation",
                           "Link the shot object into its scene again.")
        camera = obj if obj.type == "CAMERA" else scene.camera
        if camera is None:
            raise JobError("setup", f"Shot '{obj.name}' has no camera: it is not a camera and the scene "
                           f"'{scene.name}' has no active camera", "validation",
                           "Make a camera the shot, or set the scene's camera.")
        return scene, obj, camera

    def _render_next(self, job: _Job, scene: bpy.types.Scene, camera: bpy.types.Object) -> None:
        index, frame = job.done, job.frames[job.done]
        path = os.path.join(job.work_dir, f"frame_{index + 1:06d}.png")
        began = time.monotonic()
        render_frame(scene, camera, frame, job.width, job.height, path)
        job.render_s += time.monotonic() - began
        job.done += 1
        count = len(job.frames)
        self._emit(Progress(job.job_id, job.shot_key, phase="rendering", status=f"Frame {frame} ({job.done}/{count})",
                            percent=round(100 * job.done / count), current_step=job.done, total_steps=count))
        width, height, pixels = read_preview(path, PREVIEW_MAX_SIDE)
        self._emit(Preview(job.job_id, job.shot_key, width=width, height=height, pixels=pixels))

    def _encode_and_file(self, job: _Job, scene: bpy.types.Scene, obj: bpy.types.Object,
                         camera: bpy.types.Object) -> None:
        count = len(job.frames)
        self._emit(Progress(job.job_id, job.shot_key, phase="encoding", status="Encoding the mp4", percent=100,
                            current_step=count, total_steps=count))
        began = time.monotonic()
        frames = [os.path.join(job.work_dir, f"frame_{i + 1:06d}.png") for i in range(count)]
        clip = os.path.join(job.work_dir, "clip.mp4")
        encode_mp4(frames, clip, job.width, job.height, job.fps, job.fps_base)
        encode_s = time.monotonic() - began
        if not os.path.isfile(clip) or os.path.getsize(clip) == 0:
            raise JobError("encode", "Blender wrote no mp4 for the animatic", "runtime",
                           "Check that FFmpeg output works in this Blender build.")
        try:
            filepath = place_take(clip, job.request.take_dir, job.request.take_name)
            record = self._sidecar(job, filepath, scene, obj, camera, encode_s)
            sidecar = write_sidecar(filepath, record)
        except (OSError, ValueError) as exc:
            raise JobError("take", f"The clip could not be put into the take folder: {exc}", "runtime",
                           f"Check that {job.request.take_dir} is writable.") from exc
        self._log(job, f"Layout animatic done: {os.path.basename(filepath)} ({count} frames, "
                       f"render {job.render_s:.1f} s, encode {encode_s:.1f} s)")
        self._emit(TakeReady(
            job.job_id, job.shot_key, filepath=filepath, sidecar_path=sidecar, model_type=MODEL_TYPE,
            seed=record["seed"], fps=record["fps"], frame_count=count, width=job.width, height=job.height,
            settings_hash=record["settings_hash"], duration_s=record["duration_s"],
        ))
        self._end(job)

    def _sidecar(self, job: _Job, filepath: str, scene: bpy.types.Scene, obj: bpy.types.Object,
                 camera: bpy.types.Object, encode_s: float) -> dict[str, Any]:
        """The same schema as WanGP takes (so batches and "re-make" read both), plus what made it."""
        settings = dict(job.request.settings)
        seed = int(settings.get("seed", -1))
        record: dict[str, Any] = dict(job.request.sidecar_extra)
        record.update(
            schema=SIDECAR_SCHEMA,
            file=os.path.basename(filepath),
            job_id=job.job_id,
            shot_key=job.shot_key,
            settings=settings,
            settings_hash=str(job.request.sidecar_extra.get("settings_hash") or settings_hash(settings)),
            wangp_version="",
            model_type=MODEL_TYPE,
            # A render has no randomness: the shot's seed is kept when it has one, else 0.
            seed=max(seed, 0),
            fps=job.fps / job.fps_base,
            frame_count=len(job.frames),
            width=job.width,
            height=job.height,
            has_audio=False,
            submitted_at=job.submitted_at,
            started_at=job.started_at,
            finished_at=now_iso(),
            duration_s=round(time.monotonic() - job.started, 3),
            used_fallback=False,
            primary_error="",
            attempts=[{"model_type": MODEL_TYPE, "error": ""}],
            generator=MODEL_TYPE,
            note=NOTE,
            layout={"scene": scene.name, "object": obj.name, "camera": camera.name,
                    "frame_start": job.frames[0], "frame_end": job.frames[-1]},
            timings={"queued_s": round(job.started - job.submitted, 3), "render_s": round(job.render_s, 3),
                     "encode_s": round(encode_s, 3)},
        )
        return record

    def _cancel_running(self) -> None:
        job = self._job
        self._end(job)
        reason = f"Cancelled after {job.done} of {len(job.frames)} frames"
        self._emit(Cancelled(job.job_id, job.shot_key, reason=reason))

    def _finish_failed(self, job: _Job, stage: str, message: str, error_class: str, hint: str) -> None:
        if self._job is job:
            self._end(job)
        elif self._queue and self._queue[0] is job:
            self._queue.popleft()
        self._emit(Failed(job.job_id, job.shot_key, stage=stage, message=message, error_class=error_class,
                          hint=hint))

    def _end(self, job: _Job) -> None:
        """Forget the running job and remove its frames (a partial clip never reaches the take folder)."""
        self._job = None
        if job.work_dir:
            shutil.rmtree(job.work_dir, ignore_errors=True)

    # -- messages ------------------------------------------------------------------------------

    def _ready_state(self) -> SessionState:
        return SessionState(
            state="ready",
            message="Layout animatic: Blender renders each shot's camera (not AI)",
            hint="Set the WanGP folder in the add-on preferences to generate AI video",
            wangp_version="",
            models=(model_record(),),
            mode=self.mode,
        )

    def _log(self, job: _Job, text: str) -> None:
        self._emit(Log(job.job_id, job.shot_key, source="info", text=text))

    def _emit(self, message: Message) -> None:
        self._messages.append(message)


# -- rendering (module functions: each takes plain values and leaves no data behind) -------------


def shot_scene(obj: bpy.types.Object, shot_key: str) -> bpy.types.Scene | None:
    """The scene the shot key names, among the scenes that hold ``obj`` (else the first of them)."""
    scenes = list(obj.users_scene)
    wanted = keys.split_key(shot_key)[0]
    for scene in scenes:
        if scene.movie_director.scene_key == wanted:
            return scene
    return scenes[0] if scenes else None


def parse_resolution(text: str) -> tuple[int, int]:
    """``"832x480"`` -> ``(832, 480)``; anything unusable gives the animatic's default size."""
    width, _, height = text.lower().partition("x")
    try:
        size = int(width), int(height)
    except ValueError:
        return DEFAULT_RESOLUTION
    return size if min(size) > 0 else DEFAULT_RESOLUTION


def scene_aspect(render: bpy.types.RenderSettings) -> float:
    """The shape of the scene's frame (width / height), pixel aspect included."""
    width = render.resolution_x * render.pixel_aspect_x
    height = render.resolution_y * render.pixel_aspect_y
    return width / height if width > 0 and height > 0 else 16 / 9


def fit_to_aspect(size: tuple[int, int], aspect: float) -> tuple[int, int]:
    """The requested size's long side (at most :data:`MAX_LONG_SIDE`) on the scene's long side; even
    numbers, as H.264 needs."""
    long_side = min(max(size), MAX_LONG_SIDE)
    if aspect >= 1.0:
        width, height = long_side, long_side / aspect
    else:
        width, height = long_side * aspect, long_side
    return max(2, round(width / 2) * 2), max(2, round(height / 2) * 2)


def render_frame(scene: bpy.types.Scene, camera: bpy.types.Object, frame: int, width: int, height: int,
                 path: str) -> None:
    """Render ``scene`` at ``frame`` through ``camera`` with Workbench into the PNG ``path``.

    The render runs in a temporary scene that links the shot scene's collections, objects and world,
    so none of the user's render settings change. The context scene is a second, empty temporary
    scene: ``render.render(scene=...)`` takes its frame from the context scene, and the context
    scene's depsgraph is the one evaluated as "active", which writes animated values back into the
    original objects. With an empty clock scene the user's current frame and any unkeyed edits on
    animated objects stay exactly as they were.
    """
    with _temporary_scene("MD Animatic Layout") as layout, _temporary_scene("MD Animatic Clock") as clock:
        _link_layout(layout, scene)
        layout.camera = camera
        layout.render.engine = "BLENDER_WORKBENCH"
        # FXAA: a layout preview does not need 8 anti-aliasing samples, and it renders twice as fast.
        layout.display.render_aa = "FXAA"
        _set_output_size(layout, width, height, scene.render.fps, scene.render.fps_base)
        layout.render.use_compositing = False
        layout.render.use_sequencer = False
        layout.render.image_settings.file_format = "PNG"
        layout.render.image_settings.color_mode = "RGB"
        layout.render.filepath = path
        clock.frame_current = frame
        with _as_context_scene(clock):
            bpy.ops.render.render(write_still=True, scene=layout.name)
    if not os.path.isfile(path):
        raise RuntimeError(f"Blender rendered no image for frame {frame}")


def _as_context_scene(scene: bpy.types.Scene) -> contextlib.AbstractContextManager:
    """Make a helper scene the context scene for a render.

    ``temp_override`` leaves the user's scene unevaluated, so its unkeyed edits survive; but an operator
    inside it can segfault while another Python thread runs. The animatic runs when WanGP is not
    configured, so normally no other thread exists; if one does (a bridge's reader, an abandoned job),
    switch the window's scene instead, which is safe but re-evaluates the user's scene afterwards.
    """
    if threading.active_count() == 1:
        return bpy.context.temp_override(scene=scene, view_layer=scene.view_layers[0])
    return compat.context_scene(scene)


def encode_mp4(frames: list[str], path: str, width: int, height: int, fps: int, fps_base: float) -> None:
    """Encode the PNG ``frames`` (one folder, in order) into an H.264 mp4 at ``fps / fps_base``."""
    with _temporary_scene("MD Animatic Encode") as encode:
        _set_output_size(encode, width, height, fps, fps_base)
        editor = encode.sequence_editor_create()
        strip = compat.strips(editor).new_image(
            name="frames", filepath=frames[0], channel=1, frame_start=1, fit_method="ORIGINAL"
        )
        for frame in frames[1:]:
            strip.elements.append(os.path.basename(frame))
        encode.frame_start, encode.frame_end = 1, len(frames)
        image_settings = encode.render.image_settings
        # 5.0 split the output format into a media type and a file format; FFMPEG needs VIDEO first.
        if "media_type" in image_settings.bl_rna.properties:
            image_settings.media_type = "VIDEO"
        image_settings.file_format = "FFMPEG"
        ffmpeg = encode.render.ffmpeg
        ffmpeg.format, ffmpeg.codec = "MPEG4", "H264"
        ffmpeg.constant_rate_factor, ffmpeg.ffmpeg_preset = "HIGH", "REALTIME"
        ffmpeg.audio_codec = "NONE"
        encode.render.use_file_extension = False
        encode.render.filepath = path
        # The encode scene is the context scene: it holds no objects, so evaluating it touches nothing.
        with _as_context_scene(encode):
            bpy.ops.render.render(animation=True)


def read_preview(path: str, max_side: int) -> tuple[int, int, np.ndarray]:
    """``(width, height, pixels)`` of a PNG: flat float32 RGBA, rows bottom-up, long side <= ``max_side``."""
    image = bpy.data.images.load(path, check_existing=False)
    try:
        width, height = image.size
        scale = max_side / max(width, height, 1)
        if scale < 1.0:
            width, height = max(1, round(width * scale)), max(1, round(height * scale))
            image.scale(width, height)
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    return width, height, pixels


@contextlib.contextmanager
def _temporary_scene(name: str) -> Iterator[bpy.types.Scene]:
    """A new empty scene that is removed however the block ends."""
    scene = bpy.data.scenes.new(name)
    try:
        yield scene
    finally:
        bpy.data.scenes.remove(scene)


def _link_layout(layout: bpy.types.Scene, scene: bpy.types.Scene) -> None:
    """Let ``layout`` see what ``scene`` renders: its collections (with the view layer's exclusions),
    loose objects and world. Linking shares the data; nothing is copied."""
    for child in scene.collection.children:
        layout.collection.children.link(child)
    for obj in scene.collection.objects:
        layout.collection.objects.link(obj)
    layout.world = scene.world
    source = scene.view_layers[0]
    for view_layer in scene.view_layers:
        if view_layer.use:
            source = view_layer
            break
    _copy_exclusions(compat.layer_collection(source), compat.layer_collection(layout.view_layers[0]))


def _copy_exclusions(source: bpy.types.LayerCollection, target: bpy.types.LayerCollection) -> None:
    for child in source.children:
        twin = target.children.get(child.name)
        if twin is None:
            continue
        twin.exclude = child.exclude
        if not child.exclude:
            _copy_exclusions(child, twin)


def _set_output_size(scene: bpy.types.Scene, width: int, height: int, fps: int, fps_base: float) -> None:
    render = scene.render
    render.resolution_x, render.resolution_y, render.resolution_percentage = width, height, 100
    render.pixel_aspect_x = render.pixel_aspect_y = 1.0
    render.fps, render.fps_base = fps, fps_base
    # Standard keeps the layout's colours as they are; the default AgX would wash them out.
    scene.view_settings.view_transform = "Standard"
    scene.view_settings.look = "None"
