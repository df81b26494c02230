"""Registering the pump with ``bpy.app.timers`` while anything runs.

The pump itself is a module-level function (a bound method could never be unregistered), and it
unregisters itself by returning ``None`` when idle. Timers never fire in headless ``bpy``; scripts
and tests call the pump directly, so nothing else may depend on the timer running.

This module sits below everything that wakes the pump (the session, takes, undo); the pump module, above
them all, hands its function in when it is imported (:func:`drive`), so no import runs upwards.
"""

from __future__ import annotations

from collections.abc import Callable

import bpy

_pump: Callable[[], float | None] | None = None


def drive(fn: Callable[[], float | None]) -> None:
    """``fn`` is what the timer runs (called once, by the pump module)."""
    global _pump
    _pump = fn


def _fn() -> Callable[[], float | None]:
    if _pump is None:
        raise RuntimeError("The pump module is not loaded: import the runtime package first")
    return _pump


def ensure_timer() -> None:
    fn = _fn()
    if not bpy.app.timers.is_registered(fn):
        # persistent: a job keeps running across File > Open; the pump must keep draining it.
        bpy.app.timers.register(fn, first_interval=0.0, persistent=True)


def stop_timer() -> None:
    fn = _fn()
    if bpy.app.timers.is_registered(fn):
        bpy.app.timers.unregister(fn)


def timer_registered() -> bool:
    return bpy.app.timers.is_registered(_fn())
