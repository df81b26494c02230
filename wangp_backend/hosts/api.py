"""The interface every session host offers the Blender side, and what each can do.

Four hosts implement it: the in-process :class:`~wangp_backend.hosts.in_process.SessionHost` (a
background thread that owns WanGP), the bridge host (WanGP in a child process), the farm host (WanGP on a
Ray cluster of GPU machines, over HTTP, several shots at once) and the layout animatic (a background Blender
renders the shot; :meth:`Host.step` reads the shot and turns the renderer's reports into messages on the main
thread). The Blender side only talks to this interface and asks a host's :class:`Capabilities`, never which
kind of host it is.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Protocol

from ..catalog import ModelCatalog
from ..messages import Message
from ..requests import JobRequest


@dataclass(frozen=True)
class Capabilities:
    """What the Blender side asks of a host instead of its kind."""

    #: jobs run at the same time: WanGP runs one per process, a farm one per worker
    jobs_at_once: int = 1
    #: it runs WanGP: its catalog holds the AI models, and a shot's input images are made for it
    needs_wangp: bool = True
    #: WanGP runs on other machines: only a take comes back (no post-processing of local clips)
    remote: bool = False
    #: it renders the layout with Blender instead of generating (an animatic, not AI)
    layout_animatic: bool = False
    #: when its process dies, :meth:`Host.start` starts a new one that runs the jobs it kept
    restarts_after_crash: bool = False


IN_PROCESS = Capabilities()
BRIDGE = Capabilities(restarts_after_crash=True)
#: ``jobs_at_once`` is the farm's worker count, as last read (see ``FarmHost.capabilities``)
FARM = Capabilities(remote=True)
ANIMATIC = Capabilities(needs_wangp=False, layout_animatic=True)


class Host(Protocol):
    #: ``"in_process"``, ``"bridge"``, ``"farm"`` or ``"animatic"``: a name to show, never to branch on
    mode: str
    capabilities: Capabilities

    def start(self) -> None:
        """Begin loading in the background; returns at once. A ``SessionState`` message follows."""

    def submit(self, request: JobRequest) -> str:
        """Queue a job and return its id at once; up to ``capabilities.jobs_at_once`` run together."""

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
        """Main-thread work for hosts that need it (the animatic reads a shot, applies its renderer's reports)."""

    @property
    def busy(self) -> bool:
        """True while a job is queued or running (or the session is starting)."""


class ProcessHost(Host, Protocol):
    """A host whose WanGP runs in a process of its own (``capabilities.restarts_after_crash``)."""

    @property
    def pid(self) -> int | None:
        """The process's id while it runs, None once it ended (crashed, killed or closed)."""


@dataclass(frozen=True)
class WorkersView:
    """What the Session panel shows of a remote host (``capabilities.remote``): its workers and queue."""

    url: str = ""
    #: (name, state, model loaded, the shot it runs (its name when it is ours), VRAM GB)
    workers: tuple[tuple[str, str, str, str, float], ...] = ()
    queued: int = 0
    running: int = 0
    problem: str = ""


class RemoteHost(Host, Protocol):
    """A host on other machines (``capabilities.remote``)."""

    @property
    def view(self) -> WorkersView:
        """Its workers and queue, as last read (no I/O)."""


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
