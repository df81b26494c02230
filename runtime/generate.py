"""Queue shots for generation, and wait for them (the blocking path of scripts and ``execute``).

Everything that can be checked is checked before anything is written or started: the prompt, the
settings (with the catalog known so far), the input images, the output folder. Only then are input
images rendered and the job queued, so a refused click leaves nothing half-made.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import bpy

from ..wangp_backend.batch import BatchItem, is_unchanged, schedule
from ..wangp_backend.review import read_sidecar
from . import animatic as animatic_layout
from . import (
    batch_queue,
    batches,
    cast,
    guide_layout,
    host_choice,
    inputs,
    jobs,
    keys,
    lifecycle,
    log,
    paths,
    pump,
    review,
    session,
    shot_index,
    shot_state,
    snapshot,
    soundtrack,
    submit,
    timeline,
    timer,
)
from .wait_report import WaitReport

#: Seeds are drawn below this (WanGP's own random seeds are too).
MAX_SEED = 999_999_999


class GenerateError(Exception):
    """The shot cannot be queued; the message says what to fix."""


@dataclass(frozen=True)
class SceneQueue:
    """A scene batch as queued: ``scene_key`` names it (see ``wait_for_batch``)."""

    scene_key: str
    order: tuple[str, ...]
    skipped: tuple[str, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()
    #: shots left alone because a take of theirs is approved
    locked: tuple[str, ...] = ()


def queue_shot(
    context: bpy.types.Context,
    scene: bpy.types.Scene,
    obj: bpy.types.Object,
    quality: str = "",
    kind: str = "shot",
    skip_if_unchanged: str = "",
    submit_now: bool = True,
    seed: int | None = None,
    layout_blend: str = "",
) -> str:
    """Validate, make the input images and queue one job for the shot; returns the job's token.

    A batch releases jobs from inside the pump's message handling with ``submit_now=False``: the
    pump submits them on the same tick, and a nested submit could hand one job to the host twice.
    Callers make the scene's shot ids unique first (once per click, not once per shot: it scans the
    scene). ``seed`` replaces the shot's own (variations of one click each get their own). For the layout
    animatic, ``layout_blend`` is the .blend taken at the click (written here when not given).
    """
    animatic = host_choice.runs_animatic(context)
    folder = paths.take_dir(context, scene, obj)
    take_name = paths.next_take_name(folder, obj, jobs.reserved_names(folder))
    try:
        snap = snapshot.take_snapshot(
            context, scene, obj, quality, os.path.join(folder, "inputs"), take_name, with_inputs=not animatic
        )
        if seed is not None:
            snap = replace(snap, spec=replace(snap.spec, seed=seed))
        # Checked with the catalog known now; the settings are built again with the live one at submit.
        built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(context), animatic)
    except snapshot.SnapshotError as exc:
        raise GenerateError(str(exc)) from exc
    # A guided shot's settings wait for its guide ("not rendered yet" is not a refusal).
    if built.blocking_errors:
        raise GenerateError(f"{obj.name}: " + "; ".join(built.blocking_errors))
    problem = paths.writable_problem(folder)
    if problem:
        raise GenerateError(problem)
    try:
        lifecycle.ensure_host(context)
    except host_choice.SetupError as exc:
        mark_not_started([obj], str(exc))
        raise GenerateError(str(exc)) from exc
    try:
        # A camera frame renders in the background; the job waits for it like a guided job for its guide.
        snapshot.produce(scene, snap, wait=False)
    except snapshot.SnapshotError as exc:
        raise GenerateError(f"{obj.name}: {exc}") from exc
    if animatic:
        # What the user saw at the click is what renders: a batch's shots share its click's copy.
        blend = layout_blend or (animatic_layout.batch_copy(keys.scene_key(scene)) if kind == "batch" else "")
        animatic_layout.remember(snap.spec.shot_key, take_name, blend or animatic_layout.layout_copy(scene))
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
    shot_state.job_queued(obj.movie_director, session.ready())
    timer.ensure_timer()
    if submit_now:
        submit.submit_ready()
    return token


def variation_seeds(seed: int, count: int, rng: random.Random | None = None) -> list[int]:
    """``count`` different seeds: the shot's own and the next ones, or random ones when it has none (-1)."""
    if seed >= 0:
        return [(seed + i) % MAX_SEED for i in range(count)]
    return (rng or random.SystemRandom()).sample(range(MAX_SEED), count)


