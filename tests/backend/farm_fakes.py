"""A farm on threads for the default tier: the real HTTP front and dispatcher, with scripted GPU workers.

The workers are threads that play WanGP by the prompt: ``[farm:slow]`` (and ``[farm:hold]``) run until
cancelled or released, ``[farm:fail]`` fails like an out-of-memory. A finished job writes a small clip into the
farm's results folder and reports the record a real worker's sidecar holds. ``ThreadPort.kill``
plays a worker process dying mid-shot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from farm.dispatcher import Dispatcher
from farm.front import FarmFront
from wangp_backend.farm.wire import encode_preview, file_digest
from wangp_backend.messages import Log, Progress, Started, to_wire

TOKEN = "test-token-0123456789"


class ThreadPort:
    """Runs assignments on threads, one per worker; reports straight into the dispatcher."""

    def __init__(self, results_dir: str, step_s: float = 0.02, clip: str = "") -> None:
        self.dispatcher: Dispatcher | None = None
        #: a real clip to hand back (Blender puts it on the timeline), else a few bytes stand in
        self.clip = clip
        self.results_dir = results_dir
        self.step_s = step_s
        self.release = threading.Event()
        #: what ``[farm:hold]`` shots wait for (``release`` is for ``[farm:slow]``)
        self.hold = threading.Event()
        self._cancel: dict[str, threading.Event] = {}
        self._killed: set[tuple[str, int]] = set()
        self.runs: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def run(self, worker: str, assignment: dict[str, Any]) -> None:
        flag = threading.Event()
        with self._lock:
            self._cancel[assignment["job_id"]] = flag
            self.runs.append((worker, assignment["job_id"]))
        threading.Thread(target=self._work, args=(worker, assignment, flag), daemon=True).start()

    def cancel(self, worker: str, job_id: str) -> None:
        with self._lock:
            flag = self._cancel.get(job_id)
        if flag is not None:
            flag.set()

    def kill(self, worker: str) -> None:
        """The worker's process died: its thread stops silently and the dispatcher hears of the loss."""
        job_id = self.dispatcher.running_on(worker)
        attempt = self.dispatcher.jobs[job_id].attempt
        with self._lock:
            self._killed.add((job_id, attempt))
            flag = self._cancel.get(job_id)
        if flag is not None:
            flag.set()
        self.dispatcher.worker_lost(worker, "the worker process died")

    def _work(self, worker: str, assignment: dict[str, Any], flag: threading.Event) -> None:
        d, job_id, attempt = self.dispatcher, assignment["job_id"], assignment["attempt"]
        request = assignment["request"]
        settings, prompt = request["settings"], str(request["settings"].get("prompt", ""))
        model = str(settings.get("model_type", ""))

        def say(*messages: Any) -> None:
            d.report(worker, job_id, attempt, [{"type": "message", "message": to_wire(m)[0]} for m in messages])

        say(Started(job_id, request["shot_key"], model, settings=settings), Log(job_id, request["shot_key"], "info",
                                                                                  f"on {worker}"))
        steps = 4
        for step in range(1, steps + 1):
            gate = self.release if "[farm:slow]" in prompt else self.hold if "[farm:hold]" in prompt else None
            while gate is not None and not flag.is_set() and not gate.is_set():
                time.sleep(0.01)
            if flag.is_set():
                break
            time.sleep(self.step_s)
            say(Progress(job_id, request["shot_key"], "inference", percent=step * 25, current_step=step,
                         total_steps=steps))
            if step == 2:
                pixels = np.full(16 * 8 * 4, 0.5, dtype=np.float32)
                d.report(worker, job_id, attempt, [{"type": "preview", "preview": encode_preview(pixels, 16, 8)}])
        with self._lock:
            killed = (job_id, attempt) in self._killed
        if killed:
            return
        if flag.is_set():
            d.finish(worker, job_id, attempt, {"kind": "cancelled"})
        elif "[farm:fail]" in prompt:
            d.finish(worker, job_id, attempt, {"kind": "failed", "error": {
                "stage": "generation", "message": "CUDA out of memory", "error_class": "out_of_memory",
                "hint": "Try a lower quality tier", "log_tail": ["oom"]}})
        else:
            path = os.path.join(self.results_dir, f"{job_id}-{attempt}.mp4")
            if self.clip:
                shutil.copyfile(self.clip, path)
            else:
                with open(path, "wb") as fh:
                    fh.write(hashlib.sha256(job_id.encode()).digest() * 512)
            size, sha = file_digest(path)
            record = {"file": os.path.basename(path), "job_id": f"w-{job_id}", "shot_key": request["shot_key"],
                      "settings": settings, "model_type": model, "seed": int(settings.get("seed", 7)), "fps": 16.0,
                      "frame_count": 33, "width": 128, "height": 96, "has_audio": False, "used_fallback": False,
                      "primary_error": "", "settings_hash": "h", "duration_s": 0.1}
            d.finish(worker, job_id, attempt, {"kind": "done", "path": path, "size": size, "sha256": sha,
                                               "record": record})


class SlowEvents:
    """The dispatcher, with every long poll answered ``delay_s`` late (a slow network or a busy head)."""

    def __init__(self, dispatcher: Dispatcher, delay_s: float) -> None:
        self._d, self.delay_s = dispatcher, delay_s

    def events(self, since: int, wait_s: float) -> dict[str, Any]:
        reply = self._d.events(since, wait_s)
        time.sleep(self.delay_s)
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._d, name)


class ThreadFarm:
    """Front + dispatcher + thread workers; ``workers`` maps names to VRAM in GB."""

    def __init__(self, root: str, workers: dict[str, float], *, slow_events_s: float = 0.0, clip: str = "") -> None:
        self.root = root
        self.port = ThreadPort(os.path.join(root, "results"), clip=clip)
        os.makedirs(self.port.results_dir, exist_ok=True)
        self.dispatcher = Dispatcher(self.port, journal_path=os.path.join(root, "journal.json"))
        self.port.dispatcher = self.dispatcher
        backend: Any = SlowEvents(self.dispatcher, slow_events_s) if slow_events_s else self.dispatcher
        self.front = FarmFront(backend, TOKEN, os.path.join(root, "data")).start()
        for name, vram in workers.items():
            self.add_worker(name, vram)

    def add_worker(self, name: str, vram_gb: float) -> None:
        self.dispatcher.add_worker(name, vram_gb=vram_gb, node="127.0.0.1", wangp_version="fake",
                                   models=[{"model_type": "t2v_1.3B", "availability": "available"}])

    @property
    def url(self) -> str:
        return self.front.url

    def close(self) -> None:
        self.port.release.set()
        self.port.hold.set()
        self.front.stop()


def wait_until(check: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.01)


def read_json(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
