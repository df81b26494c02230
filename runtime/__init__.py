"""The Blender glue: the session host, the main-thread pump, takes and timeline strips.

``unregister`` tears everything down (session, timer, handlers, caches) so that enabling the
add-on again starts from a clean slate.
"""

from __future__ import annotations

import atexit

from .. import preferences
from . import batch_queue, batches, guides, handlers, host_choice, jobs, lifecycle, pump, session, timer


def register() -> None:
    handlers.register()
    # Resume and Recover need the batch record in the .blend and the queue file kept up to date.
    batches.observe(batch_queue.save)
    preferences.observe_templates_dir(session.reload_templates)
    session.reload_templates()
    # A timer still registered when a headless script exits hangs Blender 4.5 and crashes 4.2.
    atexit.register(timer.stop_timer)


def unregister() -> None:
    atexit.unregister(timer.stop_timer)
    lifecycle.stop(timeout=10.0)
    guides.stop()
    timer.stop_timer()
    handlers.unregister()
    jobs.clear()
    pump.forget()
    batches.forget()
    handlers.forget_file()
    batches.stop_observing()
    preferences.stop_observing_templates_dir()
    session.forget_state()
    host_choice.forget()
