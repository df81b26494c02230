"""The layout animatic: a session host whose clips are Blender renders of the shot's camera, not WanGP.

It stands in for WanGP when WanGP is not set up, so queueing, progress, previews, takes and the timeline
work on any machine. It is a Workbench render of the layout, NOT AI video: the catalog record, the log and
every take's sidecar say so.

No ``bpy`` here. Two collaborators do the Blender work:
- a :class:`LayoutReader` on the main thread reads the shot at the job's start (scene, camera, frames,
  frame rate, frame shape) and names the saved copy of the .blend to render; it also says whether the
  shot still exists and whether the user's own render owns Blender now;
- a :class:`Renderer` renders and encodes the clip in a background Blender (a child process on that
  copy), so a frame never blocks the main thread and a scene that crashes the renderer ends the child,
  not the user's Blender. It leaves a small raw preview per frame that :meth:`AnimaticHost.step` reads.
:meth:`AnimaticHost.step` (the pump, main thread) only turns the renderer's events into messages.
"""

from __future__ import annotations

import collections
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .. import grid
from ..hashing import settings_hash
from ..logs import get_logger
from ..messages import Cancelled, Failed, Log, Message, Preview, Progress, Queued, SessionState, Started, TakeReady
from ..requests import JobRequest
from ..takes import place_take, take_record, write_sidecar
from ..timestamps import now_iso
from .api import ANIMATIC

MODEL_TYPE = "layout_animatic"
NOTE = "A Blender render of the layout through the shot camera (Workbench), not AI video."
DEFAULT_RESOLUTION = (320, 180)
#: A layout preview: its long side is capped whatever size is asked (a CPU-only machine renders a 640 px
#: Workbench frame in about 0.1 s, an 832x480 one in 0.25 s).
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


@dataclass(frozen=True)
class Layout:
    """A shot as the animatic renders it, read on the main thread when its job starts."""

    shot_name: str
    scene: str
    camera: str
    frame_start: int
    frame_end: int
    #: the scene's frame rate (``fps / fps_base``: NTSC rates kept)
    fps: float
    #: the scene frame's shape, width / height (pixel aspect included)
    aspect: float
    #: the saved copy of the .blend the renderer opens
    blend: str


@dataclass(frozen=True)
class RenderOrder:
    """What the renderer makes: the layout's frames at ``width`` x ``height`` into ``clip_path``."""

    scene: str
    camera: str
    frame_start: int
    frame_end: int
    width: int
    height: int
    fps: float
    clip_path: str
    work_dir: str
    preview_max_side: int
    blend: str


@dataclass(frozen=True)
class RenderProgress:
    """A frame is rendered (``phase`` "rendering", its preview at ``preview``) or encoding began."""

    key: str
    phase: str
    done: int
    total: int
    frame: int = 0
    preview: str = ""


@dataclass(frozen=True)
class RenderDone:
    key: str
    clip_path: str
    render_s: float
    encode_s: float


@dataclass(frozen=True)
class RenderFailed:
    """The render ended without a clip; ``message`` is one sentence, ``hint`` what to do about it."""

    key: str
    message: str
    hint: str = ""


RenderEvent = RenderProgress | RenderDone | RenderFailed


class LayoutReader(Protocol):
    def prepare(self, request: JobRequest) -> Layout:
        """Read the request's shot (main thread); raises :class:`JobError` when it cannot be rendered."""

    def exists(self, shot_key: str) -> bool:
        """Whether the shot is still there (deleted, or another file opened: the job fails)."""

    def paused(self) -> bool:
        """True while the user's own render owns Blender: no shot is read then."""


class Renderer(Protocol):
    def start(self, key: str, order: RenderOrder) -> None:
        """Render ``order`` in the background under ``key``; returns at once."""

    def cancel(self, key: str) -> None:
        """Stop the render of ``key``; when this returns, it writes no more files."""

    def drain(self) -> list[RenderEvent]:
        """The events since the last call, oldest first, without blocking."""

    def close(self, timeout: float = 10.0) -> None:
        """Cancel everything and end the renderer's thread."""


@dataclass
class _Job:
    """The mutable state of one job, from submit to its last message."""

    job_id: str
    request: JobRequest
    submitted_at: str
    submitted: float
    # Filled when the job starts (the shot is read then, not at submit).
    layout: Layout | None = None
    order: RenderOrder | None = None
    done: int = 0
    started_at: str = ""
    started: float = 0.0

    @property
    def shot_key(self) -> str:
        return self.request.shot_key

    @property
    def count(self) -> int:
        return self.layout.frame_end - self.layout.frame_start + 1 if self.layout else 0


