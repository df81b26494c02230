"""The in-process session host: one background thread that owns WanGP for the whole Blender session.

Only this thread calls WanGP (init, catalog, submit, cancel, close), because WanGP runs one job at a
time per process and swaps the process cwd and stdout while it works. Other threads talk to it
through a command queue and hear back through a message queue drained by the main thread. The job
queue is shared under a lock, so a queued job can be dropped at once even while WanGP is loading.
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..catalog import ModelCatalog
from ..failures import hint_for, one_line
from ..live_catalog import read_catalog
from ..loader import Loaded, load_wangp
from ..locate import StartError
from ..logs import get_logger
from ..messages import Cancelled, Failed, Message, Queued, SessionState
from ..requests import JobRequest, SessionConfig
from ..runner import HostJob, JobRunner
from .api import IN_PROCESS, QueueHost

log = get_logger()


@dataclass(frozen=True)
class _Command:
    #: ``wake`` (a job was queued), ``cancel`` (``job_id``; empty for whatever runs), ``refresh`` or ``close``
    kind: str
    job_id: str = ""
    deadline: float = 0.0


class SessionHost(QueueHost):
    """Implements :class:`wangp_backend.hosts.api.Host` with WanGP loaded in Blender's own process.

    Jobs submitted before :meth:`start` wait for it. ``api_loader`` and ``catalog_reader`` are the
    seams tests use to inject a fake WanGP session.
    """

    mode = "in_process"
    capabilities = IN_PROCESS

    def __init__(
        self,
        config: SessionConfig,
        *,
        preview_max_side: int = 832,
        preview_max_fps: float = 4.0,
        log_lines: int = 200,
        api_loader: Callable[[SessionConfig], Loaded] = load_wangp,
        catalog_reader: Callable[[Any], list[dict[str, Any]]] = read_catalog,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._preview_max_side = preview_max_side
        self._preview_max_fps = preview_max_fps
        self._log_lines = log_lines
        self._api_loader = api_loader
        self._catalog_reader = catalog_reader
        self._rng = rng or random.Random()
        self._messages: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._commands: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        # Guarded by _lock: the life-cycle state, the job queue and the job in progress.
        self._state = "stopped"
        self._start_error = StartError("")
        self._pending: deque[HostJob] = deque()
        self._running: HostJob | None = None
        self._restart = False
        # Written by the host thread only; read anywhere (a reference swap is atomic).
        self._catalog: ModelCatalog | None = None
        self._records: tuple[dict[str, Any], ...] = ()
        self._wangp_version = ""
        self._wangp_commit = ""
        self._vram_gb = 0.0
        self._close_deadline: float | None = None
        self._refresh_due = False
        self._abandoned: Any = None
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None

    # --- the Host interface (any thread) ---

    def start(self) -> None:
        with self._lock:
            if self._state == "closing":
                self._restart = True
                return
            if self._state not in ("stopped", "failed"):
                return
            self._set_state("starting")
            self._thread = threading.Thread(target=self._thread_main, name="movie-director-wangp", daemon=True)
            self._thread.start()

    def submit(self, request: JobRequest) -> str:
        job = HostJob(job_id=f"{next(self._ids):03d}-{uuid.uuid4().hex[:8]}", request=request)
        with self._lock:
            self._messages.put(Queued(job.job_id, request.shot_key, position=len(self._pending)))
            if self._state == "failed":
                self._fail_start_job(job)
                return job.job_id
            self._pending.append(job)
        self._commands.put(_Command("wake"))
        return job.job_id

    def cancel(self, job_id: str) -> None:
        with self._lock:
            for job in self._pending:
                if job.job_id == job_id:
                    self._pending.remove(job)
                    self._messages.put(Cancelled(job.job_id, job.request.shot_key, reason="removed from queue"))
                    return
            running = self._running is not None and self._running.job_id == job_id
        if running:
            self._commands.put(_Command("cancel", job_id=job_id))

    def cancel_all(self) -> None:
        with self._lock:
            self._drop_pending("removed from queue")
            running = self._running
        if running is not None:
            # Name the job: if it ends meanwhile, a job submitted after this call must not be cancelled.
            self._commands.put(_Command("cancel", job_id=running.job_id))

    def refresh_models(self) -> None:
        self._commands.put(_Command("refresh"))

    def close(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            thread = self._thread
            self._restart = False
            if self._state in ("starting", "ready"):
                self._set_state("closing")
                self._commands.put(_Command("close", deadline=deadline))
            elif self._state != "closing":
                # Never started, or the start failed: there is no thread, only queued jobs to drop.
                self._drop_pending("session closed")
                if self._state != "stopped":
                    self._set_state("stopped")
                return
            if thread is threading.current_thread():
                return
            # Wait for the close, not for the thread: a start() during the close keeps the thread alive.
            self._changed.wait_for(lambda: self._state != "closing", timeout)
            stopped = self._state == "stopped"
        if stopped and thread is not None:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._state == "starting" or bool(self._pending) or self._running is not None


    # --- the host thread ---

    def _thread_main(self) -> None:
        while self._one_life():
            pass

    def _one_life(self) -> bool:
        """Load WanGP, serve jobs until closed; True when a restart was asked for while closing."""
        session = self._load()
        if session is None:
            return False
        self._abandoned = None
        try:
            self._serve(session)
            crash = ""
        except Exception as exc:  # a bug outside any job: stop cleanly and say so rather than hang
            log.error("the WanGP host loop failed", exc_info=exc)
            crash = f"The WanGP host stopped after an internal error: {type(exc).__name__}: {one_line(exc)}"
        return self._shut_down(session, crash)

    def _load(self) -> Any:
        try:
            loaded = self._api_loader(self.config)
            self._wangp_version, self._vram_gb = loaded.wangp_version, loaded.vram_gb
            self._wangp_commit = loaded.wangp_commit
            if self._state == "closing":
                return loaded.session
            self._read_catalog(loaded.session)
        except StartError as exc:
            self._start_failed(exc)
            return None
        except Exception as exc:  # the boundary: a start failure must reach the user as one line
            log.error("WanGP start failed", exc_info=exc)
            self._start_failed(StartError(f"WanGP failed to start: {type(exc).__name__}: {one_line(exc)}",
                                          hint_for("environment")))
            return None
        with self._lock:
            if self._state == "starting":
                self._set_state("ready")
        return loaded.session

    def _read_catalog(self, session: Any) -> None:
        try:
            records = self._catalog_reader(session)
            catalog = ModelCatalog.from_records(records)
        except Exception as exc:  # WanGP loaded, but without a catalog no job can be validated
            log.error("reading the WanGP model list failed", exc_info=exc)
            raise StartError(f"WanGP started but its model list could not be read: {one_line(exc)}",
                             "Check that WanGP's own interface lists its models (python wgp.py).") from exc
        self._records, self._catalog = tuple(records), catalog

    def _start_failed(self, error: StartError) -> None:
        with self._lock:
            self._start_error = error
            self._set_state("failed")
            for job in self._pending:
                self._fail_start_job(job)
            self._pending.clear()
            # A close() that raced with the failed start finds no thread to stop: honour it here.
            if self._take_stale_commands():
                self._set_state("stopped")

    def _serve(self, session: Any) -> None:
        runner = JobRunner(
            session, self._catalog or ModelCatalog(), self._wangp_version, self._messages.put, self._poll_commands,
            should_abandon=self._past_close_deadline, preview_max_side=self._preview_max_side,
            preview_max_fps=self._preview_max_fps, log_lines=self._log_lines, rng=self._rng,
            wangp_commit=self._wangp_commit,
        )
        while True:
            self._poll_commands()
            if self._close_deadline is not None:
                break
            if self._refresh_due:
                self._refresh(session)
                runner.catalog = self._catalog or runner.catalog
            job = self._next_job()
            if job is None:
                self._handle(self._commands.get())
                continue
            try:
                runner.run(job)
            except Exception as exc:  # the boundary: one job's failure must not end the session
                log.error("job %s failed inside the host", job.job_id, exc_info=exc)
                self._messages.put(Failed(
                    job.job_id, job.request.shot_key, stage="host", error_class="runtime",
                    message=f"Internal error in the WanGP host: {type(exc).__name__}: {one_line(exc)}",
                    hint="The session keeps running; please report this with the log.",
                ))
            finally:
                with self._lock:
                    self._running = None
        self._abandoned = runner.abandoned_job

    def _next_job(self) -> HostJob | None:
        with self._lock:
            if not self._pending or self._state != "ready":
                return None
            self._running = self._pending.popleft()
            return self._running

    def _poll_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._handle(command)

    def _handle(self, command: _Command) -> None:
        running = self._running
        if command.kind == "cancel" and running is not None and command.job_id in ("", running.job_id):
            running.cancel()
        elif command.kind == "refresh":
            self._refresh_due = True
        elif command.kind == "close":
            self._close_deadline = command.deadline
            with self._lock:
                self._drop_pending("session closed")
            if running is not None:
                running.cancel("session closed")

    def _past_close_deadline(self) -> bool:
        return self._close_deadline is not None and time.monotonic() > self._close_deadline

    def _refresh(self, session: Any) -> None:
        self._refresh_due = False
        try:
            self._read_catalog(session)
            message = ""
        except StartError as exc:
            message = f"The model list could not be refreshed: {exc.message}"
        self._messages.put(SessionState("ready", message=message,
                                        wangp_version=self._wangp_version, wangp_commit=self._wangp_commit,
                                        models=self._records, vram_gb=self._vram_gb))

    def _shut_down(self, session: Any, crash: str) -> bool:
        abandoned = self._abandoned
        if abandoned is not None and not abandoned.events.closed:
            log.warning("a WanGP job did not stop in time; WanGP keeps its model loaded")
        else:
            try:
                session.close()
            except Exception as exc:  # closing must always end in "stopped"
                log.warning("WanGP session close failed: %s", one_line(exc))
        with self._lock:
            self._close_deadline = None
            self._take_stale_commands()
            restart, self._restart = self._restart, False
            if not restart:
                self._drop_pending("session closed")
            self._set_state("stopped", crash)
            if restart:
                self._set_state("starting")
            return restart

    # --- helpers (called with _lock held) ---

    def _set_state(self, state: str, message: str = "") -> None:
        self._state = state
        self._changed.notify_all()
        if state == "ready":
            self._messages.put(SessionState("ready", wangp_version=self._wangp_version,
                                            wangp_commit=self._wangp_commit, models=self._records,
                                            vram_gb=self._vram_gb))
        elif state == "failed":
            self._messages.put(SessionState("failed", message=self._start_error.message, hint=self._start_error.hint,
                                            wangp_version=self._wangp_version, wangp_commit=self._wangp_commit))
        else:
            self._messages.put(SessionState(state, message=message,
                                            wangp_version=self._wangp_version, wangp_commit=self._wangp_commit))

    def _fail_start_job(self, job: HostJob) -> None:
        error = self._start_error
        self._messages.put(Failed(job.job_id, job.request.shot_key, stage="environment", error_class="environment",
                                  message=error.message, hint=error.hint or hint_for("environment")))

    def _drop_pending(self, reason: str) -> None:
        for job in self._pending:
            self._messages.put(Cancelled(job.job_id, job.request.shot_key, reason=reason))
        self._pending.clear()

    def _take_stale_commands(self) -> bool:
        """Empty the command queue at the end of a life; True if it held a close."""
        closed = False
        while True:
            try:
                closed = self._commands.get_nowait().kind == "close" or closed
            except queue.Empty:
                return closed
