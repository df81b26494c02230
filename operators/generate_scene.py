"""Generate every shot of the scene."""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty

from ..properties import QUALITY_ITEMS
from ..runtime import generate, jobs
from ..wangp_backend.batch import queue_report
from .common import report_notices


class MOVIE_DIRECTOR_OT_generate_scene(bpy.types.Operator):
    bl_idname = "movie_director.generate_scene"
    bl_label = "Generate Scene"
    bl_description = "Queue every shot of the scene in timeline order, skipping unchanged ones if asked"
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
        queued = generate.queue_scene(context, context.scene, quality, only_changed)
        for problem in queued.problems:
            self.report({"WARNING"}, problem)
        if not queued.tokens and queued.problems:
            self.report({"ERROR"}, f"No shot could be queued: {queued.problems[0]}")
            return None
        self.report({"INFO"}, queue_report(len(queued.tokens), len(queued.skipped)))
        return queued

    def invoke(self, context, event):
        queued = self._queue(context)
        report_notices(self)
        return {"FINISHED"} if queued is not None else {"CANCELLED"}

    def execute(self, context):
        queued = self._queue(context)
        if queued is None:
            return {"CANCELLED"}
        generate.wait_for(queued.tokens)
        report_notices(self)
        failed = [t for t in queued.tokens if jobs.outcome(t) == "failed"]
        summary = context.scene.movie_director.batch_summary
        if failed:
            self.report({"WARNING"}, summary or f"{len(failed)} shot(s) failed")
        elif summary:
            self.report({"INFO"}, summary)
        return {"FINISHED"}