class AnimaticHost:
    """The ``Host`` that renders the layout instead of calling WanGP (one job at a time, in order)."""

    mode = "animatic"
    capabilities = ANIMATIC

    def __init__(self, reader: LayoutReader, renderer: Renderer) -> None:
        self._reader = reader
        self._renderer = renderer
        self._queue: collections.deque[_Job] = collections.deque()
        self._job: _Job | None = None
        self._events: collections.deque[RenderEvent] = collections.deque()
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
        self._emit(SessionState(state="closing", mode=self.mode))
        self.cancel_all()
        self._renderer.close(timeout)
        self._closed = True
        self._emit(SessionState(state="stopped", mode=self.mode))

    def drain(self, max_messages: int = 10_000) -> list[Message]:
        count = min(max_messages, len(self._messages))
        return [self._messages.popleft() for _ in range(count)]

    def step(self, budget_s: float) -> None:
        """Start the next job, and turn the renderer's events into messages while ``budget_s`` lasts."""
        if self._reader.paused():
            # The user's own render owns Blender's data; the shot is read on a later step.
            return
        deadline = time.monotonic() + budget_s
        if self._job is None and self._queue:
            self._guard(self._queue[0], self._begin)
        job = self._job
        if job is None:
            return
        if not self._reader.exists(job.shot_key):
            self._guard(job, self._lost)
            return
        self._events.extend(self._renderer.drain())
        handled = False
        while self._events and self._job is job and (not handled or time.monotonic() < deadline):
            handled = True
            event = self._events.popleft()
            self._guard(job, lambda j: self._apply(j, event))  # noqa: B023 (called at once, in this iteration)

    @property
    def busy(self) -> bool:
        return self._job is not None or bool(self._queue)

    # -- jobs ----------------------------------------------------------------------------------

    def _guard(self, job: _Job, work) -> None:
        """Run one piece of a job's work; a failure ends that job alone, the host goes on."""
        try:
            work(job)
        except JobError as exc:
            self._finish_failed(job, exc.stage, exc.message, exc.error_class, exc.hint)
        except Exception as exc:  # the job's boundary: report it as a failure and keep the host alive
            _log.exception("Layout animatic job %s failed", job.job_id)
            self._finish_failed(job, "render", f"{type(exc).__name__}: {exc}", "runtime",
                                "The layout animatic could not go on; the log has the details.")

    def _begin(self, job: _Job) -> None:
        """Read the shot once, announce the job and hand its render to the background renderer."""
        self._queue.popleft()
        self._job = job
        job.started_at, job.started = now_iso(), time.monotonic()
        layout = self._reader.prepare(job.request)
        job.layout = layout
        width, height = fit_to_aspect(parse_resolution(str(job.request.settings.get("resolution", ""))),
                                      layout.aspect)
        work_dir = tempfile.mkdtemp(prefix="md_animatic_")
        job.order = RenderOrder(
            scene=layout.scene, camera=layout.camera, frame_start=layout.frame_start, frame_end=layout.frame_end,
            width=width, height=height, fps=layout.fps, clip_path=os.path.join(work_dir, "clip.mp4"),
            work_dir=work_dir, preview_max_side=PREVIEW_MAX_SIDE, blend=layout.blend,
        )
        self._emit(Started(job.job_id, job.shot_key, model_type=MODEL_TYPE, settings=dict(job.request.settings)))
        self._log(job, f"Layout animatic of '{layout.shot_name}': frames {layout.frame_start}-{layout.frame_end} "
                       f"through camera '{layout.camera}' at {width}x{height}, {layout.fps:g} fps, rendered by a "
                       f"background Blender. {NOTE}")
        self._renderer.start(job.job_id, job.order)

    def _lost(self, job: _Job) -> None:
        raise JobError("setup", "The shot no longer exists (deleted, or another file was opened)", "validation",
                       "Mark the object as a shot again and generate it.")

    def _apply(self, job: _Job, event: RenderEvent) -> None:
        if event.key != job.job_id:
            return  # a cancelled render's last words
        if isinstance(event, RenderProgress):
            self._progress(job, event)
        elif isinstance(event, RenderDone):
            self._file_take(job, event)
        else:
            raise JobError("render", event.message, "runtime",
                           event.hint or "The layout animatic could not go on; the log has the details.")

    def _progress(self, job: _Job, event: RenderProgress) -> None:
        count = event.total
        if event.phase == "encoding":
            self._emit(Progress(job.job_id, job.shot_key, phase="encoding", status="Encoding the mp4", percent=100,
                                current_step=count, total_steps=count))
            return
        job.done = event.done
        self._emit(Progress(job.job_id, job.shot_key, phase="rendering",
                            status=f"Frame {event.frame} ({event.done}/{count})",
                            percent=round(100 * event.done / max(count, 1)), current_step=event.done,
                            total_steps=count))
        preview = read_preview(event.preview)
        if preview is not None:
            height, width = preview.shape[:2]
            self._emit(Preview(job.job_id, job.shot_key, width=width, height=height, pixels=preview.ravel()))

    def _file_take(self, job: _Job, event: RenderDone) -> None:
        if not os.path.isfile(event.clip_path) or os.path.getsize(event.clip_path) == 0:
            raise JobError("encode", "Blender wrote no mp4 for the animatic", "runtime",
                           "Check that FFmpeg output works in this Blender build.")
        request, layout, order = job.request, job.layout, job.order
        try:
            filepath = place_take(event.clip_path, request.take_dir, request.take_name)
            record = self._sidecar(job, filepath, event)
            sidecar = write_sidecar(filepath, record)
        except (OSError, ValueError) as exc:
            raise JobError("take", f"The clip could not be put into the take folder: {exc}", "runtime",
                           f"Check that {request.take_dir} is writable.") from exc
        self._log(job, f"Layout animatic done: {os.path.basename(filepath)} ({job.count} frames, render "
                       f"{event.render_s:.1f} s, encode {event.encode_s:.1f} s, in a background Blender)")
        self._emit(TakeReady(
            job.job_id, job.shot_key, filepath=filepath, sidecar_path=sidecar, model_type=MODEL_TYPE,
            seed=record["seed"], fps=layout.fps, frame_count=job.count, width=order.width, height=order.height,
            settings_hash=record["settings_hash"], duration_s=record["duration_s"],
        ))
        self._end(job)

    def _sidecar(self, job: _Job, filepath: str, event: RenderDone) -> dict[str, Any]:
        """The take schema every host writes, plus what made this one (a render, not a model)."""
        request, layout, order = job.request, job.layout, job.order
        settings = dict(request.settings)
        record = take_record(
            job_id=job.job_id, request=request, settings=settings, model_type=MODEL_TYPE,
            # A render has no randomness: the shot's seed is kept when it has one, else 0 (the panel shows none).
            seed=max(int(settings.get("seed", -1)), 0), fps=layout.fps, frame_count=job.count, width=order.width,
            height=order.height, has_audio=False, filepath=filepath,
            settings_hash=str(request.sidecar_extra.get("settings_hash") or settings_hash(settings)),
            submitted_at=job.submitted_at, started_at=job.started_at, finished_at=now_iso(),
            duration_s=round(time.monotonic() - job.started, 3), attempts=[(MODEL_TYPE, "")],
        )
        record.update(
            generator=MODEL_TYPE,
            note=NOTE,
            layout={"scene": layout.scene, "object": layout.shot_name, "camera": layout.camera,
                    "frame_start": layout.frame_start, "frame_end": layout.frame_end},
            timings={"queued_s": round(job.started - job.submitted, 3), "render_s": round(event.render_s, 3),
                     "encode_s": round(event.encode_s, 3)},
        )
        return record

    def _cancel_running(self) -> None:
        job = self._job
        self._end(job)
        reason = f"Cancelled after {job.done} of {job.count} frames"
        self._emit(Cancelled(job.job_id, job.shot_key, reason=reason))

    def _finish_failed(self, job: _Job, stage: str, message: str, error_class: str, hint: str) -> None:
        if self._job is job:
            self._end(job)
        elif job in self._queue:
            self._queue.remove(job)
        self._emit(Failed(job.job_id, job.shot_key, stage=stage, message=message, error_class=error_class,
                          hint=hint))

    def _end(self, job: _Job) -> None:
        """Forget the job, stop its render and remove its frames (a partial clip never reaches the take folder)."""
        self._job = None
        self._events.clear()
        if job.order is not None:
            self._renderer.cancel(job.job_id)
            shutil.rmtree(job.order.work_dir, ignore_errors=True)

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


