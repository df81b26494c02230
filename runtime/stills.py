"""Start images made by the background renderer: a shot camera's frame ("Camera Frame", a keyframe still of
``render/`` with the scene's own engine and look, in a child Blender on a saved copy of the .blend, the way guide
keyframes are), and the previous shot's take's last frame ("Previous Shot", ``render/clip_frame.py``, in a child
Blender with nothing of the user's). Neither blocks the main thread (a continuation shot of a batch is queued
from inside the pump) nor can crash the user's Blender.

A queued job waits for its still like a guided job waits for its guide (``runtime.submit``); an export, which
must write its files before it returns, waits here instead (:func:`render_now`). Like the dialogue cuts of
``runtime.soundtrack``: :func:`start`, then :func:`waiting` / :func:`problem` / :func:`forget` by file path.
"""

from __future__ import annotations

import os
import tempfile
import time

import bpy

from ..render.job import ClipFrameJob, GuideJob, KeyframeJob
from . import guide_copy, guide_layout
from .guide_producer import GuideDone, GuideFailed, GuideProducer

#: Long side of a camera-frame still: WanGP resizes inputs to the job's resolution anyway.
LONG_SIDE = 832

_producer: GuideProducer | None = None
#: still path -> "" while it renders, "ok" when it is on disk, else the error sentence
_state: dict[str, str] = {}
#: still path -> its job file (removed when the render ends)
_job_files: dict[str, str] = {}
#: still path -> what it is, for the sentences ("the camera frame", "the last frame of the previous shot")
_what: dict[str, str] = {}


def _renderer() -> GuideProducer:
    global _producer
    if _producer is None:
        _producer = GuideProducer(bpy.app.binary_path or "")
    return _producer


def still_size(scene: bpy.types.Scene) -> tuple[int, int]:
    """The scene's frame shape at :data:`LONG_SIDE` on its long side."""
    width, height = scene.render.resolution_x, scene.render.resolution_y
    scale = LONG_SIDE / max(width, height, 1)
    return max(16, round(width * scale)), max(16, round(height * scale))


def start(scene: bpy.types.Scene, camera: str, frame: int, path: str) -> None:
    """Render ``camera`` at scene ``frame`` into the PNG ``path`` in the background (returns at once)."""
    width, height = still_size(scene)
    fps = scene.render.fps / scene.render.fps_base
    job = GuideJob(
        scene=scene.name, camera=camera, mode="NONE", frame_start=frame, scene_fps=fps, width=width, height=height,
        fps=fps, frame_count=1, keyframes=(KeyframeJob(0, path),),
        blend=guide_copy.write_copy(scene, guide_layout.scene_hash(scene)),
    )
    _start(path, job, "the camera frame")


def start_clip_frame(clip: str, path: str) -> None:
    """Write the last frame of the movie ``clip`` into the PNG ``path`` in the background (returns at once)."""
    _start(path, ClipFrameJob(clip=clip, path=path), "the last frame of the previous shot")


def _start(path: str, job: GuideJob | ClipFrameJob, what: str) -> None:
    handle, job_file = tempfile.mkstemp(prefix="md_still_", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(job.to_json())
    _state[path] = ""
    _job_files[path] = job_file
    _what[path] = what
    _renderer().start(path, job, job_file)


def _poll() -> None:
    """Apply what the renderer reported (main thread; a few dict updates)."""
    if _producer is None:
        return
    for message in _producer.drain():
        if message.key not in _state:
            continue  # forgotten: its job left
        what = _what.get(message.key, "the camera frame")
        if isinstance(message, GuideDone):
            done = os.path.isfile(message.key)
            _state[message.key] = "ok" if done else f"Blender did not write {what}"
        elif isinstance(message, GuideFailed):
            _state[message.key] = f"Could not render {what}: {message.message}"
        else:
            continue
        _remove(_job_files.pop(message.key, ""))


def waiting(paths: tuple[str, ...]) -> bool:
    _poll()
    return any(_state.get(path) == "" for path in paths)


def problem(paths: tuple[str, ...]) -> str:
    """The first failed still's sentence ("" when all are rendered or were never rendered here)."""
    _poll()
    return next((_state[p] for p in paths if _state.get(p) not in (None, "", "ok")), "")


def forget(paths: tuple[str, ...]) -> None:
    """The job left (submitted, failed or cancelled): stop a render still running, remove a failed still."""
    for path in paths:
        _what.pop(path, None)
        state = _state.pop(path, None)
        if state == "" and _producer is not None:
            _producer.cancel(path)
        if state not in (None, "ok"):
            _remove(path)
        _remove(_job_files.pop(path, ""))


def render_now(scene: bpy.types.Scene, camera: str, frame: int, path: str, timeout: float = 600.0) -> str:
    """Render the still and wait for it (an export writes its files before it returns); "" or the problem."""
    start(scene, camera, frame, path)
    return _wait(path, timeout)


def clip_frame_now(clip: str, path: str, timeout: float = 600.0) -> str:
    """Write the clip's last frame and wait for it (an export, a script); "" or the problem."""
    start_clip_frame(clip, path)
    return _wait(path, timeout)


def _wait(path: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while waiting((path,)):
        if time.monotonic() > deadline:
            what = _what.get(path, "the camera frame")
            forget((path,))
            return f"{what[0].upper()}{what[1:]} took too long to render"
        time.sleep(0.01)
    found = problem((path,))
    forget((path,))
    return found


def busy() -> bool:
    return any(state == "" for state in _state.values())


def stop() -> None:
    """Cancel every render and forget every still (a file is closing, the add-on unregisters)."""
    global _producer
    if _producer is not None:
        _producer.close()
    _producer = None
    for job_file in _job_files.values():
        _remove(job_file)
    _state.clear()
    _job_files.clear()
    _what.clear()


def _remove(path: str) -> None:
    if path and os.path.isfile(path):
        os.remove(path)
