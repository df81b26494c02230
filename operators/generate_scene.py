"""Generate every shot of the scene, in the order that loads each model the fewest times."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty

from ..properties import QUALITY_ITEMS
from ..runtime import generate, log
from ..wangp_backend.batch import queue_report
from .common import report_notices


def report_batch(op: bpy.types.Operator, queued: generate.SceneQueue) -> None:
    """Report what a batch queued, skipped and could not queue, and its run order."""
    for problem in queued.problems:
        op.report({"WARNING"}, problem)
    for note in queued.notes:
        op.report({"WARNING"}, note)
    line = queue_report(len(queued.order), len(queued.skipped))
    op.report({"INFO"}, line)
    log.write(f"{line}")
    if queued.order:
        op.report({"INFO"}, f"Order: {', '.join(queued.order)}")


def report_summary(op: bpy.types.Operator, context: bpy.types.Context) -> None:
    """The batch's final line, a warning when any shot failed (the reasons are in the log)."""
    summary = context.scene.movie_director.batch_summary
    if summary:
        failed = context.scene.movie_director.batch_failed
        op.report({"WARNING"} if failed else {"INFO"}, summary)


class MOVIE_DIRECTOR_OT_generate_scene(bpy.types.Operator):
    bl_idname = "movie_director.generate_scene"
    bl_label = "Generate Scene"
    bl_description = (
        "Queue every shot of the scene grouped by model (fewest model loads), skipping unchanged ones if asked"
    )
    bl_options = {"REGISTER"}

    quality: EnumProperty(
        name="Quality", items=QUALITY_ITEMS, default="STANDARD",
        description="Quality tier for every shot; unset uses each shot's own",
    )
    only_changed: BoolProperty(
        name="Only Changed", default=True,
        description="Skip shots whose settings match their active take",
    )

    @classmethod
    def poll(cls, context):
        if not any(o.movie_director.is_shot for o in context.scene.objects):
            cls.poll_message_set("The scene has no shots: use Mark Shot on its cameras")
            return False
        return True

    def _queue(self, context) -> generate.SceneQueue | None:
        quality = self.quality if self.properties.is_property_set("quality") else ""
        only_changed = (
            self.only_changed if self.properties.is_property_set("only_changed")
            else context.scene.movie_director.only_changed
        )
        try:
            queued = generate.queue_scene(context, context.scene, quality, only_changed)
        except generate.GenerateError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        if not queued.order and queued.problems:
            for problem in queued.problems[1:]:
                self.report({"WARNING"}, problem)
            self.report({"ERROR"}, f"No shot could be queued: {queued.problems[0]}")
            return None
        report_batch(self, queued)
        return queued

    def invoke(self, context, event):
        queued = self._queue(context)
        report_notices(self)
        return {"FINISHED"} if queued is not None else {"CANCELLED"}

    def execute(self, context):
        queued = self._queue(context)
        if queued is None:
            return {"CANCELLED"}
        generate.wait_for_batch(queued.scene_key)
        report_notices(self)
        report_summary(self, context)
        return {"FINISHED"}
