"""Hand pending jobs to the host once the session is ready.

Settings are built here rather than at the click because the model choice needs the live catalog
(which models this install has), and WanGP may still be loading when the user clicks Generate.
"""

from __future__ import annotations

import time
from dataclasses import replace

from ..wangp_backend.batch import is_unchanged
from ..wangp_backend.hosts.api import Host
from . import apply, batches, guides, jobs, keys, log, session, shot_state, snapshot, soundtrack, stills


def _end_pending(job: jobs.PendingJob, outcome: str, message: str = "", error_class: str = "", hint: str = "") -> None:
    jobs.finish_pending(job.token, outcome)
    guides.forget(job.token)
    if job.snapshot is not None:
        stills.forget(job.snapshot.still_paths)
    if job.file_token != jobs.file_token():
        return
    batches.record(job.kind, job.scene_key, job.shot_key, outcome, message)
    _scene, obj = keys.find_shot(job.shot_key)
    if obj is None:
        return
    if outcome == "failed":
        shot_state.failed(obj.movie_director, message, error_class, hint)
        log.write(f"{obj.name}: not generated: {message} {hint}".rstrip())
    elif outcome == "skipped":
        log.write(f"{obj.name}: skipped, its settings match the active take")
    apply.settle(obj, job.shot_key, outcome)  # a skipped shot settles as done (see shot_state.status_after)


def fail_all(message: str, error_class: str, hint: str = "") -> None:
    for job in jobs.pending():
        _end_pending(job, "failed", message, error_class, hint)


def cancel_all(reason: str) -> None:
    for job in jobs.pending():
        _end_pending(job, "cancelled")
        log.write(f"{job.shot_name}: cancelled ({reason})")


def cancel(token: str) -> bool:
    job = next((j for j in jobs.pending() if j.token == token), None)
    if job is None:
        return False
    _end_pending(job, "cancelled")
    return True


def _with_guide(job: jobs.PendingJob, built, animatic: bool):
    """``(snapshot, built)`` with the shot's guide in, ``None`` while it renders; fails the job when it cannot."""
    snap = job.snapshot
    if animatic or snap.guide is None or not built.guide_pending or built.blocking_errors:
        return snap, built
    state, value = guides.media_for(job.token, job.shot_key, snap.guide, built.guide_target, job.take_dir)
    if state == "waiting":
        return None
    if state == "failed":
        soundtrack.discard_unsent(snap.cut_paths, {})
        _end_pending(job, "failed", f"{job.shot_name}: {value}", "guide")
        return None
    snap = replace(snap, spec=replace(snap.spec, guide_media=value))
    built = snapshot.build(snap, session.catalog(), session.templates(), session.vram_gb(), animatic)
    _scene, obj = keys.find_shot(job.shot_key)
    if obj is not None:
        shot = obj.movie_director
        shot.guide_hash, shot.guide_video = value.content_hash, value.control_video
        guides.show_thumbnail(obj, value)
    return snap, built


def _submit(host: Host, job: jobs.PendingJob, animatic: bool) -> None:
    built = None
    if job.request is not None:
        request = job.request
    else:
        if guides.is_waiting(job.token):
            return  # its guide is rendering; the pump looks again when the renderer reports
        still_paths = job.snapshot.still_paths
        if stills.waiting(still_paths):
            return  # its start image (a camera frame) is rendering in the background
        still_problem = stills.problem(still_paths)
        stills.forget(still_paths)
        if still_problem:
            soundtrack.discard_unsent(job.snapshot.cut_paths, {})
            _end_pending(job, "failed", f"{job.shot_name}: {still_problem}", "runtime")
            return
        cuts = job.snapshot.cut_paths
        if soundtrack.waiting(cuts):
            return  # its dialogue is being cut; the pump looks again on its next tick
        cut_problem = soundtrack.problem(cuts)
        soundtrack.forget(cuts)
        if cut_problem:
            _end_pending(job, "failed", f"{job.shot_name}: {cut_problem}", "validation")
            return
        built = snapshot.build(
            job.snapshot, session.catalog(), session.templates(), session.vram_gb(), animatic
        )
        guided = _with_guide(job, built, animatic)
        if guided is None:
            return
        snap, built = guided
        soundtrack.discard_unsent(cuts, {} if built.errors else built.settings)
        if built.errors:
            _end_pending(job, "failed", "; ".join(built.errors), "validation")
            return
        if job.skip_if_unchanged and is_unchanged(built.settings_hash, job.skip_if_unchanged):
            soundtrack.discard_unsent(cuts, {})
            _end_pending(job, "skipped")
            return
        request = snapshot.make_request(snap, built, job.take_dir, job.take_name)
    job_id = host.submit(request)
    jobs.drop_pending(job.token)
    jobs.add_submitted(
        jobs.JobRecord(
            job_id=job_id,
            token=job.token,
            shot_key=job.shot_key,
            scene_key=job.scene_key,
            file_token=job.file_token,
            shot_name=job.shot_name,
            take_dir=job.take_dir,
            take_name=job.take_name,
            request=request,
            kind=job.kind,
        )
    )
    if job.kind == "batch":
        batches.touch(job.scene_key)  # the crash record now holds the submitted request
    for note in built.notes if built is not None else ():
        log.write(f"{job.shot_name}: {note}")
    _scene, obj = keys.find_shot(job.shot_key)
    if obj is not None:
        if built is not None:
            # The panel shows the wording the prompt got ("updated before generating").
            obj.movie_director.camera_wording = built.camera_wording
        shot_state.job_submitted(obj.movie_director, job_id)


def submit_ready(deadline: float | None = None) -> None:
    """Submit the pending jobs if the session is ready; fail them all if it failed to start.

    With a ``deadline`` (``time.perf_counter()``), submitting stops once it passed (at least one job
    goes each call): building a job's settings costs the main thread about a millisecond, so the
    pump hands a 500-shot batch to the host over several ticks instead of stalling one. WanGP runs
    one job at a time, so the host is never starved.
    """
    if not jobs.pending():
        return
    host = session.get_host()
    view = session.view()
    if host is None:
        return
    if view.state == "failed":
        fail_all(view.message or "The session failed to start", "environment", view.hint)
        return
    if view.state != "ready":
        return
    for job in jobs.pending():
        if job.file_token != jobs.file_token():
            jobs.finish_pending(job.token, "cancelled")
            continue
        try:
            _submit(host, job, host.capabilities.layout_animatic)
        except Exception as exc:  # the boundary: a job that cannot be built or queued fails alone
            log.logger().exception("submitting %s", job.shot_name)
            _end_pending(job, "failed", f"Could not build or queue the job: {exc}", "runtime")
        if deadline is not None and time.perf_counter() >= deadline:
            break
