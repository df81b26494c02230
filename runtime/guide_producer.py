"""The guide renderer as a producer: start / cancel / busy / drain, one background render at a time.

Its messages are declared here, beside the thread that sends them. The thread never touches ``bpy``:
it runs the worker (``render/worker.py``) as a child process on a saved copy of the .blend, a Blender
binary when there is one (``bpy.app.binary_path``), else the ``bpy`` module's own Python, reads the
worker's event lines, and queues them. A scene that crashes the renderer kills the child, not Blender.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from ..render.job import GuideJob, parse_event

WORKER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "render", "worker.py")


@dataclass(frozen=True)
class GuideProgress:
    key: str
    done: int
    total: int


@dataclass(frozen=True)
class GuideDone:
    key: str
    job: GuideJob
    blockout: bool
    seconds: float


@dataclass(frozen=True)
class GuideFailed:
    key: str
    message: str


GuideMessage = GuideProgress | GuideDone | GuideFailed


def command(job_file: str, blend: str, binary: str) -> list[str]:
    """The child's command line: Blender itself when it has a binary, else the module's Python."""
    if binary:
        return [binary, "-b", blend, "--factory-startup", "--python", WORKER, "--", job_file]
    return [sys.executable, WORKER, "--", job_file]


class GuideProducer:
    """Renders queued guide jobs in order, in a child process each; the pump drains its messages.

    :param binary: ``bpy.app.binary_path`` (empty for the ``bpy`` module).
    """

    def __init__(self, binary: str) -> None:
        self._binary = binary
        self._lock = threading.Lock()
        self._queue: collections.OrderedDict[str, tuple[GuideJob, str]] = collections.OrderedDict()
        self._messages: collections.deque[GuideMessage] = collections.deque()
        self._current: str = ""
        self._child: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._cancelled: set[str] = set()

    def start(self, key: str, job: GuideJob, job_file: str) -> None:
        """Queue ``job`` under ``key`` (a content hash; a key already queued or running is not added twice)."""
        with self._lock:
            if key == self._current or key in self._queue:
                return
            self._queue[key] = (job, job_file)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="movie-director-guides", daemon=True)
                self._thread.start()

    def cancel(self, key: str) -> None:
        with self._lock:
            self._queue.pop(key, None)
            if key == self._current and self._child is not None:
                self._cancelled.add(key)
                self._child.kill()

    def cancel_all(self) -> None:
        with self._lock:
            self._queue.clear()
            if self._current and self._child is not None:
                self._cancelled.add(self._current)
                self._child.kill()

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._current or self._queue or self._messages)

    def wanted(self, key: str) -> bool:
        with self._lock:
            return key == self._current or key in self._queue

    def drain(self, max_messages: int = 1000) -> list[GuideMessage]:
        with self._lock:
            count = min(max_messages, len(self._messages))
            return [self._messages.popleft() for _ in range(count)]

    def close(self, timeout: float = 10.0) -> None:
        self.cancel_all()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- the thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._current = ""
                    return
                key, (job, job_file) = self._queue.popitem(last=False)
                self._current = key
            message = self._render(key, job, job_file)
            with self._lock:
                self._messages.append(message)
                self._child = None
                self._current = ""

    def _render(self, key: str, job: GuideJob, job_file: str) -> GuideMessage:
        began = time.monotonic()
        try:
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
            child = subprocess.Popen(
                command(job_file, job.blend, self._binary), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, text=True, env=env,
            )
        except OSError as exc:
            return GuideFailed(key, f"The guide renderer could not start: {exc}")
        with self._lock:
            self._child = child
        last: dict | None = None
        for line in child.stdout:
            event = parse_event(line.rstrip("\n"))
            if event is None:
                continue
            if event["kind"] == "progress":
                with self._lock:
                    self._messages.append(GuideProgress(key, int(event["done"]), int(event["total"])))
            else:
                last = event
        code = child.wait()
        with self._lock:
            cancelled = key in self._cancelled
            self._cancelled.discard(key)
        if cancelled:
            return GuideFailed(key, "The guide render was cancelled")
        if last is not None and last["kind"] == "done" and code == 0:
            return GuideDone(key, job, bool(last.get("blockout")), time.monotonic() - began)
        if last is not None and last["kind"] == "failed":
            return GuideFailed(key, str(last.get("message")))
        return GuideFailed(key, f"The guide renderer stopped without a result (exit code {code}): the scene may "
                                "crash Blender's renderer; try another guide or simplify the scene")
