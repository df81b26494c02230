"""Apply one host message to Blender data: shot status, progress, preview, takes, log.

Shots are looked up by key for every message. A job made for a file that was closed since, or
whose shot was deleted (or got a new shot id), still delivered its take to disk with a sidecar;
the user is told where in the log and in the next operator report.
"""

from __future__ import annotations

import bpy

from ..wangp_backend import messages as m
from . import (
    batches,
    host_choice,
    jobs,
    keys,
    log,
    paths,
    preview,
    session,
    shot_index,
    shot_state,
    take_record,
    timeline,
    undo,
)

PHASES = {
    "loading_model": "Loading model",
    "encoding_text": "Encoding prompt",
    "inference": "Denoising",
    "decoding": "Decoding",
    "rendering": "Rendering",
    "cancelled": "Cancelling",
}


def phase_label(phase: str) -> str:
    return PHASES.get(phase, phase.replace("_", " ").capitalize())


def settle(obj: bpy.types.Object, shot_key: str, outcome: str) -> None:
    """Set the shot's status after one of its jobs ended; other jobs of the shot keep it busy."""
    waiting, submitted = jobs.for_shot(shot_key)
    running = any(jobs.is_started(r.job_id) for r in submitted)
    shot_state.settled(obj.movie_director, len(waiting) + len(submitted), running, outcome)


def _reason(msg: m.Message) -> str:
    if isinstance(msg, m.Failed):
        return msg.message
    return getattr(msg, "reason", "")


def _orphaned(record: jobs.JobRecord, msg: m.Message, why: str) -> None:
    if isinstance(msg, m.TakeReady):
        log.notice(f"{record.shot_name}: {why}; its take is kept at {msg.filepath} (settings: {msg.sidecar_path})")
    elif isinstance(msg, m.Failed):
        log.write(f"{record.shot_name}: {why}; its job failed: {msg.message}")


def apply(msg: m.Message) -> None:
    if isinstance(msg, m.SessionState):
        session.note_state(msg)
        host_choice.on_state(msg)
        return
    record = jobs.get(getattr(msg, "job_id", ""))
    if record is None:
        if isinstance(msg, m.Log):
            log.buffer(msg.text)
        return
    terminal = msg.kind in m.TERMINAL_KINDS
    if terminal:
        outcome = {"take_ready": "done", "failed": "failed", "cancelled": "cancelled"}[msg.kind]
        jobs.finish(record.job_id, outcome)
    if record.file_token != jobs.file_token():
        _orphaned(record, msg, "its file was closed while it generated")
        return
    scene, obj = keys.find_shot(record.shot_key)
    if obj is None:
        _orphaned(record, msg, "the shot was deleted (or got a new shot id) while it generated")
        if terminal:
            batches.record(record.kind, record.scene_key, record.shot_key, outcome, _reason(msg))
        return
    shot = obj.movie_director
    if isinstance(msg, m.Queued):
        shot_state.host_queued(shot)
    elif isinstance(msg, m.Started):
        jobs.mark_started(msg.job_id)
        record = jobs.get(msg.job_id)
        if record is not None and record.kind == "batch":
            batches.started(record.scene_key, record.shot_key)  # the crash record now says "in_progress"
        shot_state.started(shot, msg.job_id, msg.model_type, msg.attempt)
        if msg.attempt:
            log.write(f"{obj.name}: trying fallback model {msg.model_type}")
    elif isinstance(msg, m.Progress):
        shot_state.progressed(shot, msg.percent, phase_label(msg.phase), msg.current_step or 0, msg.total_steps or 0)
    elif isinstance(msg, m.Preview):
        preview.show(obj, msg.width, msg.height, msg.pixels)
    elif isinstance(msg, m.Log):
        log.buffer(f"{obj.name}: {msg.text}")
    elif isinstance(msg, m.TakeReady):
        values = take_record.fields(msg)
        index = take_record.add(shot, values)
        undo.remember(record.shot_key, values)
        shot_state.take_landed(shot)
        timeline.request_show(record.shot_key, index)
        note = f" (fallback {msg.model_type}: {msg.primary_error})" if msg.used_fallback else ""
        log.write(f"{obj.name}: {paths.take_label(msg.filepath, index)} ready: {msg.filepath}{note}")
    elif isinstance(msg, m.Failed):
        shot_state.failed(shot, msg.message, msg.error_class, msg.hint)
        log.write(f"{obj.name}: failed ({msg.stage}): {msg.message} {msg.hint}".rstrip())
        for line in msg.log_tail[-10:]:
            log.write(f"{obj.name}:   {line}")
    elif isinstance(msg, m.Cancelled):
        shot_state.cancelled(shot)
        log.write(f"{obj.name}: cancelled {msg.reason}".rstrip())
    if terminal:
        shot_index.forget()  # the panels' "any failed" may have changed
        settle(obj, record.shot_key, outcome)
        batches.record(record.kind, record.scene_key, record.shot_key, outcome, _reason(msg))
