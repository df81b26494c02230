"""Run one of our jobs on the host thread: validate, submit, follow WanGP's events, fall back, file the take.

Everything here happens on the host thread, so it needs no locks. Collaborators (the session, the
message sink, the command poll) are injected, which keeps it testable with hand-written fakes.
"""

from __future__ import annotations

import copy
import os
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import postprocess
from .catalog import ModelCatalog, ModelInfo
from .conform import ConformError, conform, needs_conform
from .failures import classify, hint_for, one_line
from .hashing import settings_hash
from .logs import get_logger
from .messages import Cancelled, Failed, Log, Message, Started, TakeReady
from .outcome import Outcome, judge
from .requests import JobRequest
from .stdio_guard import KEEPER
from .takes import check_take_target, place_take, sidecar_record, write_sidecar
from .timestamps import now_iso
from .translate import JobTranslator
from .validate import Validated, ValidationError, validate_settings

log = get_logger()

#: How long the host waits for ``job.result()`` after the event stream closed without a ``completed`` event.
RESULT_TIMEOUT_S = 5.0
#: How long a job whose host code failed may take to stop after being cancelled.
ABORT_TIMEOUT_S = 30.0


@dataclass
class HostJob:
    """A submitted request and what the host knows about its progress."""

    job_id: str
    request: JobRequest
    submitted_at: str = field(default_factory=now_iso)
    cancel_requested: bool = False
    cancel_reason: str = ""
    #: The WanGP ``SessionJob`` of the current attempt, while it runs.
    wangp_job: Any = None

    def cancel(self, reason: str = "cancelled") -> None:
        """Ask the job to stop (host thread only); WanGP stops cooperatively, the stream then ends."""
        self.cancel_requested = True
        self.cancel_reason = self.cancel_reason or reason
        if self.wangp_job is not None:
            self.wangp_job.cancel()


@dataclass
class _Attempt:
    validated: Validated
    number: int
    outcome: Outcome = field(default_factory=lambda: Outcome("failed"))
    started_at: str = ""
    finished_at: str = ""
    duration_s: float = 0.0


