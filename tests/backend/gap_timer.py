"""Times the gap between one WanGP job's event stream closing and the host's next ``submit_task``.

Shared by the queue test (``test_host_jobs.py``) and the benchmark (``bench/bench_host.py``): a loader
for ``SessionHost(api_loader=...)`` that wraps the real loaded session and stamps both moments.
"""

from __future__ import annotations

import time
from typing import Any

from wangp_backend.loader import Loaded, load_wangp
from wangp_backend.requests import SessionConfig


class GapTimer:
    def __init__(self) -> None:
        self.closed_at: list[float] = []
        self.submitted_at: list[float] = []

    def loader(self, config: SessionConfig) -> Loaded:
        loaded = load_wangp(config)
        return Loaded(_TimedSession(loaded.session, self), loaded.wangp_version, loaded.vram_gb)

    def gaps(self) -> list[float]:
        """Seconds from each job's stream end to the next job's submit."""
        return [self.submitted_at[i + 1] - self.closed_at[i] for i in range(len(self.closed_at) - 1)]


class _TimedStream:
    def __init__(self, stream: Any, timer: GapTimer) -> None:
        self._stream, self._timer = stream, timer

    def get(self, timeout: float | None = None) -> Any:
        found = self._stream.get(timeout=timeout)
        timer = self._timer
        if found is None and self._stream.closed and len(timer.closed_at) < len(timer.submitted_at):
            timer.closed_at.append(time.perf_counter())
        return found

    @property
    def closed(self) -> bool:
        return self._stream.closed


class _TimedJob:
    def __init__(self, job: Any, timer: GapTimer) -> None:
        self._job = job
        self.events = _TimedStream(job.events, timer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)


class _TimedSession:
    def __init__(self, session: Any, timer: GapTimer) -> None:
        self._session, self._timer = session, timer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def submit_task(self, settings: dict[str, Any]) -> Any:
        self._timer.submitted_at.append(time.perf_counter())
        return _TimedJob(self._session.submit_task(settings), self._timer)
