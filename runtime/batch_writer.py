"""The periodic saves of a running batch, written off the main thread.

A save of a 500-shot batch serialises every open shot's request twice (the scene's record and the
queue file) and rewrites a megabyte of JSON: measured 0.3-3 s on the main thread, once a second
while a batch runs. The pump only gathers the entries (plain values and frozen requests); this
thread turns them into JSON and writes the file, and hands the scene's record back for the main
thread to store at its next tick. The newest save of a scene replaces one not written yet. A save
that must be on disk now (a batch starting or ending, the .blend being saved) waits for this
thread first (:func:`wait_idle`), so an older background write can never land after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Condition()
#: scene_key -> the newest write not started yet
_pending: dict[str, Callable[[], Any]] = {}
#: scene_key -> what the finished write returned, for :func:`take_results`
_results: dict[str, Any] = {}
_busy = False
_thread: threading.Thread | None = None


def submit(scene_key: str, write: Callable[[], Any]) -> None:
    """Run ``write()`` on the writer thread (after any write in progress); its result goes to :func:`take_results`."""
    global _thread
    with _lock:
        _pending[scene_key] = write
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="movie_director_batch_writer", daemon=True)
            _thread.start()


def _run() -> None:
    global _busy
    while True:
        with _lock:
            if not _pending:
                _busy = False
                _lock.notify_all()
                return
            scene_key, write = next(iter(_pending.items()))
            del _pending[scene_key]
            _busy = True
        result = write()
        with _lock:
            _results[scene_key] = result


def wait_idle(timeout: float = 30.0) -> None:
    """Block until every submitted write is on disk."""
    with _lock:
        _lock.wait_for(lambda: not _pending and not _busy, timeout=timeout)


def take_results() -> dict[str, Any]:
    """The results of the writes finished since the last call (main thread)."""
    with _lock:
        done = dict(_results)
        _results.clear()
    return done


def forget() -> None:
    """Finish what is being written and drop results nobody will use (another file is opened)."""
    wait_idle()
    with _lock:
        _results.clear()
