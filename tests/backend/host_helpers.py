"""Helpers for the SessionHost tests: collect messages, build requests, and forget a loaded WanGP.

WanGP allows one runtime per process, so tests that load WanGP from another root (a broken install
built in ``tmp_path``) must drop every ``shared``/``wgp`` module and the roots they put on
``sys.path`` before and after, or the next test would import the wrong ``shared`` package.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from wangp_backend.hosts.in_process import SessionHost
from wangp_backend.messages import TERMINAL_KINDS, Message
from wangp_backend.requests import JobRequest

WAIT_S = 20.0


def forget_wangp() -> None:
    """Stop the test double's jobs, forget its runtime and unload every module of any WanGP root."""
    api = sys.modules.get("shared.api")
    reset = getattr(api, "_reset_for_tests", None)
    if reset is not None:
        reset()
    for name in list(sys.modules):
        if name in ("shared", "wgp") or name.startswith("shared."):
            del sys.modules[name]


@contextlib.contextmanager
def wangp_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run a test with a fresh WanGP import: own ``sys.path``, no ``HF_HUB_OFFLINE``, original cwd."""
    cwd = os.getcwd()
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    forget_wangp()
    try:
        yield
    finally:
        forget_wangp()
        os.chdir(cwd)


class Collector:
    """Drains a host the way the main thread would and keeps every message for assertions."""

    def __init__(self, host: SessionHost) -> None:
        self.host = host
        self.messages: list[Message] = []

    def wait(self, predicate: Callable[[list[Message]], bool], timeout: float = WAIT_S) -> list[Message]:
        deadline = time.monotonic() + timeout
        while True:
            self.messages.extend(self.host.drain())
            if predicate(self.messages):
                return self.messages
            if time.monotonic() > deadline:
                kinds = [(m.kind, getattr(m, "state", getattr(m, "job_id", ""))) for m in self.messages]
                raise AssertionError(f"timed out; messages so far: {kinds}")
            time.sleep(0.005)

    def wait_for(self, kind: str, timeout: float = WAIT_S, **fields: Any) -> Message:
        """The first message of ``kind`` whose attributes equal ``fields``."""
        def match(m: Message) -> bool:
            return m.kind == kind and all(getattr(m, k, None) == v for k, v in fields.items())

        self.wait(lambda ms: any(match(m) for m in ms), timeout)
        return next(m for m in self.messages if match(m))

    def end_of(self, job_id: str, timeout: float = WAIT_S) -> Message:
        """The terminal message (TakeReady, Failed or Cancelled) of ``job_id``."""
        self.wait(lambda ms: any(m.kind in TERMINAL_KINDS and m.job_id == job_id for m in ms), timeout)
        return next(m for m in self.messages if m.kind in TERMINAL_KINDS and m.job_id == job_id)

    def of(self, kind: str, job_id: str | None = None) -> list[Any]:
        return [m for m in self.messages if m.kind == kind and (job_id is None or m.job_id == job_id)]

    def states(self) -> list[str]:
        return [m.state for m in self.of("session_state")]


def request(tmp_path: Path, shot_key: str = "SH010", take_name: str = "SH010_take001", **settings: Any) -> JobRequest:
    base = {"model_type": "t2v_1.3B", "prompt": "a red boat", "resolution": "320x192", "video_length": 9,
            "num_inference_steps": 4, "seed": 42}
    fallbacks = tuple(settings.pop("fallbacks", ()))
    extra = dict(settings.pop("sidecar_extra", {}))
    return JobRequest(shot_key, {**base, **settings}, str(tmp_path / "takes"), take_name, fallbacks=fallbacks,
                      sidecar_extra=extra)


def make_wangp_root(tmp_path: Path, api_source: str, name: str = "OtherWanGP") -> str:
    """A folder laid out like a WanGP install whose ``shared/api.py`` is ``api_source``."""
    root = tmp_path / name
    (root / "shared").mkdir(parents=True)
    (root / "wgp.py").write_text('WanGP_version = "0.0-test"\n', encoding="utf-8")
    (root / "shared" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shared" / "api.py").write_text(api_source, encoding="utf-8")
    return str(root)


# --- a hand-written scripted WanGP session, for faults the test double cannot produce ---


def event(kind: str, data: Any = None) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, data=data)


class ScriptedStream:
    """Yields scripted events, then closes; ``hang`` keeps it open forever, ``fail_at`` raises there."""

    def __init__(self, events: list[Any], *, hang: bool = False, fail_at: int | None = None) -> None:
        self._events = list(events)
        self._hang = hang
        self._fail_at = fail_at
        self._served = 0
        self.closed = False

    def get(self, timeout: float | None = None) -> Any:
        if self._fail_at is not None and self._served == self._fail_at:
            raise RuntimeError("scripted stream failure")
        if self._events:
            self._served += 1
            return self._events.pop(0)
        if self._hang:
            time.sleep(timeout or 0)
            return None
        self.closed = True
        return None


class ScriptedJob:
    def __init__(self, stream: ScriptedStream, result: Any) -> None:
        self.events = stream
        self._result = result
        self.cancel_calls = 0

    def cancel(self) -> None:
        self.cancel_calls += 1

    def result(self, timeout: float | None = None) -> Any:
        if self.events.closed:
            return self._result
        raise TimeoutError("scripted job still running")


class ScriptedSession:
    """Serves ``jobs`` in order from ``submit_task``; an exception in the list is raised instead."""

    def __init__(self, jobs: list[Any], records: list[dict[str, Any]] | None = None) -> None:
        self.jobs = list(jobs)
        self.submitted: list[dict[str, Any]] = []
        self.records = records or [{"model_type": "t2v_1.3B", "fps": 16, "frames_minimum": 5, "frames_steps": 4,
                                    "frames_maximum": 97}]
        self.closed = 0

    def submit_task(self, settings: dict[str, Any]) -> Any:
        self.submitted.append(settings)
        job = self.jobs.pop(0)
        if isinstance(job, BaseException):
            raise job
        return job

    def close(self) -> None:
        self.closed += 1


def success_result(path: str) -> SimpleNamespace:
    return SimpleNamespace(success=True, generated_files=[path], errors=[])
