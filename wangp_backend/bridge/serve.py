"""The bridge child's loop: commands from the parent go to the host, the host's messages go back as frames.

One thread (the loop) calls the host and writes frames; a reader thread only turns command frames
into queue items, so a command wakes the loop at once. The host's ``drain()`` cannot wait, so the
loop polls it: every few milliseconds while a job runs, slower when idle.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
from typing import Any, BinaryIO

import numpy as np

from ..failures import one_line
from ..hosts.api import Host
from ..logs import get_logger
from ..messages import TERMINAL_KINDS, Failed, Message, to_wire
from . import protocol

log = get_logger("bridge")

#: Poll intervals of the host's messages: every 2 ms while a job runs or WanGP starts, else every 20 ms.
POLL_BUSY_S = 0.002
POLL_IDLE_S = 0.02
#: Stands in for a preview's pixels when only its header is encoded (the pixels go as the payload).
_NO_PIXELS = np.zeros(0, dtype=np.float32)
#: How long ``close`` waits for the host when the parent went away without saying so.
ORPHAN_CLOSE_TIMEOUT_S = 5.0


def serve(host: Host, commands: BinaryIO, frames: BinaryIO) -> int:
    """Run ``host`` for the parent until it says ``close`` or goes away; the process exit code."""
    return _Server(host, commands, frames).run()


class _Server:
    def __init__(self, host: Host, commands: BinaryIO, frames: BinaryIO) -> None:
        self._host = host
        self._frames = frames
        self._inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        # The parent names jobs itself (its submit cannot wait for us); the host has its own ids.
        self._parent_ids: dict[str, str] = {}
        self._host_ids: dict[str, str] = {}
        self._reader = threading.Thread(target=self._read_commands, args=(commands,),
                                        name="movie-director-bridge-commands", daemon=True)

    def run(self) -> int:
        self._reader.start()
        self._host.start()
        while True:
            try:
                command = self._inbox.get(timeout=POLL_BUSY_S if self._host.busy else POLL_IDLE_S)
            except queue.Empty:
                command = None
            while command is not None:
                if command["type"] == protocol.CLOSE:
                    return self._close(float(command.get("timeout", ORPHAN_CLOSE_TIMEOUT_S)))
                self._handle(command)
                try:
                    command = self._inbox.get_nowait()
                except queue.Empty:
                    command = None
            self._host.step(POLL_BUSY_S)
            if not self._forward():
                return self._close(ORPHAN_CLOSE_TIMEOUT_S, parent_gone=True)

    def _read_commands(self, commands: BinaryIO) -> None:
        try:
            while (frame := protocol.read_frame(commands)) is not None:
                self._inbox.put(frame[0])
        except (OSError, protocol.ProtocolError) as exc:
            log.error("reading commands from Blender failed: %s", exc)
        # Blender closed the pipe (it quit or crashed): end the host instead of living on as an orphan.
        self._inbox.put({"type": protocol.CLOSE, "timeout": ORPHAN_CLOSE_TIMEOUT_S})

    def _handle(self, command: dict[str, Any]) -> None:
        kind = command["type"]
        try:
            if kind == protocol.PING:
                self._write([({"type": protocol.PONG}, b"")])
            elif kind == protocol.SUBMIT:
                self._submit(command["job_id"], command["request"])
            elif kind == protocol.CANCEL:
                host_id = self._host_ids.get(command["job_id"])
                if host_id is not None:
                    self._host.cancel(host_id)
            elif kind == protocol.CANCEL_ALL:
                self._host.cancel_all()
            elif kind == protocol.REFRESH_MODELS:
                self._host.refresh_models()
            elif kind == protocol.START:
                self._host.start()
            else:
                log.warning("ignoring unknown bridge command %r", kind)
        except Exception as exc:  # the boundary: one bad command must not end the child
            log.error("bridge command %r failed", kind, exc_info=exc)

    def _submit(self, job_id: str, request_data: dict[str, Any]) -> None:
        request = protocol.request_from_wire(request_data)
        try:
            host_id = self._host.submit(request)
        except Exception as exc:  # the boundary: the parent waits for an answer about this job
            log.error("submitting job %s failed", job_id, exc_info=exc)
            failure = Failed(job_id, request.shot_key, stage="host", error_class="runtime",
                             message=f"Internal error in the WanGP bridge: {type(exc).__name__}: {one_line(exc)}",
                             hint="The session keeps running; please report this with the log.")
            self._write([self._frame(failure)])
            return
        self._host_ids[job_id] = host_id
        self._parent_ids[host_id] = job_id

    def _forward(self) -> bool:
        """Send the host's waiting messages; False when the parent is gone."""
        messages = self._host.drain()
        return not messages or self._write([self._frame(self._for_parent(m)) for m in messages])

    def _for_parent(self, message: Message) -> Message:
        host_id = getattr(message, "job_id", None)
        if host_id is None or host_id not in self._parent_ids:
            return message
        job_id = self._parent_ids[host_id]
        if message.kind in TERMINAL_KINDS:
            del self._parent_ids[host_id]
            del self._host_ids[job_id]
        return dataclasses.replace(message, job_id=job_id)

    @staticmethod
    def _frame(message: Message) -> tuple[dict[str, Any], bytes | memoryview]:
        pixels = getattr(message, "pixels", None)
        if pixels is None:
            header, payload = to_wire(message)
            return {"type": protocol.MESSAGE, "message": header}, payload
        # to_wire would copy a preview's megabytes into a new bytes object; the pipe can read the array itself.
        header, _ = to_wire(dataclasses.replace(message, pixels=_NO_PIXELS))
        payload = memoryview(np.ascontiguousarray(pixels, dtype=np.float32)).cast("B")
        return {"type": protocol.MESSAGE, "message": header}, payload

    def _write(self, frames: list[tuple[dict[str, Any], bytes | memoryview]]) -> bool:
        try:
            for header, payload in frames:
                protocol.write_frame(self._frames, header, payload)
            self._frames.flush()
        except OSError as exc:
            log.error("writing to Blender failed (it has gone away?): %s", exc)
            return False
        return True

    def _close(self, timeout: float, parent_gone: bool = False) -> int:
        try:
            self._host.close(timeout)
        finally:
            if not parent_gone and self._forward():
                self._write([({"type": protocol.CLOSED}, b"")])
        return 0
