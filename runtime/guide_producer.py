"""The background renderer as a producer: start / cancel / busy / drain, one background render at a time.

It renders guides (``runtime.guides``) and the layout animatic (``runtime.animatic``), each user with its
own producer. Its messages are declared here, beside the thread that sends them. The thread never touches
``bpy``: it runs the worker (``render/worker.py``) as a child process on a saved copy of the .blend, a Blender
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
from dataclasses import dataclass, field

from ..render.job import AnimaticJob, ClipFrameJob, GuideJob, parse_event

WORKER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "render", "worker.py")


RenderJob = GuideJob | AnimaticJob | ClipFrameJob


@dataclass(frozen=True)
class GuideProgress:
    """A frame is done; the animatic's events also name their ``phase``, scene ``frame`` and ``preview`` file."""

    key: str
    done: int
    total: int
    phase: str = ""
    frame: int = 0
    preview: str = ""


@dataclass(frozen=True)
class GuideDone:
    key: str
    job: RenderJob
    blockout: bool
    seconds: float
    #: everything the worker's ``done`` event reported
    result: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GuideFailed:
    """``crashed``: the child ended without a word (``code`` its exit code), e.g. killed or aborted."""

    key: str
    message: str
    crashed: bool = False
    code: int = 0


GuideMessage = GuideProgress | GuideDone | GuideFailed


def command(job_file: str, blend: str, binary: str) -> list[str]:
    """The child's command line: Blender itself when it has a binary, else the module's Python."""
    if binary:
        # No .blend (a clip-frame job): the factory startup file, which has nothing of the user's.
        return [binary, "-b", *([blend] if blend else []), "--factory-startup", "--python", WORKER, "--", job_file]
    return [sys.executable, WORKER, "--", job_file]


class GuideProducer:
    """Renders queued guide jobs in order, in a child process each; the pump drains its messages.

    :param binary: ``bpy.app.binary_path`` (empty for the ``bpy`` module).
    """

    def __init__(self, binary: str) -> None:
        self._binary = binary
        self._lock = threading.Lock()
        self._queue: collections.OrderedDict[str, tuple[RenderJob, str]] = collections.OrderedDict()
        self._messages: collections.deque[GuideMessage] = collections.deque()
        self._current: str = ""
        self._child: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._cancelled: set[str] = set()

    def start(self, key: str, job: RenderJob, job_file: str) -> None:
        """Queue ``job`` under ``key`` (a content hash; a key already queued or running is not added twice)."""
        with self._lock:
            if key == self._current or key in self._queue:
                return
            self._queue[key] = (job, job_file)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="movie-director-guides", daemon=True)
                self._thread.start()

    def cancel(self, key: str) -> None:
        """Drop or stop ``key``'s render; once this returns, its child writes no more files."""
        child = None
        with self._lock:
            self._queue.pop(key, None)
            if key == self._current:
                # Marked even before the child exists: _render then never starts it.
                self._cancelled.add(key)
                child = self._child
                if child is not None:
                    child.kill()
        if child is not None:
            # SIGKILL is delivered asynchronously: wait (a few ms) so the caller may remove the work folder.
            try:
                child.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass

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

    @property
    def child_pid(self) -> int | None:
        """The running child's process id, None between renders."""
        with self._lock:
            return self._child.pid if self._child is not None else None

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

    def _render(self, key: str, job: RenderJob, job_file: str) -> GuideMessage:
        began = time.monotonic()
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        with self._lock:
            if key in self._cancelled:
                self._cancelled.discard(key)
                return GuideFailed(key, "The render was cancelled")
            try:
                child = subprocess.Popen(
                    command(job_file, job.blend, self._binary), stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, env=env,
                )
            except OSError as exc:
                return GuideFailed(key, f"The background renderer could not start: {exc}")
            self._child = child
        last: dict | None = None
        for line in child.stdout:
            event = parse_event(line.rstrip("\n"))
            if event is None:
                continue
            if event["kind"] == "progress":
                progress = GuideProgress(key, int(event["done"]), int(event["total"]), str(event.get("phase", "")),
                                         int(event.get("frame", 0)), str(event.get("preview", "")))
                with self._lock:
                    self._messages.append(progress)
            else:
                last = event
        code = child.wait()
        with self._lock:
            cancelled = key in self._cancelled
            self._cancelled.discard(key)
        if cancelled:
            return GuideFailed(key, "The guide render was cancelled")
        if last is not None and last["kind"] == "done" and code == 0:
            return GuideDone(key, job, bool(last.get("blockout")), time.monotonic() - began, dict(last))
        if last is not None and last["kind"] == "failed":
            return GuideFailed(key, str(last.get("message")))
        return GuideFailed(key, f"The guide renderer stopped without a result (exit code {code}): the scene may "
                                "crash Blender's renderer; try another guide or simplify the scene", True, code)
