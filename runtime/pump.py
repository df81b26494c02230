"""The main-thread step: drain the host, apply its messages within a time budget, place takes.

``pump()`` is what ``bpy.app.timers`` calls while anything runs (and what scripts and tests call by
hand: timers never fire in headless ``bpy``). Progress and previews are coalesced to the latest per
job (superseded ones are skipped, never applied), so a slow tick never replays stale frames. An
exception while applying one message is logged and that message dropped; the pump itself never raises.
"""

from __future__ import annotations

import collections
import time

import bpy

from ..wangp_backend import messages as m
from . import apply, batch_queue, batches, contact_sheet, guides, jobs, log, session, submit, timeline, timer

#: Main-thread time one tick may spend applying messages.
BUDGET_S = 0.006
#: Main-thread time one tick may spend handing pending jobs to the host (at least one goes).
SUBMIT_BUDGET_S = 0.004
#: Seconds until the next tick while work is going on.
ACTIVE_INTERVAL = 0.05
_REDRAW_AREAS = {"VIEW_3D", "SEQUENCE_EDITOR", "PROPERTIES", "IMAGE_EDITOR", "TEXT_EDITOR"}

_backlog: collections.deque[m.Message] = collections.deque()
#: The newest Progress and Preview of each job in the backlog: older ones are skipped when their turn
#: comes, so a flood costs the main thread O(1) per message instead of re-coalescing the whole backlog.
_newest: dict[tuple[type, str], m.Message] = {}
#: Messages taken from the host per tick, and the backlog beyond which none are: in a flood the rest
#: wait in the host's own queue, so a tick's cost stays near the budget instead of growing with it.
DRAIN_PER_TICK = 2_000
MAX_BACKLOG = 20_000


def _take(messages: list[m.Message]) -> None:
    for msg in messages:
        if isinstance(msg, (m.Progress, m.Preview)):
            _newest[(type(msg), msg.job_id)] = msg
        _backlog.append(msg)


def _next() -> m.Message | None:
    """The next message to apply, skipping a Progress or Preview a newer one of its job supersedes."""
    while _backlog:
        msg = _backlog.popleft()
        if isinstance(msg, (m.Progress, m.Preview)):
            key = (type(msg), msg.job_id)
            if _newest.get(key) is not msg:
                continue
            del _newest[key]
        return msg
    return None


def _apply_one(msg: m.Message) -> None:
    try:
        apply.apply(msg)
    except Exception as exc:  # the boundary: one bad message must not stop the others
        log.logger().exception("applying %s", msg.kind)
        log.write(f"Could not apply a {msg.kind} message: {exc}")


def apply_messages(messages: list[m.Message]) -> None:
    """Apply messages at once, without a budget (used when a host closes)."""
    _take(list(messages))
    while (msg := _next()) is not None:
        _apply_one(msg)
    log.flush()


def cancel_pending(reason: str) -> None:
    submit.cancel_all(reason)


def abandon_submitted(reason: str) -> None:
    """Jobs the closed host never finished: their shots are cancelled (nothing will come back)."""
    for record in jobs.submitted():
        apply.apply(m.Cancelled(job_id=record.job_id, shot_key=record.shot_key, reason=reason))


def _redraw() -> None:
    wm = bpy.context.window_manager
    for window in wm.windows if wm else ():
        for area in window.screen.areas:
            if area.type in _REDRAW_AREAS:
                area.tag_redraw()


def _tick(budget_s: float) -> bool:
    """One step; returns whether Blender data changed."""
    started = time.perf_counter()
    deadline = started + budget_s
    host = session.get_host()
    if host is not None:
        host.step(budget_s)
        if len(_backlog) < MAX_BACKLOG:
            _take(host.drain(DRAIN_PER_TICK))
    changed = bool(_backlog)
    while (msg := _next()) is not None:
        _apply_one(msg)
        if time.perf_counter() >= deadline:
            break
    if guides.pump_events():
        changed = True
    log.flush()
    submit.submit_ready(time.perf_counter() + SUBMIT_BUDGET_S)
    batches.save_due()
    batch_queue.store_written()
    if timeline.flush(started):
        changed = True
    if contact_sheet.poll() is not None:
        changed = True
    return changed


def busy() -> bool:
    """Whether the pump has anything left to do (else its timer may stop)."""
    host = session.get_host()
    if contact_sheet.busy():
        return True
    if host is None:
        return bool(_backlog) or timeline.waiting() or guides.busy()
    # A host may report idle before its last messages are drained: wait for what we expect from it.
    return (
        host.busy or bool(_backlog) or jobs.count() > 0 or guides.busy() or timeline.waiting()
        or session.awaiting()
    )


def pump() -> float | None:
    """Run one tick; return the seconds until the next one, or None when there is nothing to do."""
    try:
        if _tick(BUDGET_S):
            _redraw()
    except Exception as exc:  # the boundary: the pump keeps running whatever went wrong
        log.logger().exception("pump")
        log.write(f"Movie Director pump error: {exc}")
    return ACTIVE_INTERVAL if busy() else None


def forget() -> None:
    _backlog.clear()
    _newest.clear()


# The timer runs this module's pump; the modules below only ask the timer to run (see ``timer.drive``).
timer.drive(pump)
