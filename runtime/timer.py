"""Registering the pump with ``bpy.app.timers`` while anything runs.

The pump itself is a module-level function (a bound method could never be unregistered), and it
unregisters itself by returning ``None`` when idle. Timers never fire in headless ``bpy``; scripts
and tests call the pump directly, so nothing else may depend on the timer running.
"""

from __future__ import annotations

import bpy


def _pump():
    # Imported here: the pump module imports the session, which registers this timer.
    from .pump import pump

    return pump


def ensure_timer() -> None:
    fn = _pump()
    if not bpy.app.timers.is_registered(fn):
        # persistent: a job keeps running across File > Open; the pump must keep draining it.
        bpy.app.timers.register(fn, first_interval=0.0, persistent=True)


def stop_timer() -> None:
    fn = _pump()
    if bpy.app.timers.is_registered(fn):
        bpy.app.timers.unregister(fn)


def timer_registered() -> bool:
    return bpy.app.timers.is_registered(_pump())