def queue_variations(
    context: bpy.types.Context, scene: bpy.types.Scene, obj: bpy.types.Object, quality: str, count: int
) -> list[str]:
    """Queue ``count`` takes of the shot with different seeds, back to back (so WanGP loads the model once).

    They are handed to the host together once all are queued: if one cannot be queued, none runs.
    """
    tokens: list[str] = []
    try:
        blend = animatic_layout.layout_copy(scene) if host_choice.runs_animatic(context) else ""
        for seed in variation_seeds(obj.movie_director.seed, count):
            tokens.append(queue_shot(context, scene, obj, quality, seed=seed, submit_now=False, layout_blend=blend))
    except GenerateError:
        for token in tokens:
            submit.cancel(token)
        raise
    submit.submit_ready()
    return tokens


def mark_not_started(objs: list[bpy.types.Object], reason: str) -> None:
    """Show shots that could not start because the session could not as failed, with the reason (the
    panel then offers its fix), never as idle: a headless run reads the status to know what happened."""
    for obj in objs:
        shot_state.not_started(obj.movie_director, reason)
        log.write(f"{obj.name}: not started: {reason}")


def _active_sidecar(obj: bpy.types.Object) -> str:
    shot = obj.movie_director
    if 0 <= shot.active_take_index < len(shot.takes):
        return bpy.path.abspath(shot.takes[shot.active_take_index].sidecar_path)
    return ""


def _current_model() -> str:
    """The model WanGP has loaded, as far as we know: the one of the last job handed to it.

    A host that runs several jobs at once (a farm) has no one loaded model: none is assumed.
    """
    if session.capabilities().jobs_at_once > 1:
        return ""
    records = jobs.submitted()
    return str(records[-1].request.settings.get("model_type", "")) if records else ""


def _recorded_inputs(sidecar: str) -> dict[str, str]:
    """The input image paths the take was made from (role -> path), to hash the shot as that take was."""
    try:
        recorded = read_sidecar(sidecar).get("inputs", {})
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {role: str(plan.get("path", "")) for role, plan in recorded.items() if isinstance(plan, dict)}


def _plan_shot(context, scene, obj, quality: str, animatic: bool, sidecar: str) -> tuple[BatchItem, int]:
    """Validate the shot as it would be generated now (no input image made); raises GenerateError.

    Input images are named after their take, so the hash compared with the active take's (``sidecar``)
    uses that take's image paths: an unchanged shot with a start image hashes the same.
    """
    snap = snapshot.take_snapshot(context, scene, obj, quality, "", "plan", with_inputs=False)
    if sidecar:
        paths_ = _recorded_inputs(sidecar)
        spec = replace(snap.spec, start_image=paths_.get("start", ""), end_image=paths_.get("end", ""))
        snap = replace(snap, spec=cast.as_recorded(spec, sidecar))
    built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(context), animatic)
    if built.blocking_errors:
        raise GenerateError(f"{obj.name}: " + "; ".join(built.blocking_errors))
    depends_on = ""
    if obj.movie_director.start_image_source == "PREVIOUS_SHOT":
        previous = inputs.previous_shot(scene, obj)
        if previous is None:
            raise GenerateError(f"No shot starts before {obj.name}: it has no previous shot to continue from")
        depends_on = keys.shot_key(scene, previous)
    item = BatchItem(
        shot_key=snap.spec.shot_key,
        shot_name=obj.name,
        model_type=built.model_type,
        timeline_start=obj.movie_director.frame_start,
        settings_hash=built.settings_hash,
        depends_on=depends_on,
    )
    return item, snap.spec.frame_count


