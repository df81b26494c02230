"""Queue WanGP's late post-processing of a shot's take as a job like any other (same queue, progress, cancel).

Everything is checked on the main thread before anything is queued: the parent take and its sidecar,
WanGP's own rules for the settings; the request then names the parent and the exact settings, which
go into the new take's sidecar. The parent take is never touched.
"""

from __future__ import annotations

import os
import random
from typing import Any

import bpy

from ..wangp_backend import postprocess
from ..wangp_backend.requests import JobRequest
from ..wangp_backend.review import read_sidecar
from . import generate, host_choice, jobs, keys, lifecycle, paths, session, shot_state, submit, timeline, timer

#: The temporal choice that picks the RIFE multiplier lifting the clip to the scene's frame rate.
TO_SCENE_FPS = "SCENE_FPS"


def _parent(obj: bpy.types.Object, index: int) -> tuple[Any, dict[str, Any]]:
    shot = obj.movie_director
    if not 0 <= index < len(shot.takes):
        raise generate.GenerateError(f"{obj.name} has no take {index + 1} to post-process")
    take = shot.takes[index]
    clip, sidecar = bpy.path.abspath(take.filepath), bpy.path.abspath(take.sidecar_path)
    label = paths.take_label(take.filepath, index)
    if not os.path.isfile(clip):
        raise generate.GenerateError(f"{postprocess.SOURCE_MISSING}: the clip of {label} of {obj.name} ({clip})")
    try:
        record = read_sidecar(sidecar)
    except (OSError, ValueError) as exc:
        raise generate.GenerateError(f"The sidecar of {label} of {obj.name} cannot be read ({exc}): "
                                     "use Recover Takes or generate the shot again") from exc
    return take, record


def settings_for(scene: bpy.types.Scene, clip: str, clip_fps: float, spatial: str, temporal: str,
                 grain: float, saturation: float, seed: int) -> dict[str, Any]:
    """The keyword arguments of ``submit_media_postprocessing`` (``temporal`` may be :data:`TO_SCENE_FPS`)."""
    if temporal == TO_SCENE_FPS:
        temporal = postprocess.rife_for_fps(clip_fps, timeline.scene_fps(scene))
    if grain > 0 and seed < 0:
        seed = random.SystemRandom().randrange(generate.MAX_SEED)  # recorded: the same grain can be made again
    return {
        "video_source": clip,
        "spatial_upsampling": spatial,
        "temporal_upsampling": temporal,
        # Blender's float properties are 32-bit: 0.08 arrives as 0.0799999982; the sidecar records what was asked.
        "film_grain_intensity": round(float(grain), 6),
        "film_grain_saturation": round(float(saturation), 6),
        "seed": int(seed),
    }


def queue_postprocess(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object, index: int,
                      spatial: str, temporal: str, grain: float, saturation: float, seed: int = -1) -> str:
    """Queue the post-processing of take ``index`` of the shot; returns the job's token (raises GenerateError)."""
    if host_choice.runs_animatic(context):
        raise generate.GenerateError("Post-processing runs in WanGP: set the WanGP folder in the add-on's preferences")
    host = session.get_host()
    if host is not None and host.capabilities.remote:
        raise generate.GenerateError("Post-processing runs in WanGP in Blender or in the bridge, not on the farm: "
                                     "set Run WanGP to Automatic to post-process")
    take, record = _parent(obj, index)
    clip = bpy.path.abspath(take.filepath)
    settings = settings_for(scene, clip, float(record.get("fps", take.fps) or take.fps), spatial, temporal, grain,
                            saturation, seed)
    refused = postprocess.problem(settings)
    if refused:
        if temporal == TO_SCENE_FPS and not settings["temporal_upsampling"]:
            refused += f" (the clip already plays at {take.fps:g} fps, the scene's rate or more)"
        raise generate.GenerateError(f"{obj.name}: {refused}")
    folder = paths.take_dir(context, scene, obj)
    problem = paths.writable_problem(folder)
    if problem:
        raise generate.GenerateError(problem)
    try:
        lifecycle.ensure_host(context)
    except host_choice.SetupError as exc:
        raise generate.GenerateError(str(exc)) from exc
    take_name = paths.next_take_name(folder, obj, jobs.reserved_names(folder))
    key = keys.shot_key(scene, obj)
    parent = {
        "file": clip, "sidecar": bpy.path.abspath(take.sidecar_path), "take": paths.number_of(take.filepath, index),
        "model_type": record.get("model_type", take.model_type), "seed": record.get("seed", take.seed),
        "fps": record.get("fps", take.fps), "frame_count": record.get("frame_count", take.frame_count),
        "width": record.get("width", 0), "height": record.get("height", 0),
        "has_audio": record.get("has_audio", take.has_audio),
    }
    shot = obj.movie_director
    request = JobRequest(
        shot_key=key, settings=settings, take_dir=os.path.abspath(folder), take_name=take_name,
        operation=postprocess.POSTPROCESS,
        play_fps=timeline.scene_fps(scene),  # a RIFE clip (32 fps from 16) is conformed to the timeline's rate
        sidecar_extra={
            "shot_name": obj.name, "scene_name": scene.name, "blend_file": bpy.data.filepath,
            # The shot's settings are the parent's: "only changed" batches treat this take as current.
            "settings_hash": record.get("settings_hash", take.settings_hash),
            "frame_start": shot.frame_start, "frame_end": shot.frame_end, "scene_fps": timeline.scene_fps(scene),
            "parent_take": parent,
            "postprocess": {**{k: v for k, v in settings.items() if k != "video_source"}, "temporal_choice": temporal},
        },
    )
    token = keys.new_id()
    jobs.add_pending(jobs.PendingJob(
        token=token, shot_key=key, scene_key=keys.scene_key(scene), file_token=jobs.file_token(),
        shot_name=obj.name, take_dir=request.take_dir, take_name=take_name, kind="postprocess", snapshot=None,
        request=request,
    ))
    shot_state.job_queued(shot, session.ready())
    timer.ensure_timer()
    submit.submit_ready()
    return token
