"""The farm on Ray: one actor per GPU (``GpuWorker``) and one detached ``DispatcherActor`` on the head.

A GPU worker hosts :class:`farm.worker.WorkerCore` (WanGP's session) and is restarted by Ray when
its process dies; it is named, so the dispatcher finds workers by name and learns of new ones by
itself. The dispatcher wraps :class:`farm.dispatcher.Dispatcher`: it starts work with
``worker.run`` and watches those calls, and what Ray raises is what it decides on: the actor died
or cannot be reached (process restarting, machine gone) means the worker is lost and its shot is
requeued; a value back is the shot's outcome. It is detached and restarted by Ray too, and then
restores its queue from the journal in the head's data folder, where it also keeps the finished
clips the HTTP front serves.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError

from wangp_backend.farm.wire import blob_refs
from wangp_backend.logs import get_logger
from wangp_backend.requests import SessionConfig

from .dispatcher import Dispatcher
from .front import blob_path
from .worker import WorkerCore

NAMESPACE = "movie_director_farm"
DISPATCHER = "md-farm-dispatcher"
WORKER_PREFIX = "md-worker-"
#: How often the dispatcher looks for new, restarted or lost workers.
DISCOVER_EVERY_S = 1.0
PING_TIMEOUT_S = 3.0
_LOST = (RayActorError, ActorUnavailableError, GetTimeoutError)

log = get_logger("farm")


@ray.remote(max_restarts=-1, max_task_retries=0, max_concurrency=4, num_cpus=0)
class GpuWorker:
    def __init__(self, name: str, config: dict[str, Any], scratch: str, vram_gb: float = 0.0) -> None:
        self.name = name
        self.core = WorkerCore(SessionConfig(**config), scratch, vram_gb=vram_gb)
        self._outcomes: dict[tuple[str, int], dict[str, Any]] = {}
        self._dispatcher: Any = None
        #: (start, end) of each run, wall clock: the benchmark's time from one job's end to the next start
        self.runs: list[tuple[float, float]] = []

    def hello(self) -> dict[str, Any]:
        return {"name": self.name, "vram_gb": self.core.vram_gb, "node": ray.util.get_node_ip_address(),
                "models": self.core.models, "wangp_version": self.core.wangp_version, "current": self.core.current,
                "pid": os.getpid()}

    def run_times(self) -> list[tuple[float, float]]:
        return list(self.runs)

    def current_job(self) -> str:
        return self.core.current

    def run(self, assignment: dict[str, Any]) -> dict[str, Any]:
        job_id, attempt = str(assignment["job_id"]), int(assignment["attempt"])
        began = time.time()
        outcome = self.core.run(assignment, lambda events: self._report(job_id, attempt, events))
        self.runs.append((began, time.time()))
        if outcome["kind"] == "done":
            # The clip goes to the head with the answer: no shared file system is needed.
            with open(outcome["path"], "rb") as fh:
                outcome["data"] = fh.read()
            for path in (outcome["path"], outcome.pop("sidecar_path")):
                os.remove(path)
        self._outcomes[(job_id, attempt)] = outcome
        while len(self._outcomes) > 8:
            self._outcomes.pop(next(iter(self._outcomes)))
        return outcome

    def wait_outcome(self, job_id: str, attempt: int) -> dict[str, Any]:
        """The outcome of a run a restarted dispatcher no longer watches (it waits until there is one)."""
        while (job_id, attempt) not in self._outcomes:
            if self.core.current != job_id:
                time.sleep(0.2)  # the run may have just ended: give it a moment to record its outcome
                if (job_id, attempt) not in self._outcomes:
                    return {"kind": "lost"}
            time.sleep(0.05)
        return self._outcomes[(job_id, attempt)]

    def cancel(self, job_id: str) -> None:
        self.core.cancel(job_id)

    def _report(self, job_id: str, attempt: int, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        try:
            if self._dispatcher is None:
                self._dispatcher = ray.get_actor(DISPATCHER, namespace=NAMESPACE)
            self._dispatcher.report.remote(self.name, job_id, attempt, events)
        except ValueError:
            self._dispatcher = None  # restarting: progress until it is back is not needed


class _Port:
    """How the dispatcher starts and cancels work: calls on the worker actors, watched by the actor."""

    def __init__(self, actor: DispatcherActor) -> None:
        self.actor = actor

    def run(self, worker: str, assignment: dict[str, Any]) -> None:
        blobs = {}
        for _ref, sha, _name in blob_refs(assignment["request"].get("settings", {})):
            with open(blob_path(self.actor.data_dir, sha), "rb") as fh:
                blobs[sha] = fh.read()
        handle = self.actor.handles[worker]
        ref = handle.run.remote({**assignment, "blobs": blobs})
        self.actor.watch(ref, worker, assignment["job_id"], int(assignment["attempt"]))

    def cancel(self, worker: str, job_id: str) -> None:
        handle = self.actor.handles.get(worker)
        if handle is not None:
            handle.cancel.remote(job_id)


@ray.remote(max_restarts=-1, max_task_retries=0, max_concurrency=64, num_cpus=0)
class DispatcherActor:
    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        os.makedirs(os.path.join(data_dir, "results"), exist_ok=True)
        self.handles: dict[str, Any] = {}
        self._watched: dict[Any, tuple[str, str, int]] = {}
        self._lock = threading.Lock()
        self.dispatcher = Dispatcher(_Port(self), os.path.join(data_dir, "journal.json"))
        self._find_handles()
        self.dispatcher.restore(self._alive)
        for job in self.dispatcher.jobs.values():
            if job.state == "running" and job.worker in self.handles:
                # Followed again: the worker still runs it; its outcome comes from wait_outcome.
                self.watch(self.handles[job.worker].wait_outcome.remote(job.job_id, job.attempt), job.worker,
                           job.job_id, job.attempt)
        threading.Thread(target=self._watch_loop, name="farm-watch", daemon=True).start()

    # --- the API the HTTP front calls ---

    def submit(self, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        return self.dispatcher.submit(payload)

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        return self.dispatcher.cancel(job_id)

    def status(self, job_id: str) -> dict[str, Any] | None:
        return self.dispatcher.status(job_id)

    def events(self, since: int, wait_s: float) -> dict[str, Any]:
        return self.dispatcher.events(since, wait_s)

    def info(self) -> dict[str, Any]:
        return self.dispatcher.info()

    def result_path(self, job_id: str) -> str:
        return self.dispatcher.result_path(job_id)

    def gaps(self) -> list[float]:
        return list(self.dispatcher.gaps)

    def pid(self) -> int:
        return os.getpid()

    # --- from the workers ---

    def report(self, worker: str, job_id: str, attempt: int, events: list[dict[str, Any]]) -> None:
        self.dispatcher.report(worker, job_id, attempt, events)

    # --- watching ---

    def watch(self, ref: Any, worker: str, job_id: str, attempt: int) -> None:
        with self._lock:
            self._watched[ref] = (worker, job_id, attempt)

    def _watch_loop(self) -> None:
        next_discover = 0.0
        while True:
            with self._lock:
                refs = list(self._watched)
            if refs:
                ready, _ = ray.wait(refs, num_returns=1, timeout=0.1)
                for ref in ready:
                    self._settle(ref)
            else:
                time.sleep(0.05)
            if time.monotonic() >= next_discover:
                self._discover()
                next_discover = time.monotonic() + DISCOVER_EVERY_S

    def _settle(self, ref: Any) -> None:
        with self._lock:
            worker, job_id, attempt = self._watched.pop(ref)
        try:
            outcome = ray.get(ref)
        except _LOST as exc:
            self.dispatcher.worker_lost(worker, f"its process died ({type(exc).__name__})")
            return
        except Exception as exc:  # the boundary: a bug in the worker's code is the shot's failure
            outcome = {"kind": "failed", "error": {"stage": "farm", "error_class": "runtime", "hint": "",
                                                   "message": f"The farm worker failed: {type(exc).__name__}: {exc}"}}
        if outcome["kind"] == "lost":
            self.dispatcher.worker_lost(worker, "its run ended while the dispatcher was away")
            return
        if outcome["kind"] == "done":
            path = os.path.join(self.data_dir, "results", f"{job_id}-{attempt}.mp4")
            with open(path + ".part", "wb") as fh:
                fh.write(outcome.pop("data"))
            os.replace(path + ".part", path)
            outcome["path"] = path
        self.dispatcher.finish(worker, job_id, attempt, outcome)

    def _find_handles(self) -> None:
        for entry in ray.util.list_named_actors(all_namespaces=True):
            name = entry["name"] if isinstance(entry, dict) else entry
            if entry.get("namespace") == NAMESPACE and name.startswith(WORKER_PREFIX) and name not in self.handles:
                self.handles[name] = ray.get_actor(name, namespace=NAMESPACE)

    def _alive(self, worker: str) -> str | None:
        handle = self.handles.get(worker)
        if handle is None:
            return None
        try:
            return str(ray.get(handle.current_job.remote(), timeout=PING_TIMEOUT_S))
        except _LOST:
            return None

    def _discover(self) -> None:
        try:
            self._find_handles()
        except Exception as exc:  # the GCS may be restarting: look again next time
            log.warning("listing the farm's workers failed: %s", exc)
            return
        for name, handle in list(self.handles.items()):
            known = self.dispatcher.workers.get(name)
            try:
                hello = ray.get(handle.hello.remote(), timeout=PING_TIMEOUT_S)
            except _LOST:
                if known is not None and known.state != "lost":
                    self.dispatcher.worker_lost(name, "it cannot be reached (process restarting or machine gone)")
                continue
            if known is None or known.state == "lost":
                self.dispatcher.add_worker(name, vram_gb=float(hello["vram_gb"]), node=str(hello["node"]),
                                           models=hello["models"], wangp_version=str(hello["wangp_version"]))