class JobRunner:
    """Runs jobs one at a time against a started WanGP session; every job ends in exactly one terminal message."""

    def __init__(
        self,
        session: Any,
        catalog: ModelCatalog,
        wangp_version: str,
        emit: Callable[[Message], None],
        poll_commands: Callable[[], None],
        *,
        should_abandon: Callable[[], bool],
        preview_max_side: int,
        preview_max_fps: float,
        log_lines: int,
        rng: random.Random,
        clock: Callable[[], float] = time.monotonic,
        wangp_commit: str = "",
    ) -> None:
        self.session = session
        self.catalog = catalog
        self.wangp_version = wangp_version
        self.wangp_commit = wangp_commit
        self._emit = emit
        self._poll_commands = poll_commands
        self._should_abandon = should_abandon
        self._preview_max_side = preview_max_side
        self._preview_max_fps = preview_max_fps
        self._log_lines = log_lines
        self._rng = rng
        self._clock = clock
        #: A WanGP job left running because the host had to close before it stopped.
        self.abandoned_job: Any = None

    def run(self, job: HostJob) -> None:
        request = job.request
        log_tail: deque[str] = deque(maxlen=self._log_lines)
        if request.operation == postprocess.POSTPROCESS:
            self._run_postprocess(job, log_tail)
            return
        try:
            check_take_target(request.take_dir, request.take_name)
            primary = validate_settings(request.settings, self.catalog, self._rng)
        except (ValidationError, ValueError) as exc:
            self._fail(job, "validation", str(exc), "validation", log_tail)
            return
        attempts: list[_Attempt] = []
        for model_type in (primary.model.model_type, *request.fallbacks):
            validated = primary if not attempts else self._fallback(job, model_type, primary.seed, attempts)
            if validated is None:
                continue
            if job.cancel_requested:
                self._emit(Cancelled(job.job_id, request.shot_key, reason=job.cancel_reason))
                return
            attempt = _Attempt(validated, number=len(attempts))
            attempts.append(attempt)
            self._info(job, validated.notes)
            self._run_attempt(job, attempt, log_tail)
            if attempt.outcome.kind == "success":
                self._file_take(job, attempts, log_tail)
                return
            if attempt.outcome.kind == "cancelled":
                self._emit(Cancelled(job.job_id, request.shot_key, reason=job.cancel_reason or "cancelled"))
                return
            if not attempt.outcome.retryable:
                break
        last = attempts[-1].outcome
        self._fail(job, last.stage, last.message, last.error_class, log_tail)

    def _fallback(self, job: HostJob, model_type: str, seed: int, tried: list[_Attempt]) -> Validated | None:
        """The request re-validated for fallback ``model_type`` (same seed), or None to skip it."""
        settings = {**job.request.settings, "model_type": model_type, "seed": seed}
        try:
            validated = validate_settings(settings, self.catalog, self._rng)
        except ValidationError as exc:
            self._log(job, f"fallback model skipped: {exc}")
            return None
        fallback, last = validated.model.model_type, tried[-1]
        if any(attempt.validated.model.model_type == fallback for attempt in tried):
            self._log(job, f"fallback model skipped: {fallback} was already tried")
            return None
        self._log(job, f"{last.validated.model.model_type} failed ({last.outcome.message}); trying fallback "
                       f"model {fallback}")
        return validated

    def _run_postprocess(self, job: HostJob, log_tail: deque[str]) -> None:
        """WanGP's late post-processing of a take: one attempt, no fallback, filed as a new take."""
        request = job.request
        try:
            check_take_target(request.take_dir, request.take_name)
        except ValueError as exc:
            self._fail(job, "validation", str(exc), "validation", log_tail)
            return
        refused = postprocess.problem(request.settings)
        if refused:
            self._fail(job, "validation", refused, "validation", log_tail)
            return
        parent = request.sidecar_extra.get("parent_take", {})
        media = postprocess.predicted(postprocess.Media(float(parent.get("fps", 0) or 0),
                                                        int(parent.get("frame_count", 0) or 0),
                                                        int(parent.get("width", 0) or 0),
                                                        int(parent.get("height", 0) or 0)), request.settings)
        model = ModelInfo(model_type=str(parent.get("model_type", "")) or "postprocess", fps=media.fps,
                          outputs=("video", "audio") if parent.get("has_audio") else ("video",))
        validated = Validated(settings=dict(request.settings), model=model,
                              seed=int(request.settings.get("seed", -1)), frame_count=media.frame_count,
                              width=media.width, height=media.height, fps=media.fps)
        source, arguments = postprocess.call_arguments(request.settings)
        attempt = _Attempt(validated, number=0)
        self._run_attempt(job, attempt, log_tail,
                          submit=lambda: self.session.submit_media_postprocessing(source, **arguments))
        if attempt.outcome.kind == "success":
            real = postprocess.probe(attempt.outcome.files[0])
            if real is not None:  # what WanGP really made beats what was worked out
                attempt.validated = replace(validated, fps=real.fps, frame_count=real.frame_count, width=real.width,
                                            height=real.height, model=replace(model, fps=real.fps))
            self._file_take(job, [attempt], log_tail)
        elif attempt.outcome.kind == "cancelled":
            self._emit(Cancelled(job.job_id, request.shot_key, reason=job.cancel_reason or "cancelled"))
        else:
            self._fail(job, attempt.outcome.stage, attempt.outcome.message, attempt.outcome.error_class, log_tail)

    def _run_attempt(self, job: HostJob, attempt: _Attempt, log_tail: deque[str],
                     submit: Callable[[], Any] | None = None) -> None:
        settings = attempt.validated.settings
        try:
            wangp_job = submit() if submit is not None else self.session.submit_task(settings)
        except Exception as exc:  # the boundary: WanGP refused the task; say why
            message = one_line(exc) or type(exc).__name__
            attempt.outcome = Outcome("failed", stage="submit", message=message, error_class=classify(message))
            return
        started = self._clock()
        attempt.started_at = now_iso()
        job.wangp_job = wangp_job
        self._emit(Started(job.job_id, job.request.shot_key, attempt.validated.model.model_type,
                           attempt=attempt.number, settings=copy.deepcopy(settings)))
        translator = JobTranslator(job.job_id, job.request.shot_key, log_tail, preview_max_side=self._preview_max_side,
                                   preview_max_fps=self._preview_max_fps, clock=self._clock)
        try:
            ended = self._follow(wangp_job, translator)
        except Exception:
            # Our own code failed mid-job: stop WanGP's job before the host moves on, or the next submit is refused.
            wangp_job.cancel()
            try:
                wangp_job.result(timeout=ABORT_TIMEOUT_S)
            except TimeoutError:
                log.warning("job %s: WanGP did not stop within %ss", job.job_id, ABORT_TIMEOUT_S)
            raise
        finally:
            job.wangp_job = None
        attempt.finished_at = now_iso()
        attempt.duration_s = round(self._clock() - started, 3)
        if not ended:
            self.abandoned_job = wangp_job
            attempt.outcome = Outcome("cancelled")
            return
        attempt.outcome = judge(self._result(wangp_job, translator), job.cancel_requested)

    def _follow(self, wangp_job: Any, translator: JobTranslator) -> bool:
        """Translate events until the stream closes (True), serving commands meanwhile; False if abandoned."""
        events = wangp_job.events
        while True:
            KEEPER.note()  # see stdio_guard: a print racing the job's end must not crash
            event = events.get(timeout=0.05)
            if event is not None:
                self._emit_all(translator.handle(event))
            elif events.closed:
                # Events put just before the close can still be queued behind a timed-out get().
                while (event := events.get(timeout=0)) is not None:
                    self._emit_all(translator.handle(event))
                break
            self._emit_all(translator.tick())
            self._poll_commands()
            if self._should_abandon():
                return False
        # The stream's end is the point where WanGP has restored the cwd and stdout.
        self._emit_all(translator.finish())
        return True

    def _result(self, wangp_job: Any, translator: JobTranslator) -> Any:
        if translator.result is not None:
            return translator.result
        try:
            return wangp_job.result(timeout=RESULT_TIMEOUT_S)
        except TimeoutError:
            return None

    def _file_take(self, job: HostJob, attempts: list[_Attempt], log_tail: deque[str]) -> None:
        request, final = job.request, attempts[-1]
        source = final.outcome.files[0]
        filepath = ""
        missing = _unusable_output(source)
        if missing:
            # Nothing to file: an empty or vanished clip must not become a take (a strip of nothing).
            self._fail(job, "generation", missing, "runtime", log_tail,
                       hint="Generate again; if it repeats, check the free space where WanGP saves its videos.")
            return
        try:
            filepath = place_take(source, request.take_dir, request.take_name)
            record = sidecar_record(
                job_id=job.job_id, request=request, validated=final.validated, wangp_version=self.wangp_version,
                wangp_commit=self.wangp_commit,
                filepath=filepath, settings_hash=self._settings_hash(request), submitted_at=job.submitted_at,
                started_at=final.started_at, finished_at=final.finished_at, duration_s=final.duration_s,
                attempts=[(a.validated.model.model_type, a.outcome.message) for a in attempts],
            )
            self._conform(job, filepath, record)
            sidecar = write_sidecar(filepath, record)
        except (OSError, ValueError) as exc:
            what = ("The take's sidecar could not be written" if filepath
                    else "The clip could not be put into the take folder")
            # Once moved, WanGP's file is gone: the message must point at where the clip is now (a batch's
            # Recover Takes gives a clip left without its sidecar one, see takes.settle_interrupted).
            self._fail(job, "take", f"{what}: {one_line(exc)}", "runtime", log_tail,
                       hint=f"Check that {request.take_dir} is writable; the clip is {filepath or source}.")
            return
        self._emit(TakeReady(
            job.job_id, request.shot_key, filepath=filepath, sidecar_path=sidecar,
            model_type=record["model_type"], seed=record["seed"], fps=record["fps"],
            frame_count=record["frame_count"], width=record["width"], height=record["height"],
            has_audio=record["has_audio"], used_fallback=record["used_fallback"],
            primary_error=record["primary_error"], settings_hash=record["settings_hash"],
            duration_s=record["duration_s"], parent_take=str(record.get("parent_take", {}).get("file", "")
                                                             if isinstance(record.get("parent_take"), dict) else ""),
        ))

    def _conform(self, job: HostJob, filepath: str, record: dict[str, Any]) -> None:
        """Re-time the clip to the timeline's frame rate (see ``conform.py``); the sidecar says what was done."""
        play_fps = job.request.play_fps
        if not needs_conform(record["fps"], play_fps):
            return
        try:
            done = conform(filepath, record["fps"], play_fps)
        except ConformError as exc:
            self._log(job, f"The clip stays at {record['fps']:g} fps (the timeline is at {play_fps:g}): {exc}")
            return
        record["conformed"] = {"from_fps": done.from_fps, "from_frames": record["frame_count"], "to_fps": done.to_fps}
        record["fps"] = done.to_fps
        record["frame_count"] = done.frame_count or round(record["frame_count"] * done.to_fps / done.from_fps)
        self._log(job, f"Conformed {done.from_fps:g} -> {done.to_fps:g} fps ({record['conformed']['from_frames']} -> "
                       f"{record['frame_count']} frames, same speed)")

    @staticmethod
    def _settings_hash(request: JobRequest) -> str:
        return str(request.sidecar_extra.get("settings_hash") or settings_hash(request.settings))

    def _fail(self, job: HostJob, stage: str, message: str, error_class: str, log_tail: deque[str],
              hint: str = "") -> None:
        self._emit(Failed(job.job_id, job.request.shot_key, stage=stage, message=message, error_class=error_class,
                          hint=hint or hint_for(error_class), log_tail=tuple(log_tail)))

    def _info(self, job: HostJob, notes: tuple[str, ...]) -> None:
        for note in notes:
            self._log(job, note)

    def _log(self, job: HostJob, text: str) -> None:
        self._emit(Log(job.job_id, job.request.shot_key, source="info", text=text))

    def _emit_all(self, messages: list[Message]) -> None:
        for message in messages:
            self._emit(message)


def _unusable_output(path: str) -> str:
    """Why WanGP's reported clip cannot be a take ("" if it can, or if it is gone: filing says so)."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return ""
    return "" if size else f"WanGP finished but its video file is empty: {path}"

