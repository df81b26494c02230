"""The Blender glue: the session host, the main-thread pump, takes and timeline strips.

``unregister`` tears everything down (session, timer, handlers, caches) so that enabling the
add-on again starts from a clean slate.
"""

from __future__ import annotations

import atexit

from . import batch_queue, batches, guides, handlers, jobs, keys, pump, session, timeline, timer, undo


def register() -> None:
    handlers.register()
    # Resume and Recover need the batch record in the .blend and the queue file kept up to date.
    batches.observe(batch_queue.save)
    session.reload_templates()
    # A timer still registered when a headless script exits hangs Blender 4.5 and crashes 4.2.
    atexit.register(timer.stop_timer)


def unregister() -> None:
    atexit.unregister(timer.stop_timer)
    session.stop(timeout=10.0)
    guides.stop()
    timer.stop_timer()
    handlers.unregister()
    jobs.clear()
    keys.forget()
    timeline.forget()
    pump.forget()
    batches.forget()
    batch_queue.forget()
    batches.stop_observing()
    undo.forget()
    session.forget_state()
