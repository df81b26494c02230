"""``BridgeHost``: the host interface for a WanGP that runs in its own Python, in a child process.

The child runs the ordinary in-process host; this side forwards commands, hands its messages to the
main thread unchanged (``SessionState`` says ``mode="bridge"``) and owns what only it can see: the
child dying or hanging. Then the job that was running fails with the exit and the child's last
output, jobs that had not started are kept, and the next ``submit``/``start`` restarts the child and
sends them again.
"""

from __future__ import annotations

import dataclasses
import json
import queue
import threading
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..bridge import protocol
from ..bridge.child import DEFAULT_HOST_FACTORY
from ..bridge.process import ChildProcess
from ..catalog import ModelCatalog
from ..failures import one_line
from ..logs import get_logger
from ..messages import TERMINAL_KINDS, Cancelled, Failed, Log, Message, SessionState, Started, from_wire
from ..requests import JobRequest, SessionConfig
from .api import BRIDGE, QueueHost

log = get_logger()

_CRASH_HINT = (
    "WanGP starts again when you generate or start the session. If its process keeps ending, lower the "
    "resolution or frame count, or start WanGP with a lower-memory profile (--profile 4 or 5)."
)
_START_HINT = (
    "Check that WanGP's Python environment works on its own (python wgp.py), and the WanGP Python and "
    "packages folders in the add-on preferences."
)
#: How long ``submit``/``start`` wait for a killed child to be accounted for before starting a new one.
_DEATH_WAIT_S = 10.0


@dataclass
class _Job:
    job_id: str
    request: JobRequest
    log: deque[str]
    #: Sent to the current child (a new child gets every job that is not sent yet).
    sent: bool = False
    #: WanGP has begun it; if the child dies now, the job fails instead of being kept.
    started: bool = False
    cancel_requested: bool = False


