"""Guides between the click and the submit: the cache, the render producer, and what a pending job waits for.

A guided job's settings need the model's target (size, fps, frames), known only with the live catalog,
so the guide is looked up when the job is built (``runtime.submit``): a cached guide (same content
hash) is used at once; otherwise the producer renders it in the background and the job stays pending
while other jobs go on, so in a batch the next shots' guides render while WanGP generates. The cache
key hashes the layout over the shot's range, the target, the mode, the keyframes and the rig maps: a
changed layout gives a new key, new file names, new settings, so "only changed" regenerates exactly
the shots whose layout moved.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict

import bpy

from ..render.job import GuideJob, KeyframeJob
from ..wangp_backend import sidecar_paths
from ..wangp_backend.guide_spec import GuideMedia, GuideTarget, Keyframe
from . import keys, log, paths
from .guide_layout import GuidePlan
from .guide_producer import GuideDone, GuideFailed, GuideProducer, GuideProgress

#: Bumped when the renderer's output changes, so old cached guides are not reused.
RENDERER_VERSION = 1
RECORD = "guide.json"

_producer: GuideProducer | None = None
#: pending job token -> (cache key, shot key) while its guide renders
_waiting: dict[str, tuple[str, str]] = {}
#: cache key -> failure message, until the waiting jobs have read it
_failed: dict[str, str] = {}


def producer() -> GuideProducer:
    global _producer
    if _producer is None:
        _producer = GuideProducer(bpy.app.binary_path or "")
    return _producer


def content_key(plan: GuidePlan, target: GuideTarget) -> str:
    """The cache key: everything that feeds the guide's pixels."""
    stats = {role: _file_stamp(path) for role, path in sorted(plan.overrides.items())}
    payload = json.dumps([RENDERER_VERSION, plan.layout_hash, plan.mode, plan.keyframes, asdict(target),
                          plan.camera_keys, stats, plan.bone_maps, plan.camera], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _file_stamp(path: str) -> list:
    """The file by its place in the project (``//...``: a moved project keeps its cache), size and time."""
    try:
        stat = os.stat(path)
    except OSError:
        return [paths.stored(path)]
    return [paths.stored(path), stat.st_size, stat.st_mtime_ns]


def cache_folder(take_dir: str, key: str) -> str:
    return os.path.join(take_dir, "guides", key)


def keyframe_frames(plan: GuidePlan, target: GuideTarget) -> list[int]:
    """The clip frames that get a still (on the model's frame grid, at ``target.fps``)."""
    last = target.frame_count - 1
    if plan.keyframes == "FIRST":
        return [0]
    if plan.keyframes == "FIRST_LAST":
        return [0, last]
    if plan.keyframes == "CAMERA_KEYS":
        frames = {min(last, max(0, round((f - plan.frame_start) / plan.scene_fps * target.fps)))
                  for f in plan.camera_keys}
        return sorted(frames)
    return []


def make_job(plan: GuidePlan, target: GuideTarget, folder: str, key: str) -> tuple[GuideJob, list[Keyframe]]:
    """The worker's job, and the keyframes the guide will hand over (the user's own images included)."""
    last = target.frame_count - 1
    stills: list[KeyframeJob] = []
    keyframes: list[Keyframe] = []
    for frame in keyframe_frames(plan, target):
        own = plan.overrides.get("first") if frame == 0 else plan.overrides.get("last") if frame == last else None
        if own:
            keyframes.append(Keyframe(clip_frame=frame, path=own, user=True))
            continue
        path = os.path.join(folder, f"key_{frame:04d}.png")
        stills.append(KeyframeJob(frame, path))
        keyframes.append(Keyframe(clip_frame=frame, path=path))
    job = GuideJob(
        scene=plan.scene, camera=plan.camera, mode=plan.mode, frame_start=plan.frame_start,
        scene_fps=plan.scene_fps, width=target.width, height=target.height, fps=target.fps,
        frame_count=target.frame_count, control_path=os.path.join(folder, "control.mp4") if plan.mode != "NONE"
        else "", keyframes=tuple(stills), bone_maps=plan.bone_maps, content_hash=key,
        work_dir=os.path.join(folder, "work"), blend=plan.blend,
    )
    return job, keyframes


def cached(folder: str, target: GuideTarget, mode: str) -> GuideMedia | None:
    """The guide in ``folder`` when it is complete (its record written last, after every file)."""
    try:
        with open(os.path.join(folder, RECORD), encoding="utf-8") as handle:
            record = sidecar_paths.resolve(json.load(handle), os.path.join(folder, RECORD))
        frames = tuple(Keyframe(**k) for k in record["keyframes"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    control = record.get("control_video", "")
    if (control and not os.path.isfile(control)) or not all(os.path.isfile(k.path) for k in frames):
        return None
    return GuideMedia(mode=mode, target=target, control_video=control, keyframes=frames,
                      content_hash=record.get("content_hash", ""))


def media_for(token: str, shot_key: str, plan: GuidePlan, target: GuideTarget, take_dir: str
              ) -> tuple[str, GuideMedia | str | None]:
    """``("ready", media)``, ``("waiting", None)`` (rendering now) or ``("failed", message)``."""
    key = content_key(plan, target)
    folder = cache_folder(take_dir, key)
    media = cached(folder, target, plan.mode)
    if media is not None:
        _waiting.pop(token, None)
        return "ready", media
    if key in _failed and not producer().wanted(key):
        _waiting.pop(token, None)
        return "failed", _failed.pop(key)
    if not plan.blend or not os.path.isfile(plan.blend):
        return "failed", "The saved copy of the layout for the guide is gone; generate the shot again"
    _waiting[token] = (key, shot_key)
    if not producer().wanted(key):
        job, keyframes = make_job(plan, target, folder, key)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "job.json"), "w", encoding="utf-8") as handle:
            handle.write(job.to_json())
        _pending_records[key] = (folder, keyframes)
        producer().start(key, job, os.path.join(folder, "job.json"))
        what = f"the {plan.mode.replace('_', ' ').lower()} guide" if plan.mode != "NONE" else "the keyframes"
        _status(shot_key, f"Rendering {what}")
    return "waiting", None


#: cache key -> (folder, keyframes) of a render in flight, to write its record when it is done
_pending_records: dict[str, tuple[str, list[Keyframe]]] = {}


def is_waiting(token: str) -> bool:
    return token in _waiting


def forget(token: str) -> None:
    """The job left (cancelled or failed): stop its render unless another job waits for it too."""
    entry = _waiting.pop(token, None)
    if entry is not None and not any(k == entry[0] for k, _ in _waiting.values()):
        producer().cancel(entry[0])


def pump_events() -> bool:
    """Apply the producer's messages (main thread); True when a guide finished (jobs may go on)."""
    if _producer is None:
        return False
    finished = False
    for message in _producer.drain():
        shots = {shot for key, shot in _waiting.values() if key == message.key}
        if isinstance(message, GuideProgress):
            for shot in shots:
                _status(shot, f"Rendering the guide: frame {message.done}/{message.total}", to_log=False)
            continue
        finished = True
        for token in [t for t, (k, _s) in _waiting.items() if k == message.key]:
            _waiting.pop(token)
        if isinstance(message, GuideDone):
            _write_record(message)
            for shot in shots:
                _status(shot, f"Guide rendered in {message.seconds:.1f} s", message.blockout)
        elif isinstance(message, GuideFailed):
            _pending_records.pop(message.key, None)
            # The jobs that waited read it on their next build and fail with it.
            _failed[message.key] = message.message
            for shot in shots:
                _status(shot, f"Guide failed: {message.message}")
    return finished


def _write_record(message: GuideDone) -> None:
    folder, keyframes = _pending_records.pop(message.key, (os.path.dirname(message.job.control_path), []))
    frames = [Keyframe(k.clip_frame, k.path, blockout=message.blockout and not k.user, user=k.user)
              for k in keyframes]
    record = {
        "content_hash": message.key,
        "mode": message.job.mode,
        "control_video": message.job.control_path,
        "keyframes": [asdict(k) for k in frames],
        "width": message.job.width, "height": message.job.height, "fps": message.job.fps,
        "frames": message.job.frame_count, "render_s": round(message.seconds, 3),
    }
    path = os.path.join(folder, RECORD)
    # Relative inside the project, like a take's sidecar: a moved project's cache never reads the old place.
    record = sidecar_paths.store(record, path, project=paths.blend_folder().folder)
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=1)
    os.replace(path + ".tmp", path)


