"""The farm's queue and its decisions, in plain Python: which worker runs which shot, and what a loss means.

One :class:`Dispatcher` per farm. On Ray it lives in a detached actor (``farm.ray_app``); the tests
drive it directly with thread workers. It never calls a worker itself: ``port`` starts and cancels
work, and the workers report back through :meth:`report` and :meth:`finish`. Every change of a job's
state is journalled, so a restarted dispatcher knows what ran where (:meth:`restore`).

Retries follow what actually happened: a worker process that died requeues its shot without
spending anything (up to :data:`MAX_REQUEUES`, for a shot that kills every worker); WanGP's own
failure is the shot's failure, handed back to the add-on, whose fallback logic decides; a shot that
completed is never run again. Job ids come from the add-on (shot and take), so submits are idempotent.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from .policy import QueuedShot, WorkerSlot, pick

#: A shot whose worker died this many times fails instead of taking down the next one.
MAX_REQUEUES = 5
#: Events kept for long polls (a client further behind resynchronises by job status).
EVENTS_KEPT = 20_000
JOURNAL_FORMAT = 1


class WorkerPort(Protocol):
    def run(self, worker: str, assignment: dict[str, Any]) -> None:
        """Start ``assignment`` on ``worker`` without waiting (its report/finish calls follow)."""

    def cancel(self, worker: str, job_id: str) -> None:
        """Ask ``worker`` to stop ``job_id`` (cooperative: its finish call follows)."""


@dataclass
class Job:
    job_id: str
    request: dict[str, Any]
    model_type: str
    min_vram_gb: float = 0.0
    priority: int = 0
    order: tuple[int, int] = (0, 0)
    client: str = ""
    state: str = "queued"
    worker: str = ""
    #: bumps on every assignment; reports of an older assignment are ignored
    attempt: int = 0
    requeues: int = 0
    #: the model that started (after a fallback, not the one asked for)
    started_model: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    submitted_at: float = field(default_factory=time.time)
    started_at: float = 0.0
    ended_at: float = 0.0


@dataclass
class Worker:
    name: str
    vram_gb: float = 0.0
    node: str = ""
    models: list[dict[str, Any]] = field(default_factory=list)
    wangp_version: str = ""
    #: ``idle``, ``busy``, ``lost`` (process restarting or machine gone; not given work until it returns)
    state: str = "idle"
    model: str = ""
    job_id: str = ""
    loads: int = 0
    jobs_done: int = 0
    last_end: float = 0.0


class Dispatcher:
    def __init__(self, port: WorkerPort, journal_path: str = "", clock: Callable[[], float] = time.time) -> None:
        self._port = port
        self._journal = journal_path
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.jobs: dict[str, Job] = {}
        self.workers: dict[str, Worker] = {}
        self._events: deque[dict[str, Any]] = deque(maxlen=EVENTS_KEPT)
        self._seq = 0
        #: a new number per dispatcher life: clients seeing it change ask for their jobs' status
        self.epoch = uuid.uuid4().hex[:12]
        self._arrival = itertools.count(1)
        #: (worker, end of one job, start of its next): the gaps the benchmark reports
        self.gaps: list[float] = []

    # --- the API the HTTP front serves ---

    def submit(self, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Queue a job, or return the one with this id; ``(status, created)``.

        A failed or cancelled job submitted again runs again (the user asked again); a queued,
        running or done one is left as it is.
        """
        job_id = str(payload["job_id"])
        with self._lock:
            known = self.jobs.get(job_id)
            if known is not None and known.state not in ("failed", "cancelled"):
                return self._status(known), False
            job = Job(
                job_id=job_id, request=dict(payload["request"]), model_type=str(payload.get("model_type", "")),
                min_vram_gb=float(payload.get("min_vram_gb", 0.0)), priority=int(payload.get("priority", 0)),
                order=(int(payload.get("order", 0)), next(self._arrival)), client=str(payload.get("client", "")),
            )
            if self.workers and not any(w.vram_gb <= 0 or w.vram_gb >= job.min_vram_gb for w in self.workers.values()):
                most = max(w.vram_gb for w in self.workers.values())
                job.state, job.error = "failed", {
                    "stage": "farm", "error_class": "out_of_memory",
                    "message": f"No farm worker has the {job.min_vram_gb:g} GB of VRAM {job.model_type} needs "
                               f"(the largest has {most:g} GB)",
                    "hint": "Choose a lighter quality tier or model, or add a larger GPU to the farm.",
                }
            self.jobs[job_id] = job
            self._save()
            self._dispatch()
            return self._status(job), True

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            if job.state == "queued":
                self._end(job, "cancelled", reason="removed from the farm's queue")
                self._save()
            elif job.state == "running":
                job.reason = "cancel requested"
                self._port.cancel(job.worker, job_id)
            return self._status(job)

    def status(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self.jobs.get(job_id)
            return self._status(job) if job is not None else None

    def events(self, since: int, wait_s: float) -> dict[str, Any]:
        """Events after ``since``, waiting up to ``wait_s`` for the first (long poll)."""
        deadline = time.monotonic() + max(0.0, wait_s)
        with self._lock:
            while self._seq <= since and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(left)
            return {"epoch": self.epoch, "seq": self._seq,
                    "first": self._events[0]["seq"] if self._events else self._seq + 1,
                    "events": [e for e in self._events if e["seq"] > since]}

    def info(self) -> dict[str, Any]:
        with self._lock:
            models: dict[str, dict[str, Any]] = {}
            for worker in self.workers.values():
                for record in worker.models:
                    # The union of the workers' catalogs; a model available on any worker is available.
                    known = models.get(record.get("model_type", ""))
                    if known is None or record.get("availability") == "available":
                        models[str(record.get("model_type", ""))] = record
            running = {j.worker: j for j in self.jobs.values() if j.state == "running"}
            return {
                "epoch": self.epoch, "seq": self._seq,
                "wangp_version": next((w.wangp_version for w in self.workers.values() if w.wangp_version), ""),
                "workers": [
                    {"name": w.name, "state": w.state, "model": w.model, "vram_gb": w.vram_gb, "node": w.node,
                     "job_id": w.job_id, "loads": w.loads, "jobs_done": w.jobs_done,
                     "shot_key": running[w.name].request.get("shot_key", "") if w.name in running else ""}
                    for w in sorted(self.workers.values(), key=lambda w: w.name)
                ],
                "models": list(models.values()),
                "queued": sum(1 for j in self.jobs.values() if j.state == "queued"),
                "running": len(running),
            }

    # --- the workers' side ---

    def add_worker(self, name: str, *, vram_gb: float = 0.0, node: str = "", models: Sequence[dict[str, Any]] = (),
                   wangp_version: str = "", model: str = "") -> None:
        """A worker is ready (new, restarted or back from a lost machine): give it work."""
        with self._lock:
            worker = self.workers.get(name) or Worker(name)
            worker.vram_gb, worker.node, worker.wangp_version = vram_gb, node, wangp_version
            worker.models = list(models) or worker.models
            worker.model = model
            if worker.state == "lost" or name not in self.workers:
                worker.state, worker.job_id = "idle", ""
            self.workers[name] = worker
            self._note("worker", worker=name, state="idle")
            self._dispatch()

    def worker_lost(self, name: str, reason: str) -> None:
        """The worker's process died or its machine is gone: its shot goes back to the queue."""
        with self._lock:
            worker = self.workers.get(name)
            if worker is None:
                return
            worker.state, worker.model = "lost", ""
            job = self.jobs.get(worker.job_id)
            worker.job_id = ""
            if job is not None and job.state == "running" and job.worker == name:
                self._requeue(job, reason)
            self._note("worker", worker=name, state="lost", reason=reason)
            self._save()
            self._dispatch()

    def running_on(self, name: str) -> str:
        with self._lock:
            worker = self.workers.get(name)
            return worker.job_id if worker is not None else ""

    def report(self, worker: str, job_id: str, attempt: int, events: list[dict[str, Any]]) -> None:
        """Progress from a worker: ``{"type": "message", "message": header}`` or ``{"type": "preview", ...}``."""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.state != "running" or job.attempt != attempt or job.worker != worker:
                return
            for event in events:
                message = event.get("message") or {}
                if message.get("kind") == "started":
                    self._started(job, str(message.get("model_type", "")))
                self._note(event["type"], job_id=job_id, **{k: v for k, v in event.items() if k != "type"})

    def finish(self, worker: str, job_id: str, attempt: int, outcome: dict[str, Any]) -> None:
        """The end of a job on a worker: ``kind`` is ``done`` (with ``path``, ``size``, ``sha256``,
        ``record``), ``failed`` (with ``error``) or ``cancelled``."""
        with self._lock:
            holder = self.workers.get(worker)
            if holder is not None and holder.job_id == job_id:
                holder.state, holder.job_id, holder.last_end = "idle", "", self._clock()
                holder.jobs_done += 1
            job = self.jobs.get(job_id)
            if job is not None and job.state == "running" and job.attempt == attempt and job.worker == worker:
                if outcome["kind"] == "done":
                    job.result = {k: outcome[k] for k in ("path", "size", "sha256", "record")}
                    self._end(job, "done")
                    self._note("done", job_id=job_id, worker=worker, node=holder.node if holder else "",
                               size=outcome["size"], sha256=outcome["sha256"], record=outcome["record"])
                elif outcome["kind"] == "failed":
                    job.error = dict(outcome.get("error", {}))
                    self._end(job, "failed")
                    self._note("message", job_id=job_id, message={"kind": "failed", **job.error})
                else:
                    self._end(job, "cancelled", reason=job.reason or "cancelled on the farm")
            # The next job first (it saves the journal before it starts), then the journal once.
            if not self._dispatch():
                self._save()

    # --- restore ---

    def restore(self, alive: Callable[[str], str | None]) -> None:
        """Load the journal after a restart. ``alive(worker)`` is the job the worker runs now, None when it
        cannot be reached: a job still running there is followed again, any other running job is requeued."""
        try:
            with open(self._journal, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return
        with self._lock:
            for raw in data.get("workers", []):
                self.workers[raw["name"]] = Worker(**raw)
            for raw in data.get("jobs", []):
                raw["order"] = tuple(raw["order"])
                self.jobs[raw["job_id"]] = Job(**raw)
            self._arrival = itertools.count(max((j.order[1] for j in self.jobs.values()), default=0) + 1)
            for job in [j for j in self.jobs.values() if j.state == "running"]:
                worker = self.workers.get(job.worker)
                now = alive(job.worker)
                if worker is not None and now == job.job_id:
                    worker.state, worker.job_id = "busy", job.job_id
                else:
                    self._requeue(job, "the dispatcher restarted and its worker no longer runs it")
            for worker in self.workers.values():
                if worker.state == "busy" and self.jobs.get(worker.job_id, Job("", {}, "")).state != "running":
                    worker.state, worker.job_id = "idle", ""
                if worker.state != "lost" and alive(worker.name) is None:
                    worker.state = "lost"
            self._save()
            self._dispatch()

    # --- inside (called with the lock held) ---

    def _dispatch(self) -> bool:
        """Start queued jobs on idle workers; True when one started (the journal was saved then)."""
        queued = [j for j in self.jobs.values() if j.state == "queued"]
        started = False
        if not queued:
            return started
        for worker in sorted(self.workers.values(), key=lambda w: w.name):
            if worker.state != "idle" or not queued:
                continue
            others = [WorkerSlot(w.name, w.vram_gb, w.model) for w in self.workers.values()
                      if w.name != worker.name and w.state != "lost"]
            shots = [QueuedShot(j.job_id, j.model_type, j.min_vram_gb, j.priority, j.order) for j in queued]
            chosen = pick(WorkerSlot(worker.name, worker.vram_gb, worker.model), shots, others)
            if chosen is None:
                continue
            job = self.jobs[chosen.job_id]
            queued.remove(job)
            job.state, job.worker, job.reason = "running", worker.name, ""
            job.attempt += 1
            job.started_at = self._clock()
            worker.state, worker.job_id = "busy", job.job_id
            # Said now, not when it starts: the next worker's choice must see this model as held.
            self._loads(worker, job.model_type)
            if worker.last_end:
                self.gaps.append(job.started_at - worker.last_end)
            self._note("assigned", job_id=job.job_id, worker=worker.name)
            self._save()
            started = True
            self._port.run(worker.name, {"job_id": job.job_id, "attempt": job.attempt, "request": job.request})
        return started

    def _started(self, job: Job, model_type: str) -> None:
        job.started_model = model_type
        worker = self.workers.get(job.worker)
        if worker is not None:
            self._loads(worker, model_type)  # a fallback model is another load

    @staticmethod
    def _loads(worker: Worker, model_type: str) -> None:
        if model_type and worker.model != model_type:
            worker.model = model_type
            worker.loads += 1

    def _requeue(self, job: Job, reason: str) -> None:
        job.requeues += 1
        worker, job.worker = job.worker, ""
        if job.requeues > MAX_REQUEUES:
            job.error = {"stage": "farm", "error_class": "runtime", "hint": "Check the farm workers' logs.",
                         "message": f"The shot's worker was lost {job.requeues} times ({reason})"}
            self._end(job, "failed")
            self._note("message", job_id=job.job_id, message={"kind": "failed", **job.error})
            return
        job.state = "queued"
        self._note("requeued", job_id=job.job_id, worker=worker, reason=reason)

    def _end(self, job: Job, state: str, reason: str = "") -> None:
        """Called with the lock held; the caller saves the journal."""
        job.state, job.ended_at = state, self._clock()
        if reason:
            job.reason = reason
        if state == "cancelled":
            self._note("message", job_id=job.job_id, message={"kind": "cancelled", "reason": job.reason})

    def _note(self, kind: str, **data: Any) -> None:
        self._seq += 1
        self._events.append({"seq": self._seq, "type": kind, **data})
        self._changed.notify_all()

    def _status(self, job: Job) -> dict[str, Any]:
        status = {"job_id": job.job_id, "state": job.state, "worker": job.worker, "attempt": 0, "runs": job.attempt,
                  "model_type": job.started_model or job.model_type, "reason": job.reason, "error": job.error}
        if job.state == "done":
            worker = self.workers.get(job.worker)
            status.update(size=job.result["size"], sha256=job.result["sha256"], record=job.result["record"],
                          node=worker.node if worker else "")
        return status

    def _save(self) -> None:
        """Replace the journal in one step. Not fsynced: it is written between a job's end and the next
        start, and it is there for a dispatcher process that dies (the OS keeps what it wrote)."""
        if not self._journal:
            return
        text = json.dumps({
            "format": JOURNAL_FORMAT,
            "jobs": [asdict(j) for j in self.jobs.values()],
            "workers": [asdict(w) for w in self.workers.values()],
        }, default=str)
        tmp = f"{self._journal}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self._journal)

    def result_path(self, job_id: str) -> str:
        with self._lock:
            job = self.jobs.get(job_id)
            return str(job.result.get("path", "")) if job is not None and job.state == "done" else ""

