"""The bridge child seen from Blender: the process, the threads on its pipes, its heartbeat and its end.

Blender's main thread never blocks on the child: commands go through a writer thread, frames come
in on a reader thread, and the child's stderr is kept (the last lines explain a crash). The child is
always reaped, by :meth:`ChildProcess.close` or at interpreter exit, so no zombie is left behind.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

from ..logs import get_logger
from . import protocol
from .child import BOOTSTRAP

log = get_logger()

#: The folder of the ``wangp_backend`` package, which the child imports by path.
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_STDERR_LINES = 40
_PIPE_BYTES = 1 << 20
_REAP_GRACE_S = 3.0
_LIVE: weakref.WeakSet[ChildProcess] = weakref.WeakSet()

FrameHandler = Callable[["ChildProcess", dict[str, Any], bytes], None]
ExitHandler = Callable[["ChildProcess"], None]


class ChildProcess:
    """One running bridge child. ``on_frame`` and ``on_exit`` are called on the reader thread.

    ``on_exit`` comes exactly once, after the process is reaped and its stderr read, whatever ended it.
    """

    def __init__(
        self,
        python: str,
        child_args: list[str],
        *,
        on_frame: FrameHandler,
        on_exit: ExitHandler,
        heartbeat_s: float,
        hang_timeout_s: float,
        env: dict[str, str] | None = None,
    ) -> None:
        self._on_frame = on_frame
        self._on_exit = on_exit
        self._heartbeat_s = heartbeat_s
        #: Silence allowed before the child counts as hung; the host shortens it once WanGP is ready.
        self.hang_timeout_s = hang_timeout_s
        self._outbox: collections.deque[bytes | None] = collections.deque()
        self._outbox_ready = threading.Condition()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self._kill_reason = ""
        self._watching = True
        #: Its end was asked for (by its host's close, or at interpreter exit): not a crash.
        self.close_requested = False
        self.exited = threading.Event()
        self.last_seen = time.monotonic()
        # -E: Blender's PYTHON* variables (PYTHONHOME, PYTHONPATH) must not leak into WanGP's Python.
        self._proc = subprocess.Popen(
            [python, "-E", "-c", BOOTSTRAP, PACKAGE_DIR, *child_args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            # Its own session/process group: a Ctrl+C in Blender's terminal must not kill WanGP mid-job.
            start_new_session=sys.platform != "win32",
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        self.pid = self._proc.pid
        _LIVE.add(self)
        _widen_pipe(self._proc.stdout)
        self._stderr_thread = self._thread(self._read_stderr, "stderr")
        self._threads = (
            self._thread(self._read_frames, "reader"),
            self._thread(self._write_commands, "writer"),
            self._thread(self._watch, "heartbeat"),
        )

    def _thread(self, target: Callable[[], None], role: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=f"movie-director-bridge-{role}-{self.pid}", daemon=True)
        thread.start()
        return thread

    # --- any thread ---

    def send(self, header: dict[str, Any]) -> None:
        """Queue a command; it is dropped if the child has ended (its end is reported by ``on_exit``)."""
        with self._outbox_ready:
            self._outbox.append(protocol.encode_frame(header))
            self._outbox_ready.notify()

    def kill(self, reason: str = "") -> None:
        """End the child at once (SIGKILL; works on a stopped process too); ``reason`` explains it later."""
        if reason and not self._kill_reason:
            self._kill_reason = reason
        if self._proc.poll() is None:
            self._proc.kill()

    def close(self, timeout: float) -> None:
        """Ask the child to close its host, then terminate and kill it if it does not end; wait for ``on_exit``."""
        self.close_requested = True
        self._watching = False
        self.send({"type": protocol.CLOSE, "timeout": timeout})
        if not self._wait(timeout + _REAP_GRACE_S):
            log.warning("the WanGP bridge process %d did not close in time; terminating it", self.pid)
            self._proc.terminate()
            if not self._wait(_REAP_GRACE_S):
                self.kill()
        self.exited.wait(2 * _REAP_GRACE_S)
        # The pipe threads end right after on_exit; wait for them so a closed host leaves nothing running.
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(_REAP_GRACE_S)

    def _wait(self, timeout: float) -> bool:
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    @property
    def dying(self) -> bool:
        """Killed or ended, but ``on_exit`` has not run yet: commands sent now are lost."""
        ended = bool(self._kill_reason) or self._proc.poll() is not None
        return ended and not self.exited.is_set()

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def stderr_tail(self) -> list[str]:
        return list(self._stderr)

    def describe_exit(self) -> str:
        """How the child ended, as the end of a sentence: "was killed by signal SIGKILL", "exited with code 1"."""
        if self._kill_reason:
            return self._kill_reason
        code = self._proc.returncode
        if code is None:
            return "is still running"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == getattr(signal, "SIGKILL", None):
                return f"was killed by {name} (often the system ran out of memory)"
            return f"was killed by {name}"
        return f"exited with code {code}"

    # --- threads ---

    def _read_frames(self) -> None:
        stream = self._proc.stdout
        try:
            while (frame := protocol.read_frame(stream)) is not None:
                self.last_seen = time.monotonic()
                self._deliver(*frame)
        except protocol.ProtocolError as exc:
            log.error("the WanGP bridge process %d sent a corrupt frame: %s", self.pid, exc)
            self.kill(f"sent a corrupt message ({exc}) and was stopped")
        except OSError as exc:
            log.error("reading from the WanGP bridge process %d failed: %s", self.pid, exc)
            self.kill(f"could not be read from ({exc}) and was stopped")
        finally:
            self._finish()

    def _deliver(self, header: dict[str, Any], payload: bytes) -> None:
        try:
            self._on_frame(self, header, payload)
        except Exception as exc:  # the boundary: one message we cannot handle must not stop the reader
            log.error("a message from the WanGP bridge process %d could not be handled", self.pid, exc_info=exc)

    def _finish(self) -> None:
        if not self._wait(_REAP_GRACE_S):
            self.kill("closed its output but did not exit, and was stopped")
            self._proc.wait()
        self._watching = False
        # Grandchildren (ffmpeg) may hold stderr open a little longer; do not wait for them forever.
        self._stderr_thread.join(_REAP_GRACE_S)
        with self._outbox_ready:
            self._outbox.append(None)
            self._outbox_ready.notify()
        try:
            self._on_exit(self)
        finally:
            self.exited.set()
            _LIVE.discard(self)

    def _write_commands(self) -> None:
        stdin = self._proc.stdin
        broken = False
        while True:
            with self._outbox_ready:
                while not self._outbox:
                    self._outbox_ready.wait()
                data = self._outbox.popleft()
            if data is None:
                break
            if broken:
                continue
            try:
                stdin.write(data)
                stdin.flush()
            except OSError:
                broken = True  # the child has ended; the reader reports it
        # A broken pipe here only means the child is gone: there is nothing left to flush.
        with contextlib.suppress(OSError):
            stdin.close()

    def _read_stderr(self) -> None:
        for raw in self._proc.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self._stderr.append(line)
                log.info("[WanGP bridge %d] %s", self.pid, line)

    def _watch(self) -> None:
        """Ping the child; kill it when nothing came back for ``hang_timeout_s`` (stopped or deadlocked)."""
        while not self.exited.wait(self._heartbeat_s):
            if not self._watching:
                continue
            silent = time.monotonic() - self.last_seen
            if silent > self.hang_timeout_s:
                log.error("the WanGP bridge process %d did not answer for %.0f s; killing it", self.pid, silent)
                self.kill(f"stopped responding for {silent:.0f} s and was stopped")
                return
            self.send({"type": protocol.PING})


def _widen_pipe(stream: Any) -> None:
    """Give the frames pipe 1 MiB instead of 64 KiB (Linux): a 6 MB preview then crosses in a few
    wake-ups of the reader instead of a hundred."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return
    try:
        fcntl.fcntl(stream.fileno(), set_size, _PIPE_BYTES)
    except OSError as exc:  # the system's pipe-max-size is lower; the default size still works
        log.debug("could not enlarge the bridge pipe: %s", exc)


@atexit.register
def _reap_all() -> None:
    """At interpreter exit, end every child still running, so none outlives Blender."""
    for child in list(_LIVE):
        if child.returncode is None:
            child.close(timeout=1.0)