class BridgeHost(QueueHost):
    """Implements :class:`wangp_backend.hosts.api.ProcessHost` with WanGP in a child process of interpreter ``python``.

    :param python: WanGP's interpreter (see :func:`.python_env.find_python`).
    :param heartbeat_s: how often the child is pinged.
    :param hang_timeout_s: a child silent this long is killed and treated as crashed.
    :param start_timeout_s: the same until WanGP is ready: a cold first import of torch can hold the
        interpreter (and so the child's answers) for long stretches while it loads huge libraries.
    :param host_factory: ``module:callable`` the child builds its host with (tests inject scripted hosts).
    :param host_options: more keyword arguments for the factory.
    :param env: the child's environment (default: this process's).
    """

    mode = "bridge"
    capabilities = BRIDGE

    def __init__(
        self,
        config: SessionConfig,
        python: str,
        *,
        heartbeat_s: float = 2.0,
        hang_timeout_s: float = 15.0,
        start_timeout_s: float = 180.0,
        preview_max_side: int = 832,
        preview_max_fps: float = 4.0,
        log_lines: int = 200,
        host_factory: str = DEFAULT_HOST_FACTORY,
        host_options: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.python = python
        self._heartbeat_s = heartbeat_s
        self._hang_timeout_s = hang_timeout_s
        self._start_timeout_s = max(start_timeout_s, hang_timeout_s)
        self._log_lines = log_lines
        self._env = env
        options = {"preview_max_side": preview_max_side, "preview_max_fps": preview_max_fps, "log_lines": log_lines}
        options.update(host_options or {})
        self._child_args = [
            "--config", json.dumps(protocol.config_to_wire(config)),
            "--options", json.dumps(options),
            "--host-factory", host_factory,
        ]
        self._messages: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self._lock = threading.Lock()
        # Guarded by _lock.
        self._jobs: dict[str, _Job] = {}
        self._child: ChildProcess | None = None
        self._ready = False
        self._state = "stopped"
        self._closing = False
        self._catalog: ModelCatalog | None = None
        self._wangp_version = ""
        self._wangp_commit = ""

    # --- the Host interface (any thread) ---

    def start(self) -> None:
        self._await_dying_child()
        with self._lock:
            if not self._ensure_child():
                return
            if self._state == "failed":
                # The child's host failed to start (a wrong folder...): let it try again.
                self._child.send({"type": protocol.START})  # type: ignore[union-attr]

    def submit(self, request: JobRequest) -> str:
        job = _Job(uuid.uuid4().hex, request, deque(maxlen=self._log_lines))
        self._await_dying_child()
        with self._lock:
            self._jobs[job.job_id] = job
            self._ensure_child()
        return job.job_id

    def cancel(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            job.cancel_requested = True
            if self._child is not None and job.sent:
                self._child.send({"type": protocol.CANCEL, "job_id": job_id})
            else:
                self._end_job(job, Cancelled(job_id, job.request.shot_key, reason="removed from queue"))

    def cancel_all(self) -> None:
        with self._lock:
            for job in list(self._jobs.values()):
                job.cancel_requested = True
                if self._child is None or not job.sent:
                    self._end_job(job, Cancelled(job.job_id, job.request.shot_key, reason="removed from queue"))
            if self._child is not None:
                self._child.send({"type": protocol.CANCEL_ALL})

    def refresh_models(self) -> None:
        with self._lock:
            if self._child is not None:
                self._child.send({"type": protocol.REFRESH_MODELS})
            else:
                log.info("no WanGP bridge process runs; the model list is read when it starts")

    def close(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._closing = True
            child = self._child
            if child is None:
                self._closed()
        try:
            if child is not None:
                # on_exit (on the child's reader thread) finishes the close under the lock.
                child.close(timeout)
        finally:
            with self._lock:
                self._closing = False

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._state == "starting" or bool(self._jobs)


    @property
    def pid(self) -> int | None:
        """The child's process id while one runs (for diagnostics and tests)."""
        child = self._child
        return child.pid if child is not None else None

    # --- the child ---

    def _await_dying_child(self) -> None:
        """Wait (without the lock) until a child that was just killed or ended has been accounted for."""
        child = self._child
        if child is not None and child.dying:
            child.exited.wait(_DEATH_WAIT_S)

    def _ensure_child(self) -> bool:
        """Start a child if none runs and send it every job not sent yet; False if it cannot start. Lock held."""
        if self._child is None:
            try:
                self._child = ChildProcess(
                    self.python, self._child_args, on_frame=self._on_frame, on_exit=self._on_exit,
                    heartbeat_s=self._heartbeat_s, hang_timeout_s=self._start_timeout_s, env=self._env,
                )
            except (OSError, ValueError) as exc:
                self._spawn_failed(exc)
                return False
            self._ready = False
            # Not announced: the child's host says "starting" itself, as it does in-process.
            self._state = "starting"
            log.info("started the WanGP bridge process %d (%s)", self._child.pid, self.python)
        for job in self._jobs.values():
            if not job.sent:
                job.sent = True
                self._child.send({"type": protocol.SUBMIT, "job_id": job.job_id,
                                  "request": protocol.request_to_wire(job.request)})
        return True

    def _spawn_failed(self, exc: BaseException) -> None:
        message = f"WanGP's Python could not be started ({self.python or 'no interpreter set'}): {one_line(exc)}"
        self._fail_all(message, _START_HINT)
        self._set_state(SessionState("failed", message=message, hint=_START_HINT, mode=self.mode))

    def _on_frame(self, child: ChildProcess, header: dict[str, Any], payload: bytes) -> None:
        if header["type"] != protocol.MESSAGE:
            return  # pong/closed: the child's reader already noted that it is alive
        message = from_wire(header["message"], payload)
        with self._lock:
            if child is not self._child:
                return
            if isinstance(message, SessionState):
                self._on_session_state(message)
                return
            job = self._jobs.get(getattr(message, "job_id", ""))
            if job is not None:
                if isinstance(message, Started):
                    job.started = True
                elif isinstance(message, Log):
                    job.log.append(message.text)
                elif message.kind in TERMINAL_KINDS:
                    del self._jobs[job.job_id]
            self._messages.put(message)

    def _on_session_state(self, message: SessionState) -> None:
        if message.state == "ready":
            self._ready = True
            if self._child is not None:
                self._child.hang_timeout_s = self._hang_timeout_s
            if message.models:
                self._catalog = ModelCatalog.from_records(message.models)
        if message.wangp_version:
            self._wangp_version = message.wangp_version
            self._wangp_commit = message.wangp_commit
        self._set_state(dataclasses.replace(message, mode=self.mode))

    def _on_exit(self, child: ChildProcess) -> None:
        with self._lock:
            if child is not self._child:
                return
            self._child = None
            if self._closing or child.close_requested:
                self._closed()
            else:
                self._crashed(child)

    def _crashed(self, child: ChildProcess) -> None:
        tail = child.stderr_tail()
        last = next((line for line in reversed(tail) if line.strip()), "")
        said = f" Last output: {one_line(last)}" if last else ""
        if not self._ready:
            message = f"WanGP's process {child.describe_exit()} before it was ready.{said}"
            self._fail_all(message, _START_HINT, tail)
            self._set_state(SessionState("failed", message=message, hint=_START_HINT, mode=self.mode,
                                         wangp_version=self._wangp_version, wangp_commit=self._wangp_commit))
            return
        message = f"WanGP's process {child.describe_exit()}.{said}"
        log.error("%s", message)
        for job in list(self._jobs.values()):
            if job.cancel_requested:
                self._end_job(job, Cancelled(job.job_id, job.request.shot_key, reason="WanGP's process ended"))
            elif job.started:
                self._end_job(job, self._environment_failure(job, message, _CRASH_HINT, tail))
            else:
                job.sent = False
        kept = len(self._jobs)
        hint = _CRASH_HINT + (f" {kept} queued job(s) will run then." if kept else "")
        self._set_state(SessionState("failed", message=message, hint=hint, mode=self.mode,
                                     wangp_version=self._wangp_version, wangp_commit=self._wangp_commit))

    def _closed(self) -> None:
        for job in list(self._jobs.values()):
            self._end_job(job, Cancelled(job.job_id, job.request.shot_key, reason="session closed"))
        if self._state != "stopped":
            self._set_state(SessionState("stopped", mode=self.mode,
                                         wangp_version=self._wangp_version, wangp_commit=self._wangp_commit))

    # --- helpers (lock held) ---

    def _fail_all(self, message: str, hint: str, tail: Sequence[str] = ()) -> None:
        for job in list(self._jobs.values()):
            if job.cancel_requested:
                self._end_job(job, Cancelled(job.job_id, job.request.shot_key, reason="WanGP's process ended"))
            else:
                self._end_job(job, self._environment_failure(job, message, hint, tail))

    def _environment_failure(self, job: _Job, message: str, hint: str, tail: Sequence[str]) -> Failed:
        return Failed(job.job_id, job.request.shot_key, stage="environment", error_class="environment",
                      message=message, hint=hint, log_tail=(*job.log, *tail))

    def _end_job(self, job: _Job, message: Message) -> None:
        del self._jobs[job.job_id]
        self._messages.put(message)

    def _set_state(self, message: SessionState) -> None:
        self._state = message.state
        self._messages.put(message)
