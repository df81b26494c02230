"""What the batch operators share: their reports, and queue-then-return vs queue-then-wait."""

from __future__ import annotations

import bpy

from ..runtime import batches, generate, log
from ..runtime.wait_report import WaitReport
from ..wangp_backend.batch import queue_report
from .common import report_notices


def report_batch(op: bpy.types.Operator, queued: generate.SceneQueue) -> None:
    """Report what a batch queued and its run order, then what it could not queue: the status bar
    shows the last report, so the warnings come last; the whole report goes to the log (Open Log)."""
    line = queue_report(len(queued.order), len(queued.skipped), len(queued.locked))
    op.report({"INFO"}, line)
    log.write(line)
    if queued.order:
        order = f"Order: {', '.join(queued.order)}"
        op.report({"INFO"}, order)
        log.write(order)
    if queued.locked:
        locked = f"Locked (approved take): {', '.join(queued.locked)}"
        op.report({"INFO"}, locked)
        log.write(locked)
    warnings = (*queued.problems, *queued.notes)
    for warning in warnings:
        op.report({"WARNING"}, warning)
        log.write(f"Warning: {warning}")


def _batch_keys(scene_key: str) -> list[str]:
    batch = batches.get(scene_key)
    return [item.shot_key for item in batch.items] if batch is not None else []


def report_summary(op: bpy.types.Operator, context: bpy.types.Context) -> None:
    """The batch's final line, a warning when any shot failed (the reasons are in the log)."""
    summary = context.scene.movie_director.batch_summary
    if summary:
        failed = context.scene.movie_director.batch_failed
        op.report({"WARNING"} if failed else {"INFO"}, summary)


class BatchOperatorMixin:
    """``invoke()`` (a click) starts the batch and returns at once; ``execute()`` (scripts, headless
    runs) starts it and waits for it by pumping, writing progress lines to stderr, unless the
    operator has ``wait`` off. Subclasses say how to start it."""

    def start_batch(self, context: bpy.types.Context) -> str:
        """Start the batch; return its scene key, or "" when nothing started (already reported)."""
        raise NotImplementedError

    def invoke(self, context, event):
        scene_key = self.start_batch(context)
        report_notices(self)
        return {"FINISHED"} if scene_key else {"CANCELLED"}

    def execute(self, context):
        scene_key = self.start_batch(context)
        if not scene_key:
            return {"CANCELLED"}
        if not getattr(self, "wait", True):
            report_notices(self)
            return {"FINISHED"}
        shot_keys = _batch_keys(scene_key)  # the batch may be forgotten once it ends
        generate.wait_for_batch(scene_key, report=WaitReport(lambda: shot_keys))
        report_notices(self)
        report_summary(self, context)
        return {"FINISHED"}
