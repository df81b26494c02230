"""Queue shots for generation, and wait for them (the blocking path of scripts and ``execute``).

Everything that can be checked is checked before anything is written or started: the prompt, the
settings (with the catalog known so far), the input images, the output folder. Only then are input
images rendered and the job queued, so a refused click leaves nothing half-made.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import bpy

from .. import preferences
from ..wangp_backend.batch import is_unchanged
from . import batches, jobs, keys, paths, pump, session, snapshot, submit, timer


class GenerateError(Exception):
    """The shot cannot be queued; the message says what to fix."""


@dataclass(frozen=True)
class SceneQueue:
    tokens: tuple[str, ...]
    skipped: tuple[str, ...]
    problems: tuple[str, ...]


def _animatic(context: bpy.types.Context) -> bool:
    host = session.get_host()
    if host is not None:
        return host.mode == "animatic"
    return not preferences.wangp_setup(context).configured


def current_hash(context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object, quality: str) -> str:
    """The settings hash the shot would be generated with now (inputs planned, not produced)."""
    snap = snapshot.take_snapshot(context, scene, obj, quality, "", "hash", with_inputs=False)
    built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(context), _animatic(context))
    return built.settings_hash


def queue_shot(
    context: bpy.types.Context,
    scene: bpy.types.Scene,
    obj: bpy.types.Object,
    quality: str = "",
    kind: str = "shot",
    skip_if_unchanged: str = "",
) -> str:
    """Validate, make the input images and queue one job for the shot; returns the job's token."""
    keys.ensure_unique_shot_ids(scene)
    animatic = _animatic(context)
    folder = paths.take_dir(context, scene, obj)
    take_name = paths.next_take_name(folder, obj, jobs.reserved_names(folder))
    try:
        snap = snapshot.take_snapshot(
            context, scene, obj, quality, os.path.join(folder, "inputs"), take_name, with_inputs=not animatic
        )
        # Checked with the catalog known now; the settings are built again with the live one at submit.
        built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(context), animatic)
    except snapshot.SnapshotError as exc:
        raise GenerateError(str(exc)) from exc
    if built.errors:
        raise GenerateError(f"{obj.name}: " + "; ".join(built.errors))
    problem = paths.writable_problem(folder)
    if problem:
        raise GenerateError(problem)
    try:
        session.ensure_host(context)
    except session.SetupError as exc:
        raise GenerateError(str(exc)) from exc
    try:
        snapshot.produce(scene, snap)
    except snapshot.SnapshotError as exc:
        raise GenerateError(f"{obj.name}: {exc}") from exc
    token = keys.new_id()
    jobs.add_pending(
        jobs.PendingJob(
            token=token,
            shot_key=snap.spec.shot_key,
            scene_key=keys.scene_key(scene),
            file_token=jobs.file_token(),
            shot_name=obj.name,
            take_dir=folder,
            take_name=take_name,
            kind=kind,
            snapshot=snap,
            skip_if_unchanged=skip_if_unchanged,
        )
    )
    shot = obj.movie_director
    shot.queued_jobs += 1
    if shot.generation_status != "in_progress":
        shot.generation_status = "queued"
        shot.generation_progress = 0
        shot.generation_phase = "Queued" if session.ready() else "Waiting for the session"
    shot.error_message = shot.error_class = shot.error_hint = ""
    timer.ensure_timer()
    submit.submit_ready()
    return token


def timeline_shots(scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The scene's shots in timeline order."""
    shots = [o for o in scene.objects if o.movie_director.is_shot]
    return sorted(shots, key=lambda o: (o.movie_director.frame_start, o.name))


def _active_sidecar(obj: bpy.types.Object) -> str:
    shot = obj.movie_director
    if 0 <= shot.active_take_index < len(shot.takes):
        return bpy.path.abspath(shot.takes[shot.active_take_index].sidecar_path)
    return ""


def queue_scene(context: bpy.types.Context, scene: bpy.types.Scene, quality: str, only_changed: bool) -> SceneQueue:
    """Queue every shot of the scene in timeline order; a shot that cannot be queued does not stop the rest.

    With ``only_changed``, a shot whose settings hash equals its active take's is skipped. The hash
    depends on the model chosen from the catalog, so while no catalog is known yet (WanGP still
    loading) that check is made when the session is ready, just before submitting.
    """
    keys.ensure_unique_shot_ids(scene)
    tokens, queued, skipped, problems = [], [], [], []
    catalog_known = session.catalog() is not None or _animatic(context)
    for obj in timeline_shots(scene):
        sidecar = _active_sidecar(obj) if only_changed else ""
        try:
            if sidecar and catalog_known and is_unchanged(current_hash(context, scene, obj, quality), sidecar):
                skipped.append(obj.name)
                continue
            defer = sidecar if sidecar and not catalog_known else ""
            tokens.append(queue_shot(context, scene, obj, quality, kind="batch", skip_if_unchanged=defer))
            queued.append(obj.name)
        except (GenerateError, snapshot.SnapshotError) as exc:
            problems.append(str(exc))
    batches.begin(scene, len(tokens), len(skipped), queued)
    return SceneQueue(tuple(tokens), tuple(skipped), tuple(problems))


def wait_for(tokens: list[str] | tuple[str, ...], timeout: float | None = None) -> bool:
    """Pump until every job in ``tokens`` ended; False if ``timeout`` seconds passed first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while any(jobs.is_active(token) for token in tokens):
        if deadline is not None and time.monotonic() > deadline:
            return False
        delay = pump.pump()
        time.sleep(min(delay if delay is not None else 0.01, 0.01))
    # One more tick places the strips of the takes that just arrived.
    pump.pump()
    if not pump.busy():
        # Nothing left for it; a timer still registered when a headless script exits hangs
        # Blender 4.5 and crashes 4.2 (timers never fire there, so it would never unregister itself).
        timer.stop_timer()
    return True