def _status(shot_key: str, text: str, blockout: bool | None = None, to_log: bool = True) -> None:
    _scene, obj = keys.find_shot(shot_key)
    if obj is None:
        return
    shot = obj.movie_director
    shot.guide_status = text
    if blockout is not None:
        shot.guide_blockout = blockout
    if to_log:
        log.write(f"{obj.name}: {text}")


def busy() -> bool:
    return bool(_waiting) or (_producer is not None and _producer.busy)


def stop() -> None:
    """Cancel every render and forget every wait (a file is closing, the add-on unregisters)."""
    global _producer
    if _producer is not None:
        _producer.close()
    _producer = None
    _waiting.clear()
    _failed.clear()
    _pending_records.clear()


def show_thumbnail(obj: bpy.types.Object, media: GuideMedia) -> None:
    """Point the shot's guide thumbnail at the guide (its first still, else the control video's first frame)."""
    path = media.keyframes[0].path if media.keyframes else media.control_video
    if not path:
        return
    shot = obj.movie_director
    image = shot.guide_thumbnail
    if image is not None and bpy.path.abspath(image.filepath) == path:
        return
    if image is None or image.users > 1:
        image = bpy.data.images.load(path, check_existing=False)
        image.name = f"MD Guide {obj.name}"
        shot.guide_thumbnail = image
    else:
        image.source = "MOVIE" if path.lower().endswith(".mp4") else "FILE"
        image.filepath = path
        image.reload()
    # The panel draws the image's preview; it is made here, never in draw().
    image.preview_ensure()
