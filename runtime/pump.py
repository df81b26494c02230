"""The main-thread step: drain the host, apply its messages within a time budget, place takes.

``pump()`` is what ``bpy.app.timers`` calls while anything runs (and what scripts and tests call by
hand: timers never fire in headless ``bpy``). Progress and previews are coalesced to the latest per
job, so a slow tick never replays stale frames. An exception while applying one message is logged
and that message dropped; the pump itself never raises.
"""

from __future__ import annotations

import collections
import time

import bpy

from ..wangp_backend import messages as m
from . import apply, batches, contact_sheet, guides, jobs, log, session, submit, timeline, undo

#: Main-thread time one tick may spend applying messages.
BUDGET_S = 0.006
#: Seconds until the next tick while work is going on.
ACTIVE_INTERVAL = 0.05
_REDRAW_AREAS = {"VIEW_3D", "SEQUENCE_EDITOR", "PROPERTIES", "IMAGE_EDITOR", "TEXT_EDITOR"}

_backlog: collections.deque[m.Message] = collections.deque()


def coalesce(messages: list[m.Message]) -> list[m.Message]:
    """Keep only the newest Progress and Preview of each job, in place; everything else in order."""
    newest: dict[tuple[type, str], int] = {}
    for index, msg in enumerate(messages):
        if isinstance(msg, (m.Progress, m.Preview)):
            newest[(type(msg), msg.job_id)] = index
    return [
        msg for index, msg in enumerate(messages)
        if not isinstance(msg, (m.Progress, m.Preview)) or newest[(type(msg), msg.job_id)] == index
    ]


def _apply_one(msg: m.Message) -> None:
    try:
        apply.apply(msg)
    except Exception as exc:  # the boundary: one bad message must not stop the others
        log.logger().exception("applying %s", msg.kind)
        log.write(f"Could not apply a {msg.kind} message: {exc}")


def apply_messages(messages: list[m.Message]) -> None:
    """Apply messages at once, without a budget (used when a host closes)."""
    pending = coalesce(list(_backlog) + list(messages))
    _backlog.clear()
    for msg in pending:
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
    deadline = time.perf_counter() + budget_s
    host = session.get_host()
    if host is not None:
        host.step(budget_s)
        drained = host.drain()
        if drained:
            merged = coalesce(list(_backlog) + drained)
            _backlog.clear()
            _backlog.extend(merged)
    changed = bool(_backlog)
    while _backlog:
        _apply_one(_backlog.popleft())
        if time.perf_counter() >= deadline:
            break
    if guides.pump_events():
        changed = True
    log.flush()
    submit.submit_ready()
    batches.save_due()
    if timeline.flush():
        changed = True
        undo.owe()
    undo.settle()
    if contact_sheet.poll() is not None:
        changed = True
    return changed


def busy() -> bool:
    """Whether the pump has anything left to do (else its timer may stop)."""
    host = session.get_host()
    if contact_sheet.busy():
        return True
    if host is None:
        return bool(_backlog) or timeline.waiting() or undo.owed() or guides.busy()
    # A host may report idle before its last messages are drained: wait for what we expect from it.
    return (
        host.busy or bool(_backlog) or jobs.count() > 0 or guides.busy() or timeline.waiting() or undo.owed()
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