def _release_fn(context: bpy.types.Context, scene_key: str) -> Callable[[batches.Item], str]:
    def release(item: batches.Item) -> str:
        scene, obj = keys.find_shot(item.shot_key)
        if obj is not None:
            item.shot_name = obj.name  # renamed while it waited: the panel and the summary say its name now
        if item.request is not None:
            return submit_recorded(scene_key, item)
        if obj is None:
            raise ValueError(f"{item.shot_name} was deleted before its turn")
        try:
            return queue_shot(
                context, scene, obj, item.quality, kind="batch", skip_if_unchanged=item.skip_if_unchanged,
                submit_now=False,
            )
        except (GenerateError, snapshot.SnapshotError) as exc:
            raise ValueError(str(exc)) from exc

    return release


def submit_recorded(scene_key: str, item: batches.Item) -> str:
    """Queue a recorded request (a resumed batch) to be handed to the host as it is; returns the job token.

    Like every job it waits for the session (WanGP may still be loading): the click returns at once.
    """
    request = item.request
    token = keys.new_id()
    jobs.add_pending(
        jobs.PendingJob(
            token=token, shot_key=item.shot_key, scene_key=scene_key, file_token=jobs.file_token(),
            shot_name=item.shot_name, take_dir=request.take_dir, take_name=request.take_name, kind="batch",
            snapshot=None, request=request,
        )
    )
    _scene, obj = keys.find_shot(item.shot_key)
    if obj is not None:
        shot_state.job_queued(obj.movie_director, session.ready())
    timer.ensure_timer()
    return token


def queue_scene(
    context: bpy.types.Context,
    scene: bpy.types.Scene,
    quality: str,
    only_changed: bool,
    shots: list[bpy.types.Object] | None = None,
) -> SceneQueue:
    """Validate every shot, order them with ``batch.schedule`` and start the batch.

    A shot that cannot be queued does not stop the rest. With ``only_changed``, a shot whose settings
    hash equals its active take's is skipped, unless it continues a shot that is generated again.
    A locked shot (an approved take) is never queued, whatever ``only_changed`` says.
    The hash depends on the model chosen from the catalog, so while no catalog is known yet (WanGP
    still loading) that check is made when the session is ready, just before submitting.
    """
    with soundtrack.one_read_of_voices():
        return _queue_scene(context, scene, quality, only_changed, shots)


def _queue_scene(
    context: bpy.types.Context,
    scene: bpy.types.Scene,
    quality: str,
    only_changed: bool,
    shots: list[bpy.types.Object] | None,
) -> SceneQueue:
    keys.ensure_unique_shot_ids(scene)
    scene_key = keys.scene_key(scene)
    if batches.active(scene_key):
        raise GenerateError(f"A batch of {scene.name} is already running: cancel it or wait for it")
    animatic = host_choice.runs_animatic(context)
    catalog_known = session.catalog() is not None or animatic
    planned: list[tuple[BatchItem, int, str]] = []
    skipped, locked, problems = [], [], []
    in_batch: set[str] = set()
    for obj in shots if shots is not None else shot_index.timeline_shots(scene):
        if review.locked(obj):
            locked.append(obj.name)
            continue
        sidecar = _active_sidecar(obj) if only_changed else ""
        try:
            item, frames = _plan_shot(context, scene, obj, quality, animatic, sidecar)
        except (GenerateError, snapshot.SnapshotError) as exc:
            problems.append(str(exc))
            continue
        if item.depends_on in in_batch:
            sidecar = ""  # its start image is the previous shot's new last frame
        # A guided shot's settings name its guide, known once the guide is looked up: compare at submit.
        deferred = not catalog_known or guide_layout.wants_guide(obj.movie_director)
        if sidecar and not deferred and is_unchanged(item.settings_hash, sidecar):
            skipped.append(obj.name)
            continue
        planned.append((item, frames, sidecar if sidecar and deferred else ""))
        in_batch.add(item.shot_key)
    notes: list[str] = []
    order = schedule([p[0] for p in planned], _current_model(), notes)
    extra = {p[0].shot_key: p for p in planned}
    items = [
        batches.Item(
            shot_key=b.shot_key, shot_name=b.shot_name, model_type=b.model_type, frames=extra[b.shot_key][1],
            quality=quality, depends_on=b.depends_on if b.depends_on in in_batch else "",
            skip_if_unchanged=extra[b.shot_key][2],
        )
        for b in order
    ]
    for note in notes:
        log.write(f"Batch of {scene.name}: {note}")
    start_batch(context, scene, items, len(skipped) + len(locked))
    return SceneQueue(scene_key, tuple(i.shot_name for i in items), tuple(skipped), tuple(problems), tuple(notes),
                      tuple(locked))


