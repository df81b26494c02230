"""Progress lines on stderr while an operator's ``execute()`` waits: a headless run is never silent.

A script or ``blender -b`` run that calls ``generate_scene()`` may wait twenty minutes; without a
window, stderr is the only place that can say where it is. A line is written when a shot's phase
(or status) changes and at every 10 % of its progress, never more often, and only while waiting:
the interactive path (a click) writes nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..wangp_backend.states import ShotStatus
from . import keys

#: How often the shots are looked at (the wait loop pumps every few milliseconds).
CHECK_INTERVAL_S = 0.2
#: Where the lines go; None is the process's own stderr. Not ``sys.stderr``: WanGP swaps it
#: process-wide while a job runs (in-process mode), and a line written then would vanish into its capture.
stream: TextIO | None = None


class WaitReport:
    """Watch the shots ``shot_keys()`` names and write a line per phase change and 10 % step.

    :param shot_keys: the keys of the shots waited for, asked on each check (a batch's list is fixed
        at its start, but a shot may be deleted while it runs).
    """

    def __init__(self, shot_keys: Callable[[], list[str]]) -> None:
        self._shot_keys = shot_keys
        self._started = time.monotonic()
        self._checked = 0.0
        self._seen: dict[str, tuple[str, str, int]] = {}

    def check(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < CHECK_INTERVAL_S:
            return
        self._checked = now
        for key in self._shot_keys():
            _scene, obj = keys.find_shot(key)
            if obj is None:
                continue
            shot = obj.movie_director
            state = (shot.generation_status, shot.generation_phase, shot.generation_progress // 10)
            if self._seen.get(key) == state:
                continue
            self._seen[key] = state
            self._write(obj.name, shot, now)

    def _write(self, name: str, shot, now: float) -> None:
        step = f"step {shot.generation_step}/{shot.generation_total_steps}" if shot.generation_total_steps else "step -"
        phase = shot.generation_phase or "-"
        line = (f"[movie_director {now - self._started:7.1f} s] {name}: {shot.generation_status}, {phase}, "
                f"{step}, {shot.generation_progress} %")
        if shot.generation_status == ShotStatus.FAILED and shot.error_message:
            line += f": {shot.error_message}"
        out = stream or sys.__stderr__ or sys.stderr
        out.write(line + "\n")
        out.flush()