# -- plain helpers -----------------------------------------------------------------------------------


def read_preview(path: str) -> np.ndarray | None:
    """A frame's preview as float32 RGBA ``(h, w, 4)``, rows bottom-up; None when there is none.

    The file is removed once read: only the sidebar needs it. A preview that cannot be read is skipped
    (it shows the next frame's); the take does not depend on it.
    """
    if not path:
        return None
    try:
        data = np.load(path)
        os.remove(path)
    except (OSError, ValueError):
        return None
    return data.astype(np.float32) * np.float32(1.0 / 255.0)


def parse_resolution(text: str) -> tuple[int, int]:
    """``"832x480"`` -> ``(832, 480)``; anything unusable gives the animatic's default size."""
    size = grid.parse_resolution(text)
    return size if size and min(size) > 0 else DEFAULT_RESOLUTION


def fit_to_aspect(size: tuple[int, int], aspect: float) -> tuple[int, int]:
    """The requested size's long side (at most :data:`MAX_LONG_SIDE`) on the scene's long side; even
    numbers, as H.264 needs."""
    long_side = min(max(size), MAX_LONG_SIDE)
    if aspect >= 1.0:
        width, height = long_side, long_side / aspect
    else:
        width, height = long_side * aspect, long_side
    return max(2, round(width / 2) * 2), max(2, round(height / 2) * 2)
