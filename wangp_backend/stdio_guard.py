"""Keep WanGP's stdout/stderr captures alive, so a ``print()`` racing a job's end cannot crash Blender.

WanGP swaps ``sys.stdout``/``sys.stderr`` process-wide for each job and swaps them back when it ends,
dropping the last reference to its capture object. In CPython 3.11 (Blender 4.2 to 5.0), ``print()``
on another thread holds ``sys.stdout`` as a *borrowed* reference while it writes, so a capture freed
mid-write is a use-after-free: a segfault of the whole process (reproduced with the test double while
Blender printed an operator report). The host thread notes every stream object it sees while a job runs
and keeps the most recent ones referenced, so a capture is never freed while a write may be under way.
"""

from __future__ import annotations

import sys
from collections import deque
from typing import Any


class StdioKeeper:
    """Strong references to the last ``capacity`` distinct ``sys.stdout``/``sys.stderr`` objects seen."""

    def __init__(self, capacity: int = 16) -> None:
        self._held: deque[Any] = deque(maxlen=capacity)

    def note(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            if not any(stream is held for held in self._held):
                self._held.append(stream)

    def holds(self, stream: Any) -> bool:
        return any(stream is held for held in self._held)


#: One keeper per process: captures can outlive a runner (a host closed and started again).
KEEPER = StdioKeeper()
