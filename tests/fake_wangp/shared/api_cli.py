"""The job thread of the WanGP test double (``shared/api_cli.py`` in the real install).

A job thread holds the generation lock and cwd at the root for the whole job; a worker thread runs
the tasks with stdout/stderr redirected process-wide and sends commands back through a queue,
which the job thread turns into events and callbacks. The order of the end matters and is
WanGP's: ``completed`` is queued and the result set, then cwd is restored, then the stream closes.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from . import fake_config
from .api import (
    _GENERATION_LOCK,
    _LIVE_JOBS,
    GenerationError,
    GenerationResult,
    PreviewUpdate,
    ProgressUpdate,
    SessionJob,
    _OutputCapture,
    _pushd,
    build_progress_update,
)

_POLL_S = 0.01
#: How long the worker waits for the job thread to take a command (it only waits longer if that thread died).
_ACK_TIMEOUT_S = 1.0


def run_cli_job(session, job: SessionJob, tasks: list[dict[str, Any]]) -> None:
    commands: queue.Queue[tuple[str, Any]] = queue.Queue()
    gen = session._state["gen"]
    base_file_count, base_audio_count = len(gen["file_list"]), len(gen["audio_file_list"])
    summary: dict[str, Any] = {"errors": [], "successful_tasks": 0, "failed_tasks": 0}
    runtime = None
    try:
        runtime = session._ensure_runtime()
        with _GENERATION_LOCK, _pushd(runtime.root):
            session._configure_runtime(runtime)
            session._prepare_state_for_run(tasks)
            job.events.put("started", {"tasks": len(tasks)})
            worker = threading.Thread(
                target=_worker,
                args=(session, runtime.module, tasks, commands, job, summary),
                daemon=True,
                name="wangp-session-worker",
            )
            worker.start()
            handler = _CommandHandler(session, job, runtime.module, tasks)
            while True:
                if job.cancel_requested:
                    gen["abort"] = True
                try:
                    command, data, handled = commands.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if command == "worker_exit":
                    break
                try:
                    handler.handle(command, data)
                finally:
                    handled.set()
            worker.join(timeout=0.1)
            if job.cancel_requested and not summary["errors"]:
                summary["errors"].append(GenerationError(message="Generation was cancelled", stage="cancelled"))
                summary["failed_tasks"] = max(summary["failed_tasks"], 1)
            result = GenerationResult(
                success=not summary["errors"],
                generated_files=session._collect_outputs(base_file_count, base_audio_count),
                errors=list(summary["errors"]),
                total_tasks=len(tasks),
                successful_tasks=summary["successful_tasks"],
                failed_tasks=summary["failed_tasks"],
                artifacts=session._consume_output_artifacts(tasks),
            )
            job.events.put("completed", result)
            session._emit_callback("on_complete", result, job=job)
            job._set_result(result)
    except BaseException as exc:  # the job thread must always end the stream with a result
        failure = session._make_generation_error(exc, stage="runtime")
        result = GenerationResult(
            success=False, generated_files=[], errors=[failure], total_tasks=len(tasks),
            successful_tasks=summary["successful_tasks"],
            failed_tasks=max(summary["failed_tasks"], 1 if tasks else 0),
        )
        job.events.put("error", failure)
        session._emit_callback("on_error", failure, job=job)
        job.events.put("completed", result)
        session._emit_callback("on_complete", result, job=job)
        job._set_result(result)
    finally:
        job.events.close()
        if runtime is not None:
            session._reset_state_after_run()
        with session._job_lock:
            if session._active_job is job:
                session._active_job = None
        _LIVE_JOBS.discard(job)


def _worker(session, wgp, tasks: list[dict[str, Any]], commands: queue.Queue, job: SessionJob,
            summary: dict[str, Any]) -> None:
    def emit(stream_name: str, line: str) -> None:
        session._emit_stream(job, stream_name, line)

    stdout = _OutputCapture("stdout", emit, console=sys.__stdout__ if session._console_output else None,
                            console_isatty=session._console_isatty)
    stderr = _OutputCapture("stderr", emit, console=sys.__stderr__ if session._console_output else None,
                            console_isatty=session._console_isatty)
    def push(command: str, data: Any = None) -> None:
        # Wait until the job thread has turned the command into an event, so a status sent before a
        # print is queued before that print's stream line (in real WanGP, work between them does that).
        handled = threading.Event()
        commands.put((command, data, handled))
        handled.wait(_ACK_TIMEOUT_S)

    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            _run_tasks(session, wgp, tasks, push, job, summary)
    except BaseException as exc:  # e.g. the AttributeError of an unknown model_type: stage "runtime"
        failure = session._make_generation_error(exc, stage="runtime")
        summary["errors"].append(failure)
        push("error", failure)
    finally:
        stdout.flush()
        stderr.flush()
        commands.put(("worker_exit", None, threading.Event()))


def _run_tasks(session, wgp, tasks: list[dict[str, Any]], push: Callable[..., None],
               job: SessionJob, summary: dict[str, Any]) -> None:
    gen = session._state["gen"]
    # Stand-in for the real job's set-up time, so a cancel issued right after submit lands before task 1.
    time.sleep(float(fake_config.load()["start_delay_s"]))
    for task_index, task in enumerate(tasks, start=1):
        if job.cancel_requested:
            break
        gen["prompt_no"], gen["prompts_max"] = task_index, len(tasks)
        task_id = task.get("id")
        task_errors: list[GenerationError] = []
        send_cmd = _command_sender(session, push, task_index, task_id, task_errors)
        settings, validation_error = wgp.validate_task(task, session._state)
        if settings is None:
            failure = GenerationError(message=validation_error or f"Task {task_index} failed validation",
                                      task_index=task_index, task_id=task_id, stage="validation")
            summary["errors"].append(failure)
            summary["failed_tasks"] += 1
            push("error", failure)
            continue
        try:
            success = wgp.generate_video(task, send_cmd, settings, session._state, plugin_data=task.get("plugin_data"))
        except Exception as exc:  # a model failure (missing weights, OOM, ...) fails this task only
            if not task_errors:
                task_errors.append(session._make_generation_error(exc, task_index=task_index, task_id=task_id,
                                                                  stage="generation"))
                push("error", task_errors[-1])
            success = False
        if gen.get("abort") or job.cancel_requested:
            task_errors.append(GenerationError(message="Generation was cancelled", task_index=task_index,
                                               task_id=task_id, stage="cancelled"))
            push("error", task_errors[-1])
            summary["errors"].extend(task_errors)
            summary["failed_tasks"] += 1
            break
        if task_errors:
            summary["errors"].extend(task_errors)
            summary["failed_tasks"] += 1
            continue
        if not success:
            failure = GenerationError(message=f"Task {task_index} did not complete successfully",
                                      task_index=task_index, task_id=task_id, stage="generation")
            summary["errors"].append(failure)
            summary["failed_tasks"] += 1
            push("error", failure)
            continue
        summary["successful_tasks"] += 1


def _command_sender(session, push: Callable[..., None], task_index: int, task_id: Any,
                    task_errors: list[GenerationError]) -> Callable[..., None]:
    """WanGP's ``send_cmd`` for one task: an ``error`` command is recorded as that task's failure."""

    def send_cmd(command: str, data: Any = None) -> None:
        if command == "error":
            failure = session._make_generation_error(data, task_index=task_index, task_id=task_id, stage="generation")
            task_errors.append(failure)
            push("error", failure)
        else:
            push(command, data)

    return send_cmd


class _CommandHandler:
    """Turns worker commands into job events and callbacks, on the job thread."""

    def __init__(self, session, job: SessionJob, wgp, tasks: list[dict[str, Any]]) -> None:
        self._session = session
        self._job = job
        self._wgp = wgp
        self._tasks = tasks
        self._last_progress = ProgressUpdate(phase="inference", status="", progress=0, current_step=None,
                                             total_steps=None)

    def _emit(self, kind: str, callback: str, payload: Any) -> None:
        self._job.events.put(kind, payload)
        self._session._emit_callback(callback, payload, job=self._job)

    def handle(self, command: str, data: Any) -> None:
        if command == "progress":
            self._last_progress = build_progress_update(data)
            self._session._state["gen"]["progress_status"] = self._last_progress.status
            self._emit("progress", "on_progress", self._last_progress)
        elif command == "preview":
            from .fake_profile import current

            if current()["preview_data"] == "none":  # newer releases: the event comes, the image does not
                self._emit("preview", "on_preview", None)
                return
            model_type = str(self._tasks[self._session._state["gen"]["prompt_no"] - 1]["params"].get("model_type"))
            last = self._last_progress
            preview = PreviewUpdate(image=self._wgp.generate_preview(model_type, data), phase=last.phase,
                                    status=last.status, progress=last.progress, current_step=data["step"],
                                    total_steps=data["total"])
            self._emit("preview", "on_preview", preview)
        elif command in ("status", "info"):
            self._emit(command, f"on_{command}", str(data or ""))
        elif command == "output":
            self._emit("output", "on_output", data)
        elif command == "error":
            self._emit("error", "on_error", data)
