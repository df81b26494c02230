"""The host keeps WanGP's stdout captures alive (a print racing a job's end must not free them)."""

from __future__ import annotations

import gc
import sys
import weakref

from wangp_backend.stdio_guard import StdioKeeper


class _Capture:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def test_a_capture_seen_during_a_job_survives_the_swap_back(monkeypatch):
    keeper = StdioKeeper()
    capture = _Capture()
    gone = weakref.ref(capture)
    monkeypatch.setattr(sys, "stdout", capture)
    keeper.note()
    monkeypatch.undo()  # WanGP restores the real stdout and drops its capture
    del capture
    gc.collect()
    assert gone() is not None and keeper.holds(gone())


def test_the_keeper_is_bounded():
    keeper = StdioKeeper(capacity=4)
    for _ in range(10):
        sys.stdout, saved = _Capture(), sys.stdout
        try:
            keeper.note()
        finally:
            sys.stdout = saved
    assert len(keeper._held) == 4