def start_batch(context: bpy.types.Context, scene: bpy.types.Scene, items: list[batches.Item], skipped: int) -> None:
    """Start a batch of ``items`` (already in run order) and log its order."""
    scene_key = keys.scene_key(scene)
    if items:
        try:
            lifecycle.ensure_host(context)
        except host_choice.SetupError as exc:
            mark_not_started([o for i in items if (o := keys.find_shot(i.shot_key)[1]) is not None], str(exc))
            raise GenerateError(str(exc)) from exc
        if host_choice.runs_animatic(context):
            animatic_layout.remember_batch(scene_key, animatic_layout.layout_copy(scene))
        log.write(f"Batch of {scene.name}: {len(items)} shot(s) in this order: {', '.join(i.shot_name for i in items)}")
    batch = batches.Batch(scene_key=scene_key, items=items, release_fn=_release_fn(context, scene_key))
    batches.begin(scene, batch, skipped, batch_queue.load_estimator(scene))
    # The first job goes now; the pump hands the others over within its budget (a click stays short).
    submit.submit_ready(time.perf_counter())
    timer.ensure_timer()


def wait_for_batch(scene_key: str, timeout: float | None = None, report: WaitReport | None = None) -> bool:
    """Pump until the scene's batch is over; False if ``timeout`` seconds passed first.

    :param report: writes progress lines to stderr while waiting (operators' ``execute``).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while batches.active(scene_key) or jobs.count():
        if deadline is not None and time.monotonic() > deadline:
            return False
        delay = pump.pump()
        if report is not None:
            report.check()
        time.sleep(min(delay if delay is not None else 0.01, 0.01))
    pump.pump()
    timeline.finish_all()  # the takes that just arrived land before the wait ends
    if report is not None:
        report.check(force=True)
    if not pump.busy():
        timer.stop_timer()
    return True


def wait_for(tokens: list[str] | tuple[str, ...], timeout: float | None = None,
             report: WaitReport | None = None) -> bool:
    """Pump until every job in ``tokens`` ended; False if ``timeout`` seconds passed first.

    :param report: writes progress lines to stderr while waiting (operators' ``execute``).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while any(jobs.is_active(token) for token in tokens):
        if deadline is not None and time.monotonic() > deadline:
            return False
        delay = pump.pump()
        if report is not None:
            report.check()
        time.sleep(min(delay if delay is not None else 0.01, 0.01))
    pump.pump()
    timeline.finish_all()  # the takes that just arrived land before the wait ends
    if report is not None:
        report.check(force=True)
    if not pump.busy():
        # Nothing left for it; a timer still registered when a headless script exits hangs
        # Blender 4.5 and crashes 4.2 (timers never fire there, so it would never unregister itself).
        timer.stop_timer()
    return True
