"""Starting and stopping the session's host: the host in use, a crashed one revived, or a fresh start; and stop.

Stopping applies the closed host's last messages through the pump, so this module sits above it;
:mod:`.host_choice` decides which host, :mod:`.session` keeps what panels read.
"""

from __future__ import annotations

import bpy

from ..wangp_backend.hosts.api import Host
from ..wangp_backend.messages import SessionState
from . import animatic, batches, guides, host_choice, log, pump, session, stills, timer


def ensure_host(context: bpy.types.Context | None = None) -> Host:
    """The running host, starting one if needed: WanGP when configured, else the layout animatic.

    Raises :class:`host_choice.SetupError` when WanGP is configured but cannot start (never falls back
    to the animatic silently: the user asked for WanGP).
    """
    host = session.get_host()
    if host is not None and session.state().state != "failed":
        return host
    chosen = host_choice.plan(context)
    revived = host_choice.revive(chosen)
    if revived is not None:
        return revived
    if host is not None:
        # It failed to start; the user may have fixed the preferences since: start afresh.
        stop(context, timeout=5.0)
    return host_choice.start(chosen, context)


def stop(context: bpy.types.Context | None = None, timeout: float = 30.0) -> None:
    """Cancel every job, close the host and apply its last messages (shots end up cancelled)."""
    # Batch items still waiting go first, or the end of a cancelled job would release them into the queue.
    batches.cancel_all_waiting()
    pump.cancel_pending("the session was stopped")
    guides.stop()
    stills.stop()
    animatic.forget()
    host = session.get_host()
    if host is not None:
        host.close(timeout=timeout)
        # Gone before its last messages are applied: a crash among them must not restart it.
        session.drop_host()
        pump.apply_messages(host.drain())
        log.write("Session stopped")
    pump.abandon_submitted("the session was stopped")
    session.set_state(SessionState(state="stopped", mode=""))
    if not pump.busy():
        timer.stop_timer()
