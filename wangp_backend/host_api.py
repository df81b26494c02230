"""The interface every session host offers the Blender side.

Four hosts implement it: the in-process :class:`wangp_backend.host.SessionHost` (a background
thread that owns WanGP), the bridge host (WanGP in a child process), the farm host (WanGP on a Ray
cluster of GPU machines, over HTTP, several shots at once) and the layout animatic (Blender renders
the shot; it does its work in :meth:`step` on the main thread). The Blender side only talks to this
interface, so it does not know which one runs.
"""

from __future__ import annotations

import queue
from typing import Protocol

from .catalog import ModelCatalog
from .messages import Message
from .requests import JobRequest


class Host(Protocol):
    #: ``"in_process"``, ``"bridge"``, ``"farm"`` or ``"animatic"``.
    mode: str

    def start(self) -> None:
        """Begin loading in the background; returns at once. A ``SessionState`` message follows."""

    def submit(self, request: JobRequest) -> str:
        """Queue a job and return its id at once; jobs run one after another."""

    def cancel(self, job_id: str) -> None:
        """Drop a queued job, or ask the running one to stop (cooperative)."""

    def cancel_all(self) -> None:
        """Cancel every queued and running job."""

    def refresh_models(self) -> None:
        """Re-read the catalog; a ``SessionState`` message with ``models`` follows."""

    def close(self, timeout: float = 30.0) -> None:
        """Cancel everything, release the model and end the host's thread or process."""

    def drain(self, max_messages: int = 10_000) -> list[Message]:
        """Take the messages waiting for the main thread, oldest first, without blocking."""

    def step(self, budget_s: float) -> None:
        """Main-thread work for hosts that need it (the animatic renders a frame); else nothing."""

    @property
    def busy(self) -> bool:
        """True while a job is queued or running (or the session is starting)."""


class QueueHost:
    """What the WanGP hosts (in-process and bridge) share: their messages wait on a queue for the main
    thread, and they keep the session's last known state, version and catalog for the panel."""

    _messages: queue.SimpleQueue
    _state: str
    _wangp_version: str
    _catalog: ModelCatalog | None

    def drain(self, max_messages: int = 10_000) -> list[Message]:
        return drain_queue(self._messages, max_messages)

    def step(self, budget_s: float) -> None:
        """Nothing to do on the main thread: a background thread (or process) does the work."""

    @property
    def catalog(self) -> ModelCatalog | None:
        return self._catalog

    @property
    def wangp_version(self) -> str:
        return self._wangp_version

    @property
    def state(self) -> str:
        return self._state


def drain_queue(messages: queue.SimpleQueue, max_messages: int = 10_000) -> list[Message]:
    """Take up to ``max_messages`` waiting messages, oldest first, without blocking (``Host.drain``)."""
    out: list[Message] = []
    while len(out) < max_messages:
        try:
            out.append(messages.get_nowait())
        except queue.Empty:
            break
    return out
